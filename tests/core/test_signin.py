"""Signing channels in and again from an interactive front end (cmdesk.services.signin)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from cmdesk.bootstrap import AppContext
from cmdesk.errors import UserError, ValidationError
from cmdesk.services.signin import SignInService
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon


@pytest.fixture
def masto() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


@pytest.fixture
def signin(ctx: AppContext) -> SignInService:
    return SignInService(ctx.connections)


def add_channel(ctx: AppContext, masto: FakeMastodon) -> int:
    ws = ctx.workspaces.create("Harbor", "UTC").subject
    assert ws is not None
    cid = ctx.connections.connect(
        ws, "mastodon", "M", base_url=masto.url, credentials={"access_token": DEFAULT_TOKEN}
    ).subject
    assert cid is not None
    return cid


def test_reconnect_stores_the_new_token_and_clears_the_health(
    ctx: AppContext, masto: FakeMastodon, signin: SignInService
) -> None:
    cid = add_channel(ctx, masto)
    ctx.channels.set_health(cid, "needs_reauth", "The access token is invalid.")
    masto.tokens["fresh-token"] = masto.alice  # a new token for the same account
    signin.reconnect(cid, {"access_token": "fresh-token"})
    channel = ctx.channels.get(cid)
    assert channel.health == "ok" and channel.health_detail == ""
    ref = ctx.channels.credential_ref(cid)
    assert ref is not None and "fresh-token" in (ctx.credentials.get_secret(ref) or "")


def test_reconnect_refuses_another_account_and_a_wrong_token(
    ctx: AppContext, masto: FakeMastodon, signin: SignInService
) -> None:
    cid = add_channel(ctx, masto)
    masto.add_account("bob", "bob-token")
    with pytest.raises(ValidationError, match="but this channel is @alice@"):
        signin.reconnect(cid, {"access_token": "bob-token"})
    with pytest.raises(UserError):
        signin.reconnect(cid, {"access_token": "revoked"})
    ref = ctx.channels.credential_ref(cid)
    assert ref is not None and DEFAULT_TOKEN in (ctx.credentials.get_secret(ref) or "")


def test_a_mastodon_sign_in_can_be_cancelled_and_stops_listening(
    masto: FakeMastodon, signin: SignInService
) -> None:
    flow = signin.begin_mastodon(masto.url)
    assert requests.get(flow.redirect_uri, timeout=2).status_code == 400  # listening
    flow.cancel()
    with pytest.raises(UserError, match="cancelled"):
        flow.wait(timeout=5)
    assert not flow.listening
    with pytest.raises(requests.ConnectionError):
        requests.get(flow.redirect_uri, timeout=2)


def test_bluesky_fields_are_checked_before_any_network_call(
    ctx: AppContext, signin: SignInService
) -> None:
    ws = ctx.workspaces.create("Harbor", "UTC").subject
    assert ws is not None
    with pytest.raises(ValidationError, match="handle"):
        signin.connect_bluesky(ws, "", "  ", "pw")
    with pytest.raises(ValidationError, match="app password"):
        signin.connect_bluesky(ws, "", "brand.bsky.social", " ")
    with pytest.raises(ValidationError, match="service"):
        signin.connect_bluesky(ws, "", "brand.bsky.social", "pw", "ftp://x")
