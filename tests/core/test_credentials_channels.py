"""Secrets go to the keyring only; without a usable keyring nothing is stored anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import KeyringCredentialStore, MemoryCredentialStore
from cmdesk.errors import CredentialError, ValidationError
from cmdesk.status import PostStatus, TargetState
from tests.core.helpers import channel, madrid, post, workspace
from tests.fakes.keyring_backend import MemoryKeyring

SECRET = "s3cr3t-token-that-must-not-leak"


@pytest.fixture
def keyring_ctx(db_url: str, clock: FakeClock) -> Iterator[AppContext]:
    context = build_context(db_url, clock=clock, credentials=KeyringCredentialStore())
    yield context
    context.close()


def test_secret_goes_to_the_keyring_and_never_to_the_database(
    keyring_ctx: AppContext, db_url: str
) -> None:
    wid = workspace(keyring_ctx)
    cid = keyring_ctx.channels.add(
        wid, "mastodon", "Masto", credentials={"access_token": SECRET}
    ).subject
    assert cid is not None
    (stored,) = MemoryKeyring.store.values()
    assert json.loads(stored) == {"access_token": SECRET}
    keyring_ctx.close()
    raw = Path(db_url.removeprefix("sqlite:///"))
    blobs = b"".join(p.read_bytes() for p in raw.parent.glob(raw.name + "*"))
    assert SECRET.encode() not in blobs
    dto = build_context(db_url, credentials=MemoryCredentialStore()).channels.get(cid)
    assert dto.has_credential
    assert SECRET not in repr(dto)


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring])
def test_no_usable_keyring_refuses_and_creates_nothing(
    keyring_ctx: AppContext, backend: type
) -> None:
    wid = workspace(keyring_ctx)
    keyring.set_keyring(backend())
    with pytest.raises(CredentialError, match="keyring") as info:
        keyring_ctx.channels.add(wid, "mastodon", "Masto", credentials={"access_token": SECRET})
    assert SECRET not in str(info.value)
    assert "gnome-keyring" in str(info.value)  # it says how to enable one
    assert keyring_ctx.channels.list(wid) == []


def test_plaintext_keyring_is_refused(keyring_ctx: AppContext) -> None:
    class PlaintextKeyring(MemoryKeyring):
        """Stands for keyrings.alt's plaintext file back end (by its module and name)."""

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    PlaintextKeyring.__qualname__ = "PlaintextKeyring"
    keyring.set_keyring(PlaintextKeyring())
    with pytest.raises(CredentialError, match="plain text"):
        KeyringCredentialStore().set_secret("channel:x", SECRET)
    assert MemoryKeyring.store == {}


def test_remove_channel_deletes_secret_and_cancels_queue(keyring_ctx: AppContext) -> None:
    ctx = keyring_ctx
    wid = workspace(ctx)
    cid = ctx.channels.add(wid, "bluesky", "Sky", credentials={"access_token": SECRET}).subject
    assert cid is not None
    pid = post(
        ctx, wid, channels=(cid,), at=madrid(date(2026, 3, 25), 9), status=PostStatus.SCHEDULED
    )
    changes = ctx.channels.remove(cid)
    assert MemoryKeyring.store == {}
    assert pid in changes.ids("post")
    detail = ctx.plan.get_post(pid)
    assert detail.targets[0].state == TargetState.CANCELLED
    assert ctx.channels.list(wid) == []
    assert ctx.channels.list(wid, include_removed=True)[0].removed


def test_channel_name_clash_and_unknown_network(ctx: AppContext) -> None:
    wid = workspace(ctx)
    channel(ctx, wid, "Masto")
    with pytest.raises(ValidationError, match="already has a channel"):
        channel(ctx, wid, "Masto")
    with pytest.raises(ValidationError, match="Unknown network"):
        ctx.channels.add(wid, "myspace", "Old")


def test_a_failed_add_leaves_no_secret_behind(ctx: AppContext) -> None:
    wid = workspace(ctx)
    channel(ctx, wid, "Masto")
    store = ctx.credentials
    assert isinstance(store, MemoryCredentialStore)
    with pytest.raises(ValidationError):
        ctx.channels.add(wid, "mastodon", "Masto", credentials={"access_token": SECRET})
    assert not any(SECRET in v for v in store._secrets.values())


def test_workspace_create_and_update(ctx: AppContext) -> None:
    wid = workspace(ctx, "Brand", "Europe/Madrid")
    with pytest.raises(ValidationError, match="already a workspace"):
        ctx.workspaces.create("Brand", "UTC")
    with pytest.raises(ValidationError, match="Unknown time zone"):
        ctx.workspaces.create("Other", "Europe/Atlantis")
    with pytest.raises(ValidationError, match="Unknown time zone"):
        ctx.workspaces.update(wid, timezone="Nowhere/Land")
    assert ctx.workspaces.get(wid).timezone == "Europe/Madrid"
    ctx.workspaces.update(wid, timezone="America/New_York", default_post_time="10:30")
    got = ctx.workspaces.get(wid)
    assert (got.timezone, got.default_post_time) == ("America/New_York", "10:30")
    with pytest.raises(ValidationError, match="HH:MM"):
        ctx.workspaces.update(wid, default_post_time="25:00")


def test_delete_workspace_removes_plan_and_secrets(keyring_ctx: AppContext) -> None:
    ctx = keyring_ctx
    wid = workspace(ctx)
    ctx.channels.add(wid, "mastodon", "Masto", credentials={"access_token": SECRET})
    post(ctx, wid)
    ctx.workspaces.delete(wid)
    assert ctx.workspaces.list() == []
    assert MemoryKeyring.store == {}
