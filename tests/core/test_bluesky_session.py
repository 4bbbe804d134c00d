"""Bluesky sessions against FakeBluesky: sign-in, the PDS from the DID document, refresh, failures."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from cmdesk.adapters.base import (
    AuthExpired,
    ChannelRef,
    PermanentError,
    RateLimited,
    TransientError,
)
from cmdesk.adapters.bluesky import BlueskyAdapter
from cmdesk.adapters.bluesky_session import IdentityResolver, pds_endpoint
from cmdesk.adapters.http import TimeoutSession
from cmdesk.clock import FakeClock
from tests.fakes.bluesky_server import FakeBluesky, MemoryCredentials

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
CREATE = "com.atproto.server.createSession"
REFRESH = "com.atproto.server.refreshSession"
PROFILE = "app.bsky.actor.getProfile"


@pytest.fixture
def bsky() -> Iterator[FakeBluesky]:
    with FakeBluesky() as server:
        yield server


@pytest.fixture
def http() -> Iterator[TimeoutSession]:
    with TimeoutSession((1, 1)) as session:
        yield session


def channel(server: FakeBluesky) -> ChannelRef:
    return ChannelRef(1, "bluesky", "Alice", server.handle, server.entryway_url)


def credentials(server: FakeBluesky, **extra: str) -> MemoryCredentials:
    return MemoryCredentials(
        {"identifier": server.handle, "app_password": server.password, **extra}
    )


def adapter(server: FakeBluesky, **kwargs: object) -> BlueskyAdapter:
    return BlueskyAdapter(clock=FakeClock(NOW), plc_url=server.plc_url, **kwargs)  # type: ignore[arg-type]


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_sign_in_stores_the_session_and_the_pds_from_the_plc_directory(
    bsky: FakeBluesky, http: TimeoutSession
) -> None:
    creds = credentials(bsky, note="kept")
    info = adapter(bsky).verify(channel(bsky), creds, http)

    assert (info.handle, info.display_name) == ("alice.test", "Alice")
    secret = creds.read()
    assert secret["did"] == bsky.did and secret["pds"] == bsky.pds_url
    assert secret["access_jwt"].startswith("access-") and secret["refresh_jwt"].startswith(
        "refresh-"
    )
    assert secret["note"] == "kept" and secret["app_password"] == bsky.password
    paths = [r.path for r in bsky.requests]
    assert any(p == f"/plc/{bsky.did}" for p in paths)
    assert any(p.startswith("/entryway/xrpc/" + CREATE) for p in paths)
    # Repository and app calls go to the PDS from the DID document, never to the entryway.
    assert [p for p in paths if p.startswith("/entryway/")] == [f"/entryway/xrpc/{CREATE}"]
    assert any(p.startswith(f"/pds/xrpc/{PROFILE}") for p in paths)


def test_a_stored_session_is_reused_without_signing_in_again(
    bsky: FakeBluesky, http: TimeoutSession
) -> None:
    creds = credentials(bsky)
    bluesky = adapter(bsky)
    bluesky.verify(channel(bsky), creds, http)
    bluesky.verify(channel(bsky), creds, http)
    # A second adapter (a restarted app) reads the session from the credential store.
    adapter(bsky).verify(channel(bsky), creds, http)
    assert bsky.calls(CREATE) == 1 and bsky.calls(PROFILE) == 3


def test_did_web_account_reads_its_pds_from_well_known(http: TimeoutSession) -> None:
    with FakeBluesky(did_method="web", include_did_doc=False) as server:
        creds = credentials(server)
        adapter(server, did_web_scheme="http").verify(channel(server), creds, http)
        assert server.did.startswith("did:web:127.0.0.1%3A")
        assert creds.read()["pds"] == server.pds_url
        assert "/.well-known/did.json" in [r.path for r in server.requests]


def test_directory_down_falls_back_to_the_did_doc_of_the_session(http: TimeoutSession) -> None:
    with FakeBluesky(include_did_doc=True) as server:
        creds = credentials(server)
        bluesky = BlueskyAdapter(clock=FakeClock(NOW), plc_url=closed_port_url())
        bluesky.verify(channel(server), creds, http)
        assert creds.read()["pds"] == server.pds_url


def test_directory_down_and_no_did_doc_is_transient(http: TimeoutSession) -> None:
    with FakeBluesky(include_did_doc=False) as server:
        creds = credentials(server)
        bluesky = BlueskyAdapter(clock=FakeClock(NOW), plc_url=closed_port_url())
        with pytest.raises(TransientError):
            bluesky.verify(channel(server), creds, http)
        assert "access_jwt" not in creds.read()


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ({"id": "#atproto_pds", "type": "AtprotoPersonalDataServer"}, "https://pds.example"),
        (
            {"id": "did:plc:x#atproto_pds", "type": "AtprotoPersonalDataServer"},
            "https://pds.example",
        ),
        ({"id": "#atproto_pds", "type": "SomethingElse"}, None),
        ({"id": "#bsky_fg", "type": "AtprotoPersonalDataServer"}, None),
    ],
)
def test_pds_endpoint_reads_the_atproto_pds_service(
    service: dict[str, str], expected: str | None
) -> None:
    doc = {"id": "did:plc:x", "service": [{**service, "serviceEndpoint": "https://pds.example/"}]}
    assert pds_endpoint(doc, "did:plc:x") == expected


def test_pds_endpoint_refuses_other_dids_and_schemes() -> None:
    service = {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer"}
    doc = {"id": "did:plc:y", "service": [{**service, "serviceEndpoint": "https://pds.example"}]}
    assert pds_endpoint(doc, "did:plc:x") is None
    doc = {"id": "did:plc:x", "service": [{**service, "serviceEndpoint": "ftp://pds.example"}]}
    assert pds_endpoint(doc, "did:plc:x") is None


def test_did_document_urls() -> None:
    resolver = IdentityResolver("https://plc.example/", did_web_scheme="https")
    assert resolver.document_url("did:plc:abc") == "https://plc.example/did:plc:abc"
    assert (
        resolver.document_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    )
    assert (
        resolver.document_url("did:web:localhost%3A8080")
        == "https://localhost:8080/.well-known/did.json"
    )
    with pytest.raises(PermanentError):
        resolver.document_url("did:web:example.com:user:alice")  # paths are not atproto
    with pytest.raises(PermanentError):
        resolver.document_url("did:key:z6Mk")


def test_expired_access_token_is_refreshed_once_and_the_new_pair_stored(
    bsky: FakeBluesky, http: TimeoutSession
) -> None:
    creds = credentials(bsky)
    bluesky = adapter(bsky)
    bluesky.verify(channel(bsky), creds, http)
    old = creds.read()
    bsky.expire_access_tokens()

    bluesky.verify(channel(bsky), creds, http)

    new = creds.read()
    assert bsky.calls(REFRESH) == 1 and bsky.calls(CREATE) == 1
    assert new["access_jwt"] != old["access_jwt"] and new["refresh_jwt"] != old["refresh_jwt"]
    # The refresh used the refresh token, and the retried call the new access token.
    refresh = next(r for r in bsky.requests if r.nsid == REFRESH)
    assert refresh.auth == old["refresh_jwt"]
    assert [r.auth for r in bsky.requests if r.nsid == PROFILE][-1] == new["access_jwt"]


def test_concurrent_refreshes_make_exactly_one_call(bsky: FakeBluesky) -> None:
    creds = credentials(bsky)
    bluesky = adapter(bsky)
    with TimeoutSession((1, 1)) as first:
        bluesky.verify(channel(bsky), creds, first)
    bsky.expire_access_tokens()
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with TimeoutSession((2, 2)) as own:
                start.wait()
                bluesky.verify(channel(bsky), creds, own)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert errors == []
    assert bsky.calls(REFRESH) == 1 and bsky.calls(CREATE) == 1
    stored = creds.read()
    assert stored["refresh_jwt"] == "refresh-2" and stored["access_jwt"] == "access-2"
    assert len(creds.writes) == 2  # the sign-in, then the one refresh


def test_revoked_refresh_token_falls_back_to_the_app_password(
    bsky: FakeBluesky, http: TimeoutSession
) -> None:
    creds = credentials(bsky)
    bluesky = adapter(bsky)
    bluesky.verify(channel(bsky), creds, http)
    bsky.expire_access_tokens()
    bsky.revoke_refresh_tokens()

    bluesky.verify(channel(bsky), creds, http)

    assert bsky.calls(REFRESH) == 1 and bsky.calls(CREATE) == 2
    refused = next(r for r in bsky.requests if r.nsid == REFRESH)
    assert refused.status == 400
    assert creds.read()["access_jwt"] == "access-2"


def test_wrong_app_password_asks_to_reconnect(bsky: FakeBluesky, http: TimeoutSession) -> None:
    creds = MemoryCredentials({"identifier": bsky.handle, "app_password": "wrong"})
    with pytest.raises(AuthExpired) as caught:
        adapter(bsky).verify(channel(bsky), creds, http)
    assert "app password" in caught.value.message and "reconnect" in caught.value.message
    assert creds.writes == []


def test_password_changed_after_the_refresh_token_died_is_auth_expired(
    bsky: FakeBluesky, http: TimeoutSession
) -> None:
    creds = credentials(bsky)
    bluesky = adapter(bsky)
    bluesky.verify(channel(bsky), creds, http)
    bsky.expire_access_tokens()
    bsky.revoke_refresh_tokens()
    bsky.password = "revoked-app-password"
    with pytest.raises(AuthExpired, match="app password"):
        bluesky.verify(channel(bsky), creds, http)


def test_no_app_password_stored_is_auth_expired(bsky: FakeBluesky, http: TimeoutSession) -> None:
    with pytest.raises(AuthExpired, match="No Bluesky app password"):
        adapter(bsky).verify(channel(bsky), MemoryCredentials({}), http)
    assert bsky.calls(CREATE) == 0


def test_taken_down_account_is_permanent_not_a_sign_in_problem(
    bsky: FakeBluesky, http: TimeoutSession
) -> None:
    bsky.taken_down = True
    with pytest.raises(PermanentError) as caught:
        adapter(bsky).verify(channel(bsky), credentials(bsky), http)
    assert not isinstance(caught.value, AuthExpired)
    assert "taken down" in caught.value.message


def test_sign_in_rate_limit_gives_the_reset_time(bsky: FakeBluesky, http: TimeoutSession) -> None:
    bsky.fail_next(1, 429, only=CREATE)
    clock = FakeClock(NOW)
    bluesky = BlueskyAdapter(clock=clock, plc_url=bsky.plc_url)
    with pytest.raises(RateLimited) as caught:
        bluesky.verify(channel(bsky), credentials(bsky), http)
    # The fake's reset is two minutes after its own clock; the skew to our fake clock is removed.
    wait = caught.value.retry_at - clock.now()
    assert timedelta(seconds=100) <= wait <= timedelta(seconds=125)


def test_entryway_unreachable_is_transient(bsky: FakeBluesky, http: TimeoutSession) -> None:
    down = ChannelRef(1, "bluesky", "Alice", bsky.handle, closed_port_url())
    with pytest.raises(TransientError):
        adapter(bsky).verify(down, credentials(bsky), http)


def test_entryway_without_a_scheme_gets_https_and_a_bad_scheme_is_permanent(
    bsky: FakeBluesky, http: TimeoutSession
) -> None:
    bad = ChannelRef(1, "bluesky", "Alice", bsky.handle, "ftp://bsky.example")
    with pytest.raises(PermanentError, match="not a valid address"):
        adapter(bsky).verify(bad, credentials(bsky), http)
