"""The Mastodon adapter against FakeMastodon: publishing, retries, reconciliation, hand-off.

Every test talks to a real HTTP server on 127.0.0.1 (never the internet) through a session whose
timeouts are one second, so "the answer never came" cases stay fast.
"""

from __future__ import annotations

import contextlib
import copy
import socket
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cmdesk.adapters.base import (
    AmbiguousError,
    AuthExpired,
    ChannelRef,
    Dedupe,
    MediaItem,
    PermanentError,
    PostPart,
    PublishRequest,
    PublishResult,
    RateLimited,
    TransientError,
)
from cmdesk.adapters.http import NotSent, TimeoutSession
from cmdesk.adapters.mastodon import MastodonAdapter, detect_software
from cmdesk.clock import FakeClock
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon


class Creds:
    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.value: dict[str, Any] = {"access_token": token}

    def read(self) -> dict[str, Any]:
        return dict(self.value)

    def write(self, value: dict[str, Any]) -> None:
        raise AssertionError("Mastodon tokens never rotate")


class Outbox:
    """Plays the engine's part: keeps every checkpoint (deep copies, as a database would)."""

    def __init__(self) -> None:
        self.saved: list[dict[str, Any]] = []

    def __call__(self, state: Mapping[str, Any]) -> None:
        self.saved.append(copy.deepcopy(dict(state)))

    @property
    def state(self) -> dict[str, Any]:
        return self.saved[-1] if self.saved else {}


@pytest.fixture
def http() -> Iterator[TimeoutSession]:
    session = TimeoutSession((1.0, 1.0))
    yield session
    session.close()


@pytest.fixture
def adapter() -> MastodonAdapter:
    return MastodonAdapter(media_deadline=0.5, media_poll_interval=0.01)


@pytest.fixture
def server() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


@pytest.fixture
def gts() -> Iterator[FakeMastodon]:
    with FakeMastodon(software="gotosocial") as fake:
        yield fake


def connect(fake: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession) -> ChannelRef:
    """A channel whose limits were read from the server, as the connect flow stores them."""
    bare = ChannelRef(1, "mastodon", "Brand", "@alice", fake.url)
    info = adapter.verify(bare, Creds(), http)
    return ChannelRef(1, "mastodon", "Brand", info.handle, fake.url, info.limits)


def request(
    channel: ChannelRef,
    *parts: PostPart | str,
    state: Mapping[str, Any] | None = None,
    token: str = "target-7",
    **kwargs: Any,
) -> PublishRequest:
    return PublishRequest(
        target_id=7,
        channel=channel,
        parts=tuple(PostPart(p) if isinstance(p, str) else p for p in parts),
        idempotency_token=token,
        state=state or {},
        **kwargs,
    )


def posts(fake: FakeMastodon) -> list[str]:
    return [fake.source(s["id"])[0] for s in fake.statuses]


def creates(fake: FakeMastodon) -> list[Any]:
    return [r for r in fake.requests if r.method == "POST" and r.path == "/api/v1/statuses"]


def image(tmp_path: Path, name: str = "photo.png", size: int = 2048) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (size // 256))
    return path


# --- publishing -----------------------------------------------------------------------------------


def test_text_post_is_published_and_the_outbox_is_written_before_sending(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    outbox = Outbox()
    result = adapter.publish(request(channel, "Hello, fediverse"), Creds(), http, outbox)

    assert posts(server) == ["Hello, fediverse"]
    status = server.statuses[0]
    assert result.remote_id == status["id"] and result.url == status["url"]
    assert result.parts[0].remote_id == status["id"] and not result.handed_off
    assert result.published_at is not None
    # The checkpoint came before the create: the part is marked as possibly sent. It is the
    # only one: the engine records the result, and a resume resends with the same key.
    assert len(outbox.saved) == 1
    first = outbox.saved[0]["parts"][0]
    assert first["uncertain"] is True and first["remote_id"] is None
    assert creates(server)[0].headers["idempotency-key"] == "target-7-0"


def test_a_crash_after_the_only_checkpoint_resumes_without_posting_twice(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    outbox = Outbox()
    first = adapter.publish(request(channel, "Hello once"), Creds(), http, outbox)
    # The process died before the engine recorded the result: only the checkpoint is stored.
    again = adapter.publish(
        request(channel, "Hello once", state=outbox.state, attempt=2), Creds(), http, Outbox()
    )
    assert posts(server) == ["Hello once"]
    assert again.remote_id == first.remote_id and again.url == first.url
    assert [r.headers["idempotency-key"] for r in creates(server)] == ["target-7-0"] * 2


def test_without_idempotency_keys_the_result_is_stored_before_returning(
    gts: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(gts, adapter, http)
    outbox = Outbox()
    result = adapter.publish(request(channel, "Hello, GoToSocial"), Creds(), http, outbox)
    assert [s["parts"][0]["uncertain"] for s in outbox.saved] == [True, False]
    assert outbox.state["parts"][0]["remote_id"] == result.remote_id


def test_thread_is_a_reply_chain_with_one_key_per_part(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    outbox = Outbox()
    result = adapter.publish(request(channel, "one", "two", "three"), Creds(), http, outbox)

    statuses = server.statuses
    assert posts(server) == ["one", "two", "three"]
    assert statuses[0]["in_reply_to_id"] is None
    assert statuses[1]["in_reply_to_id"] == statuses[0]["id"]
    assert statuses[2]["in_reply_to_id"] == statuses[1]["id"]
    assert [p.remote_id for p in result.parts] == [s["id"] for s in statuses]
    assert [r.headers["idempotency-key"] for r in creates(server)] == [
        "target-7-0",
        "target-7-1",
        "target-7-2",
    ]
    assert outbox.state["published_parts"] == [s["id"] for s in statuses]


def test_visibility_content_warning_and_language_are_sent(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    options = {"visibility": "unlisted", "spoiler_text": "spoilers", "language": "es"}
    adapter.publish(request(channel, "a", "b", options=options), Creds(), http, Outbox())

    for status in server.statuses:
        assert status["visibility"] == "unlisted"
        assert status["spoiler_text"] == "spoilers" and status["sensitive"] is True
        assert status["language"] == "es"


def test_reply_to_an_existing_status(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    first = adapter.publish(request(channel, "question?"), Creds(), http, Outbox())
    adapter.publish(
        request(channel, "answer", token="t2", in_reply_to=first.remote_id), Creds(), http, Outbox()
    )
    assert server.statuses[1]["in_reply_to_id"] == first.remote_id


def test_media_with_alt_text_waits_for_processing(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession, tmp_path: Path
) -> None:
    server.media_processing_polls = 2  # 202, then 206 twice, then 200
    channel = connect(server, adapter, http)
    item = MediaItem(str(image(tmp_path)), "image/png", alt_text="A red bicycle")
    adapter.publish(request(channel, PostPart("With a photo", (item,))), Creds(), http, Outbox())

    media = server.statuses[0]["media_attachments"]
    assert len(media) == 1 and media[0]["description"] == "A red bicycle"
    assert media[0]["url"] is not None
    polls = [r.status for r in server.requests if r.path.startswith("/api/v1/media/")]
    assert polls == [206, 206, 200]
    upload = next(r for r in server.requests if r.path == "/api/v2/media")
    assert upload.status == 202 and upload.files == ("file",)


def test_media_processing_that_never_ends_is_a_clear_error_and_the_upload_is_reused(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession, tmp_path: Path
) -> None:
    server.media_never_finishes = True
    channel = connect(server, adapter, http)
    item = MediaItem(str(image(tmp_path)), "image/png", alt_text="x")
    req = request(channel, PostPart("photo", (item,)))
    outbox = Outbox()
    with pytest.raises(TransientError, match=r"still processing photo\.png"):
        adapter.publish(req, Creds(), http, outbox)
    assert server.statuses == []
    media_id = outbox.state["parts"][0]["media"][0]
    assert media_id is not None

    server.media_never_finishes = False
    server.media_processing_polls = 0
    adapter.publish(request(channel, req.parts[0], state=outbox.state), Creds(), http, outbox)
    assert [m["id"] for m in server.statuses[0]["media_attachments"]] == [media_id]
    assert sum(1 for r in server.requests if r.path == "/api/v2/media") == 1


def test_media_the_server_cannot_process_is_permanent(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession, tmp_path: Path
) -> None:
    server.media_processing_polls = 1
    server.media_processing_error = True
    channel = connect(server, adapter, http)
    item = MediaItem(str(image(tmp_path)), "image/png", alt_text="x")
    with pytest.raises(PermanentError, match=r"could not process photo\.png"):
        adapter.publish(request(channel, PostPart("p", (item,))), Creds(), http, Outbox())


def test_a_missing_file_says_so(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession, tmp_path: Path
) -> None:
    channel = connect(server, adapter, http)
    item = MediaItem(str(tmp_path / "gone.png"), "image/png", alt_text="x")
    with pytest.raises(PermanentError, match=r"gone\.png cannot be read"):
        adapter.publish(request(channel, PostPart("p", (item,))), Creds(), http, Outbox())
    assert server.statuses == []


# --- resuming -------------------------------------------------------------------------------------


class CrashError(Exception):
    """The process dies."""


def crash_when(condition: Any) -> tuple[Outbox, Any]:
    """An outbox whose write raises (the process dies) when ``condition(state)`` holds."""
    outbox = Outbox()

    def checkpoint(state: Mapping[str, Any]) -> None:
        if condition(state):
            raise CrashError
        outbox(state)

    return outbox, checkpoint


@pytest.mark.parametrize("software", ["mastodon", "gotosocial"])
def test_resume_after_a_crash_between_parts_makes_no_duplicates(
    software: str, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    with FakeMastodon(software=software) as fake:
        channel = connect(fake, adapter, http)
        # The process dies right after part 2 was created, before its id was stored.
        outbox, dying = crash_when(lambda s: s["parts"][1]["remote_id"] is not None)
        with pytest.raises(CrashError):
            adapter.publish(request(channel, "one", "two", "three"), Creds(), http, dying)
        assert posts(fake) == ["one", "two"]
        assert outbox.state["parts"][1]["uncertain"] is True

        result = adapter.publish(
            request(channel, "one", "two", "three", state=outbox.state), Creds(), http, outbox
        )
        statuses = fake.statuses
        assert posts(fake) == ["one", "two", "three"]
        assert statuses[2]["in_reply_to_id"] == statuses[1]["id"]
        assert [p.remote_id for p in result.parts] == [s["id"] for s in statuses]
        # Part 1 was never sent again; part 2 only with its own key where keys are honoured.
        keys = [r.headers["idempotency-key"] for r in creates(fake)]
        assert keys.count("target-7-0") == 1
        assert keys.count("target-7-1") == (2 if software == "mastodon" else 1)


def test_a_finished_state_returns_the_result_without_calling_the_server(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    outbox = Outbox()
    first = adapter.publish(request(channel, "a", "b"), Creds(), http, outbox)
    before = len(server.requests)
    again = adapter.publish(request(channel, "a", "b", state=outbox.state), Creds(), http, outbox)
    assert again == first
    assert len(server.requests) == before


def test_a_state_for_another_payload_that_may_have_gone_out_is_ambiguous(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    outbox = Outbox()
    adapter.publish(request(channel, "original"), Creds(), http, outbox)
    with pytest.raises(AmbiguousError, match="changed"):
        adapter.publish(request(channel, "edited", state=outbox.state), Creds(), http, Outbox())
    assert posts(server) == ["original"]


# --- rate limits and server errors ----------------------------------------------------------------


@pytest.mark.parametrize("software", ["mastodon", "gotosocial"])
def test_429_gives_the_reset_time_corrected_for_the_server_clock(
    software: str, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    # The server's clock is 10 minutes ahead; its reset (ISO on Mastodon, Unix seconds on
    # GoToSocial) is 30 s after *its* now, so the retry is 30 s after ours.
    with FakeMastodon(software=software, clock_skew=600) as fake:
        channel = connect(fake, adapter, http)
        fake.fail_next(1, 429, retry_in=30)
        outbox = Outbox()
        with pytest.raises(RateLimited) as caught:
            adapter.publish(request(channel, "hi"), Creds(), http, outbox)
        wait = (caught.value.retry_at - datetime.now(UTC)).total_seconds()
        assert 26 <= wait <= 31
        assert fake.requests[-1].status == 429
        assert fake.statuses == []
        assert outbox.state["parts"][0]["uncertain"] is False  # a 429 made nothing


def test_429_reset_headers_in_both_styles_are_read(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    for style, seconds in (("unix", 90), ("iso", 240)):
        server.fail_next(1, 429, retry_in=seconds, reset_style=style)
        with pytest.raises(RateLimited) as caught:
            adapter.publish(request(channel, "hi"), Creds(), http, Outbox())
        wait = (caught.value.retry_at - datetime.now(UTC)).total_seconds()
        assert seconds - 4 <= wait <= seconds + 1


def test_503_is_transient_and_the_retry_posts_once(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    server.fail_next(1, 503)
    outbox = Outbox()
    with pytest.raises(TransientError) as caught:
        adapter.publish(request(channel, "hi"), Creds(), http, outbox)
    assert not isinstance(caught.value, RateLimited)
    assert outbox.state["parts"][0]["uncertain"] is False
    adapter.publish(request(channel, "hi", state=outbox.state), Creds(), http, outbox)
    assert posts(server) == ["hi"]


def test_401_means_reconnect(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    with pytest.raises(AuthExpired, match="Reconnect"):
        adapter.publish(request(channel, "hi"), Creds("revoked"), http, Outbox())
    with pytest.raises(AuthExpired):
        adapter.verify(channel, Creds("revoked"), http)
    with pytest.raises(AuthExpired, match="no Mastodon sign-in"):
        adapter.publish(request(channel, "hi"), Creds(""), http, Outbox())


def test_422_is_permanent_with_the_servers_words_turned_into_an_action(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    server.max_characters = 10  # the server's limit dropped since the channel was connected
    with pytest.raises(PermanentError) as caught:
        adapter.publish(request(channel, "far too long for ten"), Creds(), http, Outbox())
    message = caught.value.message
    assert "character limit of 10 exceeded" in message and "reconnect the channel" in message
    assert server.statuses == []


def test_a_reply_to_a_deleted_post_is_permanent(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    with pytest.raises(PermanentError, match="may have been deleted"):
        adapter.publish(request(channel, "re", in_reply_to="999"), Creds(), http, Outbox())


# --- the answer never came ------------------------------------------------------------------------


@pytest.fixture
def blackhole() -> Iterator[str]:
    """An address whose listen queue is full: connecting times out (nothing is ever sent)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield f"http://127.0.0.1:{port}"
    for sock in [*fillers, listener]:
        sock.close()


def test_a_connect_timeout_is_not_sent(
    blackhole: str, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = ChannelRef(1, "mastodon", "B", "@a", blackhole, {"idempotency_key": False})
    outbox = Outbox()
    started = time.monotonic()
    with pytest.raises(NotSent):
        adapter.publish(request(channel, "hi"), Creds(), http, outbox)
    assert time.monotonic() - started < 5
    assert outbox.state["parts"][0]["uncertain"] is False  # safe to send again, no reconciling


@pytest.mark.parametrize("fault", ["drop", "slow", "malformed"])
def test_lost_answer_on_a_key_honouring_server_is_retried_with_the_same_key(
    fault: str, server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    server.fail_next(1, fault)  # the status is created, the answer is lost or broken
    outbox = Outbox()
    with pytest.raises(TransientError, match="same idempotency key"):
        adapter.publish(request(channel, "once only"), Creds(), http, outbox)
    assert outbox.state["parts"][0]["uncertain"] is True

    result = adapter.publish(
        request(channel, "once only", state=outbox.state), Creds(), http, outbox
    )
    assert posts(server) == ["once only"]
    assert result.remote_id == server.statuses[0]["id"]
    assert {r.headers["idempotency-key"] for r in creates(server)} == {"target-7-0"}


@pytest.mark.parametrize("fault", ["drop", "malformed"])
def test_lost_answer_on_gotosocial_is_reconciled_from_the_account(
    fault: str, gts: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(gts, adapter, http)
    gts.fail_next(1, fault)
    result = adapter.publish(
        request(channel, "look https://example.com/a/long/path @bob@other.example"),
        Creds(),
        http,
        Outbox(),
    )
    assert len(gts.statuses) == 1 and result.remote_id == gts.statuses[0]["id"]
    assert len(creates(gts)) == 1  # found, not sent again


def test_reconciling_without_the_source_endpoint_matches_the_rendered_text(
    gts: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    gts.source_endpoint = False
    channel = connect(gts, adapter, http)
    gts.fail_next(1, "drop")
    text = "Read https://example.com/a/very/long/path/indeed\n\nthanks @bob@other.example #tag"
    result = adapter.publish(request(channel, text), Creds(), http, Outbox())
    assert result.remote_id == gts.statuses[0]["id"] and len(creates(gts)) == 1


def test_lost_request_on_gotosocial_that_made_nothing_is_ambiguous(
    gts: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(gts, adapter, http)
    gts.fail_next(1, "drop", after_create=False)
    outbox = Outbox()
    with pytest.raises(AmbiguousError, match="cannot tell"):
        adapter.publish(request(channel, "did it?"), Creds(), http, outbox)
    assert gts.statuses == []

    # Asked again soon after, cmdesk still cannot be sure: the server may be writing it.
    with pytest.raises(AmbiguousError):
        adapter.publish(request(channel, "did it?", state=outbox.state), Creds(), http, outbox)
    assert len(creates(gts)) == 1


def test_once_the_send_has_settled_a_missing_status_is_sent_again(
    gts: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(gts, adapter, http)
    gts.fail_next(1, "drop", after_create=False)
    outbox = Outbox()
    with pytest.raises(AmbiguousError):
        adapter.publish(request(channel, "did it?"), Creds(), http, outbox)
    state = _aged(outbox.state, minutes=15)
    adapter.publish(request(channel, "did it?", state=state), Creds(), http, outbox)
    assert posts(gts) == ["did it?"]


def test_the_persons_word_that_it_did_not_go_out_resends_it(
    gts: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(gts, adapter, http)
    gts.fail_next(1, "drop", after_create=False)
    outbox = Outbox()
    with pytest.raises(AmbiguousError):
        adapter.publish(request(channel, "did it?"), Creds(), http, outbox)
    confirmed = {**outbox.state, "confirmed_not_sent": True}
    adapter.publish(request(channel, "did it?", state=confirmed), Creds(), http, outbox)
    assert posts(gts) == ["did it?"] and len(creates(gts)) == 2
    assert "confirmed_not_sent" not in outbox.state  # it applies to that one retry only


def test_an_identical_older_post_is_not_taken_for_this_one(
    gts: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(gts, adapter, http)
    gts.clock_skew = -3600  # yesterday's identical post, an hour old in the server's clock
    adapter.publish(request(channel, "Good morning", token="yesterday"), Creds(), http, Outbox())
    gts.clock_skew = 0
    gts.fail_next(1, "drop", after_create=False)
    with pytest.raises(AmbiguousError):
        adapter.publish(request(channel, "Good morning", token="today"), Creds(), http, Outbox())
    assert len(gts.statuses) == 1


def test_5xx_on_a_resent_key_is_checked_on_the_account(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    server.fail_next(1, "drop")  # created, answer lost
    outbox = Outbox()
    with pytest.raises(TransientError):
        adapter.publish(request(channel, "hello"), Creds(), http, outbox)
    # The resend with the same key hits mastodon#40399: a 500 instead of the status.
    server.fail_next(1, 500, after_create=False)
    result = adapter.publish(request(channel, "hello", state=outbox.state), Creds(), http, outbox)
    assert posts(server) == ["hello"] and result.remote_id == server.statuses[0]["id"]


def test_after_the_key_window_the_account_is_checked_instead_of_resending(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    server.fail_next(1, "drop")
    outbox = Outbox()
    with pytest.raises(TransientError):
        adapter.publish(request(channel, "late"), Creds(), http, outbox)
    state = _aged(outbox.state, minutes=55)  # past the 50-minute window: keys may be gone
    result = adapter.publish(request(channel, "late", state=state), Creds(), http, outbox)
    assert result.remote_id == server.statuses[0]["id"]
    assert len(creates(server)) == 1


def test_a_500_on_gotosocial_waits_then_reconciles(
    gts: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(gts, adapter, http)
    gts.fail_next(1, 502, after_create=True)  # a proxy timed out; the status was made
    outbox = Outbox()
    with pytest.raises(TransientError) as caught:
        adapter.publish(request(channel, "via proxy"), Creds(), http, outbox)
    assert caught.value.retry_after is not None and caught.value.retry_after >= 600
    result = adapter.publish(
        request(channel, "via proxy", state=outbox.state), Creds(), http, outbox
    )
    assert result.remote_id == gts.statuses[0]["id"] and len(creates(gts)) == 1


def test_dropped_media_upload_is_uploaded_again(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession, tmp_path: Path
) -> None:
    channel = connect(server, adapter, http)
    server.fail_next(1, "drop", method="POST", path="/api/v2/media", after_create=False)
    item = MediaItem(str(image(tmp_path)), "image/png", alt_text="x")
    req = request(channel, PostPart("p", (item,)))
    outbox = Outbox()
    with pytest.raises(TransientError, match=r"upload of photo\.png was cut off"):
        adapter.publish(req, Creds(), http, outbox)
    adapter.publish(request(channel, req.parts[0], state=outbox.state), Creds(), http, outbox)
    assert len(server.statuses) == 1 and len(server.statuses[0]["media_attachments"]) == 1


def _aged(state: Mapping[str, Any], *, minutes: int) -> dict[str, Any]:
    """The state as if its sends had happened ``minutes`` ago."""
    old = copy.deepcopy(dict(state))
    then = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")
    for part in old["parts"]:
        if part["first_sent_at"]:
            part["first_sent_at"] = part["last_sent_at"] = then.replace("+00:00", "Z")
    return old


# --- limits ---------------------------------------------------------------------------------------


def test_limits_are_read_from_instance_v2(adapter: MastodonAdapter, http: TimeoutSession) -> None:
    with FakeMastodon(max_characters=1000, max_media_attachments=6) as fake:
        channel = connect(fake, adapter, http)
    limits = channel.limits
    assert limits["instance_api"] == "v2" and limits["software"] == "mastodon"
    assert limits["max_characters"] == 1000 and limits["max_media_attachments"] == 6
    assert limits["idempotency_key"] is True and limits["native_scheduling"] is True
    assert limits["api_version"] == 2 and "video/mp4" in limits["supported_mime_types"]
    caps = adapter.capabilities(channel)
    assert caps.max_chars == 1000 and caps.media.max_count == 6
    assert caps.dedupe is Dedupe.IDEMPOTENCY_KEY and caps.native_scheduling
    assert caps.min_schedule_lead is not None and caps.min_schedule_lead > timedelta(minutes=5)
    assert channel.handle.startswith("@alice@")


def test_limits_fall_back_to_instance_v1(adapter: MastodonAdapter, http: TimeoutSession) -> None:
    with FakeMastodon(version="3.5.3", max_characters=700) as fake:
        fake.instance_v2_body = None  # a server from before v2: 404
        channel = connect(fake, adapter, http)
    assert channel.limits["instance_api"] == "v1" and channel.limits["max_characters"] == 700
    assert channel.limits["software"] == "mastodon"


def test_malformed_instance_json_keeps_mastodons_defaults(
    adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    with FakeMastodon(max_characters=900) as fake:
        fake.instance_v2_body = b'{"configuration": {"statuses": '
        channel = connect(fake, adapter, http)
        assert channel.limits["instance_api"] == "v1" and channel.limits["max_characters"] == 900
        fake.instance_v1_body = b"<html>maintenance</html>"
        channel = connect(fake, adapter, http)
    assert channel.limits["instance_api"] == "none" and channel.limits["max_characters"] == 500
    caps = adapter.capabilities(channel)
    assert caps.dedupe is Dedupe.NONE and not caps.native_scheduling  # trust nothing unknown


def test_odd_values_in_stored_limits_become_defaults(adapter: MastodonAdapter) -> None:
    channel = ChannelRef(1, "mastodon", "B", "@a", "https://x.test", {"max_characters": "lots"})
    assert adapter.capabilities(channel).max_chars == 500


def test_gotosocial_is_recognised_and_trusted_with_nothing(
    gts: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(gts, adapter, http)
    assert channel.limits["software"] == "gotosocial" and channel.limits["max_characters"] == 5000
    caps = adapter.capabilities(channel)
    assert caps.dedupe is Dedupe.NONE and not caps.native_scheduling


@pytest.mark.parametrize(
    ("instance", "software"),
    [
        ({"version": "4.3.2", "api_versions": {"mastodon": 2}}, "mastodon"),
        ({"version": "4.2.10+glitch"}, "mastodon"),
        ({"version": "0.17.3 git-8d3c1c8"}, "unknown"),
        ({"version": "3.5.3+0.17.3-git-8d3c1c8"}, "unknown"),
        ({"version": "4.0.2+hometown-1.1.1"}, "mastodon"),
        (
            {"version": "3.5.3+0.17.3", "source_url": "https://codeberg.org/x/gotosocial"},
            "gotosocial",
        ),
        ({"version": "2.7.2 (compatible; Pleroma 2.6.0)"}, "pleroma"),
        ({"version": "3.5.3 (compatible; Pixelfed 0.12.4)"}, "pixelfed"),
        ({"version": "4.0.0 (not true; really snac/2.75)"}, "snac"),
        ({}, "unknown"),
    ],
)
def test_software_detection(instance: dict[str, Any], software: str) -> None:
    assert detect_software(instance) == software


# --- validation and length ------------------------------------------------------------------------


def _channel(**limits: Any) -> ChannelRef:
    base = {"max_characters": 50, "max_media_attachments": 2, "image_size_limit": 1000}
    return ChannelRef(1, "mastodon", "B", "@a", "https://x.test", {**base, **limits})


def test_measure_counts_links_as_23_and_the_content_warning(adapter: MastodonAdapter) -> None:
    channel = _channel()
    url = "https://example.com/" + "x" * 80
    assert adapter.measure(channel, f"see {url}", {}) == 4 + 23
    assert adapter.measure(channel, "body", {"spoiler_text": "cw"}) == 6


def test_validate_reports_each_problem(adapter: MastodonAdapter, tmp_path: Path) -> None:
    channel = _channel()
    big = MediaItem(str(image(tmp_path)), "image/png", alt_text="ok", size_bytes=5000)
    no_alt = MediaItem("a.png", "image/png", size_bytes=10)
    odd = MediaItem("a.bmp", "image/bmp", alt_text="x", size_bytes=10)
    video = MediaItem("v.mp4", "video/mp4", alt_text="x", size_bytes=10)
    parts = (
        PostPart("y" * 45),  # fits alone, not with the warning
        PostPart(""),
        PostPart("media", (big, no_alt, odd)),
        PostPart("clip", (video, no_alt)),
    )
    problems = adapter.validate(channel, parts, {"spoiler_text": "a long warning"})
    codes = {(p.code, p.part) for p in problems}
    assert ("too_long", 0) in codes
    assert ("empty", 1) in codes
    assert {("too_many_media", 2), ("media_too_large", 2), ("unsupported_media_type", 2)} <= codes
    assert ("video_not_alone", 3) in codes
    missing_alt = [p for p in problems if p.code == "missing_alt"]
    assert missing_alt and all(not p.blocking for p in missing_alt)
    assert all(p.blocking for p in problems if p.code != "missing_alt")


def test_a_fitting_post_has_no_problems(adapter: MastodonAdapter) -> None:
    assert adapter.validate(_channel(), (PostPart("short"),), {"visibility": "public"}) == []
    bad = adapter.validate(_channel(), (PostPart("short"),), {"visibility": "everyone"})
    assert [p.code for p in bad] == ["bad_visibility"]


# --- hand-off to the server's scheduler -----------------------------------------------------------


def _due(minutes: float) -> datetime:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).replace(microsecond=0)


def test_hand_off_creates_a_scheduled_status(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    due = _due(30)
    outbox = Outbox()
    result = adapter.publish(request(channel, "later", scheduled_at=due), Creds(), http, outbox)
    assert result.handed_off and result.url is None and result.published_at is None
    [item] = server.scheduled
    assert result.remote_id == item["id"] and item["params"]["text"] == "later"
    assert datetime.fromisoformat(item["scheduled_at"].replace("Z", "+00:00")) == due
    assert server.statuses == []
    assert outbox.saved[0]["parts"][0]["uncertain"] is True  # checkpointed before sending


def test_hand_off_under_five_minutes_is_refused_without_sending(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    with pytest.raises(PermanentError, match="more than 5 minutes ahead"):
        adapter.publish(request(channel, "soon", scheduled_at=_due(4)), Creds(), http, Outbox())
    assert creates(server) == [] and server.scheduled == []


def test_hand_off_is_refused_for_threads_and_servers_that_cannot_schedule(
    gts: FakeMastodon, server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    with pytest.raises(PermanentError, match="cannot schedule posts itself"):
        adapter.publish(
            request(connect(gts, adapter, http), "x", scheduled_at=_due(30)),
            Creds(),
            http,
            Outbox(),
        )
    assert gts.statuses == []  # GoToSocial would have posted it at once
    with pytest.raises(PermanentError, match="not a thread"):
        adapter.publish(
            request(connect(server, adapter, http), "a", "b", scheduled_at=_due(30)),
            Creds(),
            http,
            Outbox(),
        )


def test_lost_answer_on_hand_off_is_found_among_scheduled_statuses(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    server.fail_next(1, "drop")
    due = _due(30)
    result = adapter.publish(request(channel, "later", scheduled_at=due), Creds(), http, Outbox())
    assert result.handed_off and [s["id"] for s in server.scheduled] == [result.remote_id]


def test_lost_hand_off_that_made_nothing_is_ambiguous_and_never_resent_blindly(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    server.fail_next(1, "drop", after_create=False)
    due = _due(30)
    outbox = Outbox()
    with pytest.raises(AmbiguousError, match="scheduled there"):
        adapter.publish(request(channel, "later", scheduled_at=due), Creds(), http, outbox)
    # A retry right away checks the list again instead of trusting the (ignored) key.
    with pytest.raises(AmbiguousError):
        adapter.publish(
            request(channel, "later", scheduled_at=due, state=outbox.state), Creds(), http, outbox
        )
    assert len(creates(server)) == 1 and server.scheduled == []


def test_check_handoff_tracks_the_scheduled_status_until_it_is_published(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    handed = adapter.publish(
        request(channel, "later", scheduled_at=_due(30)), Creds(), http, Outbox()
    )
    assert adapter.check_handoff(channel, Creds(), http, handed.remote_id) is None

    [status] = server.publish_scheduled()
    done = adapter.check_handoff(channel, Creds(), http, handed.remote_id)
    assert isinstance(done, PublishResult)
    assert done.remote_id == status["id"] and done.url == status["url"] and not done.handed_off


@pytest.mark.parametrize("with_media", [False, True])
def test_check_handoff_in_a_new_process_needs_the_frozen_payload(
    with_media: bool,
    server: FakeMastodon,
    adapter: MastodonAdapter,
    http: TimeoutSession,
    tmp_path: Path,
) -> None:
    channel = connect(server, adapter, http)
    due = _due(30)
    media = (MediaItem(str(image(tmp_path)), "image/png", alt_text="x"),) if with_media else ()
    handed = adapter.publish(
        request(channel, PostPart("later", media), scheduled_at=due), Creds(), http, Outbox()
    )
    server.publish_scheduled()
    fresh = MastodonAdapter()  # another process: it never saw the scheduled status
    with pytest.raises(AmbiguousError):
        fresh.check_handoff(channel, Creds(), http, handed.remote_id)
    done = fresh.check_handoff(
        channel, Creds(), http, handed.remote_id, text="later", scheduled_at=due
    )
    assert done is not None and done.remote_id == server.statuses[0]["id"]
    assert len(server.statuses[0]["media_attachments"]) == int(with_media)


def test_check_handoff_reports_a_scheduled_status_deleted_on_the_server(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    handed = adapter.publish(
        request(channel, "later", scheduled_at=_due(30)), Creds(), http, Outbox()
    )
    http.delete(
        f"{server.url}/api/v1/scheduled_statuses/{handed.remote_id}",
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
    )
    with pytest.raises(PermanentError, match="deleted there before its time"):
        adapter.check_handoff(channel, Creds(), http, handed.remote_id)


def test_a_thousand_creates_are_fast(server: FakeMastodon, http: TimeoutSession) -> None:
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    started = time.monotonic()
    for number in range(1000):
        http.post(f"{server.url}/api/v1/statuses", data={"status": f"n{number}"}, headers=headers)
    assert time.monotonic() - started < 4
    assert len(server.statuses) == 1000


def test_check_handoff_cannot_tell_when_too_much_was_posted_since(
    server: FakeMastodon, adapter: MastodonAdapter, http: TimeoutSession
) -> None:
    channel = connect(server, adapter, http)
    due = _due(30)
    handed = adapter.publish(request(channel, "later", scheduled_at=due), Creds(), http, Outbox())
    server.publish_scheduled()
    # An hour later (on both clocks), 210 other posts sit on top of it.
    server.clock_skew = 3600
    later = MastodonAdapter(clock=FakeClock(datetime.now(UTC) + timedelta(hours=1)))
    assert later.check_handoff(
        channel, Creds(), http, handed.remote_id, text="later", scheduled_at=due
    )
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    for number in range(210):
        http.post(f"{server.url}/api/v1/statuses", data={"status": f"n{number}"}, headers=headers)
    with pytest.raises(AmbiguousError, match="too much has been posted"):
        later.check_handoff(
            channel, Creds(), http, handed.remote_id, text="later", scheduled_at=due
        )
