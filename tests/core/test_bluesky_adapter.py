"""The Bluesky adapter against FakeBluesky: records, facets, images, cards, threads, exactly once."""

from __future__ import annotations

import io
import random
import socket
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from cmdesk.adapters.base import (
    Adapter,
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
from cmdesk.adapters.bluesky import (
    TID_RE,
    BlueskyAdapter,
    TidGenerator,
    decode_tid,
    encode_tid,
)
from cmdesk.adapters.http import TimeoutSession
from cmdesk.adapters.registry import default_registry
from cmdesk.clock import FakeClock
from tests.fakes.bluesky_server import FakeBluesky, MemoryCredentials

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
PUT = "com.atproto.repo.putRecord"
UPLOAD = "com.atproto.repo.uploadBlob"


class Outbox:
    """The engine's side of ``checkpoint``: keeps the last state, optionally crashes."""

    def __init__(self, crash_when: Any = None) -> None:
        self.states: list[Mapping[str, Any]] = []
        self.crash_when = crash_when

    def __call__(self, state: Mapping[str, Any]) -> None:
        self.states.append(state)
        if self.crash_when is not None and self.crash_when(state):
            self.crash_when = None
            raise KeyboardInterrupt("simulated crash")  # not an AdapterError: nothing catches it

    @property
    def last(self) -> Mapping[str, Any]:
        return self.states[-1] if self.states else {}


@pytest.fixture
def bsky() -> Iterator[FakeBluesky]:
    with FakeBluesky() as server:
        server.add_handle("bob.test", "did:plc:bob")
        yield server


@pytest.fixture
def http() -> Iterator[TimeoutSession]:
    with TimeoutSession((1, 1)) as session:
        yield session


@pytest.fixture
def bluesky(bsky: FakeBluesky) -> BlueskyAdapter:
    return BlueskyAdapter(clock=FakeClock(NOW), plc_url=bsky.plc_url, link_timeout=0.5)


@pytest.fixture
def creds(bsky: FakeBluesky) -> MemoryCredentials:
    return MemoryCredentials({"identifier": bsky.handle, "app_password": bsky.password})


def request(server: FakeBluesky, *parts: PostPart, **kwargs: Any) -> PublishRequest:
    channel = ChannelRef(1, "bluesky", "Alice", server.handle, server.entryway_url)
    return PublishRequest(1, channel, parts, "token-1", **kwargs)


def covered(record: Mapping[str, Any], facet: Mapping[str, Any]) -> str:
    """The text a facet points at, cut by its UTF-8 byte offsets."""
    raw = str(record["text"]).encode("utf-8")
    return raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/page"


def noisy_image(path: Path, size: tuple[int, int], mode: str = "RGB", fmt: str = "PNG") -> Path:
    """An image that compresses badly, so it is well over a megabyte before fitting."""
    rng = random.Random(42)
    bands = len(mode)
    data = rng.randbytes(size[0] * size[1] * bands)
    Image.frombytes(mode, size, data).save(path, fmt)
    return path


def one_post(server: FakeBluesky) -> dict[str, Any]:
    posts = server.posts
    assert len(posts) == 1
    return next(iter(posts.values()))


# --- what the network takes ------------------------------------------------------------------


def test_registered_and_a_protocol_adapter() -> None:
    adapter = default_registry(plugins=False).get("bluesky")
    assert isinstance(adapter, BlueskyAdapter) and isinstance(adapter, Adapter)


def test_capabilities(bluesky: BlueskyAdapter, bsky: FakeBluesky) -> None:
    caps = bluesky.capabilities(request(bsky, PostPart("x")).channel)
    assert (caps.max_chars, caps.dedupe, caps.native_scheduling) == (300, Dedupe.RECORD_KEY, False)
    assert caps.media.max_count == 4 and caps.media.max_image_bytes == 1_000_000
    assert "3000 bytes" in caps.length_rule and caps.threads


def test_measure_counts_graphemes_and_respects_the_byte_limit(
    bluesky: BlueskyAdapter, bsky: FakeBluesky
) -> None:
    channel = request(bsky, PostPart("x")).channel
    assert bluesky.measure(channel, "👩‍👩‍👧‍👦 día", {}) == 5
    family = "👩‍👩‍👧‍👦"  # one grapheme, 25 bytes: 150 of them are 3750 bytes
    assert bluesky.measure(channel, family * 150, {}) > 300


def test_validate(bluesky: BlueskyAdapter, bsky: FakeBluesky, tmp_path: Path) -> None:
    channel = request(bsky, PostPart("x")).channel
    image = MediaItem(str(tmp_path / "a.png"), "image/png", alt_text="A cat")
    parts = (
        PostPart("ok", (image,) * 5),
        PostPart("á" * 301),
        PostPart("", ()),
        PostPart("video", (MediaItem(str(tmp_path / "v.mp4"), "video/mp4"),)),
        PostPart("no alt", (MediaItem(str(tmp_path / "b.png"), "image/png"),)),
    )
    problems = {(p.code, p.part, p.blocking) for p in bluesky.validate(channel, parts, {})}
    assert problems == {
        ("too_many_media", 0, True),
        ("too_long", 1, True),
        ("empty", 2, True),
        ("unsupported_media", 3, True),
        ("missing_alt", 4, False),
    }
    assert bluesky.validate(channel, (PostPart("Hola"),), {}) == []


# --- text and facets -------------------------------------------------------------------------


def test_text_post_with_facets_at_utf8_byte_offsets(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    page = bsky.add_page("p", "<html><head></head><body>no metadata</body></html>")
    text = f"東京 👩‍👩‍👧‍👦 café @bob.test ¡mira! {page} #日本語 y #fin"
    outbox = Outbox()

    result = bluesky.publish(request(bsky, PostPart(text)), creds, http, outbox)

    record = one_post(bsky)
    assert record["text"] == text and record["createdAt"] == "2026-03-20T10:00:00.000Z"
    facets = {covered(record, f): f["features"][0] for f in record["facets"]}
    assert facets == {
        "@bob.test": {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bob"},
        page: {"$type": "app.bsky.richtext.facet#link", "uri": page},
        "#日本語": {"$type": "app.bsky.richtext.facet#tag", "tag": "日本語"},
        "#fin": {"$type": "app.bsky.richtext.facet#tag", "tag": "fin"},
    }
    assert "embed" not in record  # the page had nothing to show on a card
    rkey = next(iter(bsky.posts))
    assert TID_RE.fullmatch(rkey)
    assert result.remote_id == f"at://{bsky.did}/app.bsky.feed.post/{rkey}"
    assert result.url == f"https://bsky.app/profile/{bsky.did}/post/{rkey}"
    assert outbox.last["parts"][0]["cid"] == bsky.cid_of(rkey)


def test_unresolvable_mention_stays_plain_text(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    bluesky.publish(request(bsky, PostPart("hi @nobody.test and @bob.test")), creds, http, Outbox())
    record = one_post(bsky)
    assert [covered(record, f) for f in record["facets"]] == ["@bob.test"]
    assert bsky.calls("com.atproto.identity.resolveHandle") == 2


def test_language_option_becomes_langs(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    bluesky.publish(
        request(bsky, PostPart("hola"), options={"language": "es"}), creds, http, Outbox()
    )
    assert one_post(bsky)["langs"] == ["es"]


# --- images ------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 4])
def test_images_are_fitted_to_a_megabyte_with_alt_and_aspect_ratio(
    count: int,
    bluesky: BlueskyAdapter,
    bsky: FakeBluesky,
    creds: MemoryCredentials,
    http: TimeoutSession,
    tmp_path: Path,
) -> None:
    big_png = noisy_image(tmp_path / "big.png", (1500, 1000))
    big_jpeg = noisy_image(tmp_path / "big.jpg", (2400, 1200), fmt="JPEG")
    assert big_png.stat().st_size > 1_000_000 and big_jpeg.stat().st_size > 1_000_000
    sources = [(big_png, (3, 2)), (big_jpeg, (2, 1))] * 2
    media = tuple(
        MediaItem(str(path), "image/png", alt_text=f"picture {i}")
        for i, (path, _) in enumerate(sources[:count])
    )

    bluesky.publish(request(bsky, PostPart("pictures", media)), creds, http, Outbox())

    embed = one_post(bsky)["embed"]
    assert embed["$type"] == "app.bsky.embed.images" and len(embed["images"]) == count
    for i, image in enumerate(embed["images"]):
        data, mime = bsky.blob(image["image"]["ref"]["$link"])
        assert len(data) <= 1_000_000 and image["image"]["size"] == len(data)
        assert mime == image["image"]["mimeType"] == "image/jpeg"
        assert image["alt"] == f"picture {i}"
        width, height = image["aspectRatio"]["width"], image["aspectRatio"]["height"]
        assert Image.open(io.BytesIO(data)).size == (width, height)
        assert width * height <= 2000 * 2000
        ratio = sources[i][1]
        assert abs(width / height - ratio[0] / ratio[1]) < 0.01


def test_transparent_image_stays_png_and_exif_is_dropped(
    bluesky: BlueskyAdapter,
    bsky: FakeBluesky,
    creds: MemoryCredentials,
    http: TimeoutSession,
    tmp_path: Path,
) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (300, 200), (255, 0, 0, 128)).save(logo)
    photo = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees
    Image.new("RGB", (400, 100), "blue").save(photo, exif=exif.tobytes())
    media = (MediaItem(str(logo), "image/png", "logo"), MediaItem(str(photo), "image/jpeg", "p"))

    bluesky.publish(request(bsky, PostPart("", media)), creds, http, Outbox())

    first, second = one_post(bsky)["embed"]["images"]
    assert first["image"]["mimeType"] == "image/png"
    data, _ = bsky.blob(second["image"]["ref"]["$link"])
    assert b"SecretCam" not in data and not Image.open(io.BytesIO(data)).getexif()
    # The orientation was applied to the pixels before the tag was dropped.
    assert second["aspectRatio"] == {"width": 100, "height": 400}


def test_unreadable_image_is_a_permanent_error(
    bluesky: BlueskyAdapter,
    bsky: FakeBluesky,
    creds: MemoryCredentials,
    http: TimeoutSession,
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    part = PostPart("x", (MediaItem(str(broken), "image/png", "alt"),))
    with pytest.raises(PermanentError, match="not an image"):
        bluesky.publish(request(bsky, part), creds, http, Outbox())
    assert bsky.posts == {}


# --- link cards --------------------------------------------------------------------------------


def test_link_card_with_title_description_and_thumb(
    bluesky: BlueskyAdapter,
    bsky: FakeBluesky,
    creds: MemoryCredentials,
    http: TimeoutSession,
    tmp_path: Path,
) -> None:
    picture = noisy_image(tmp_path / "og.png", (1200, 630))
    bsky.add_page("og.png", picture.read_bytes(), "image/png")
    page = bsky.add_page(
        "article",
        """<html><head><meta charset="utf-8"><title>Fallback</title>
        <meta property="og:title" content="Caf&eacute; &amp; más">
        <meta property="og:description" content="  A   long\n read ">
        <meta property="og:image" content="og.png"></head><body>…</body></html>""",
    )

    bluesky.publish(request(bsky, PostPart(f"Read {page} now")), creds, http, Outbox())

    external = one_post(bsky)["embed"]["external"]
    assert one_post(bsky)["embed"]["$type"] == "app.bsky.embed.external"
    assert (external["uri"], external["title"], external["description"]) == (
        page,
        "Café & más",
        "A long read",
    )
    data, mime = bsky.blob(external["thumb"]["ref"]["$link"])
    assert len(data) <= 1_000_000 and mime == "image/jpeg"
    assert Image.open(io.BytesIO(data)).size == (1200, 630)


def test_title_only_page_makes_a_card_without_thumb(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    page = bsky.add_page("t", "<html><head><title>Just a title</title></head></html>")
    bluesky.publish(request(bsky, PostPart(f"see {page}")), creds, http, Outbox())
    external = one_post(bsky)["embed"]["external"]
    assert (external["title"], external["description"]) == ("Just a title", "")
    assert "thumb" not in external


def test_unreachable_page_posts_without_a_card(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    url = closed_port_url()
    bluesky.publish(request(bsky, PostPart(f"broken link {url}")), creds, http, Outbox())
    record = one_post(bsky)
    assert "embed" not in record
    assert [f["features"][0]["uri"] for f in record["facets"]] == [url]


def test_slow_page_is_given_up_within_the_time_limit(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    page = bsky.add_page("slow", "<title>late</title>", delay=1.5)
    started = datetime.now(UTC)
    bluesky.publish(request(bsky, PostPart(f"slow {page}")), creds, http, Outbox())
    assert "embed" not in one_post(bsky)
    assert datetime.now(UTC) - started < timedelta(seconds=1.4)


def test_images_win_over_the_link_card(
    bluesky: BlueskyAdapter,
    bsky: FakeBluesky,
    creds: MemoryCredentials,
    http: TimeoutSession,
    tmp_path: Path,
) -> None:
    page = bsky.add_page("a", "<title>A page</title>")
    Image.new("RGB", (10, 10)).save(tmp_path / "x.png")
    part = PostPart(f"both {page}", (MediaItem(str(tmp_path / "x.png"), "image/png", "x"),))
    bluesky.publish(request(bsky, part), creds, http, Outbox())
    assert one_post(bsky)["embed"]["$type"] == "app.bsky.embed.images"
    assert "/pages/a" not in [r.nsid for r in bsky.requests]


# --- threads -------------------------------------------------------------------------------------


def test_thread_of_three_has_root_and_parent_refs(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    parts = (PostPart("1/3 start"), PostPart("2/3 middle"), PostPart("3/3 end"))
    result = bluesky.publish(request(bsky, *parts), creds, http, Outbox())

    assert len(result.parts) == 3 and result.remote_id == result.parts[0].remote_id
    rkeys = [p.remote_id.rsplit("/", 1)[1] for p in result.parts]
    assert rkeys == sorted(rkeys)  # TIDs increase
    posts = bsky.posts
    first = {"uri": result.parts[0].remote_id, "cid": bsky.cid_of(rkeys[0])}
    assert "reply" not in posts[rkeys[0]]
    assert posts[rkeys[1]]["reply"] == {"root": first, "parent": first}
    second = {"uri": result.parts[1].remote_id, "cid": bsky.cid_of(rkeys[1])}
    assert posts[rkeys[2]]["reply"] == {"root": first, "parent": second}


def test_reply_to_a_reply_keeps_the_conversation_root(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    root = {"uri": f"at://{bsky.did}/app.bsky.feed.post/3kaaaaaaaaa22", "cid": "bafyreiroot"}
    parent: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": "a reply"}
    parent["createdAt"] = "2026-03-01T00:00:00Z"
    parent["reply"] = {"root": root, "parent": root}
    cid = bsky.put_post("3kbbbbbbbbb22", parent)
    uri = f"at://{bsky.did}/app.bsky.feed.post/3kbbbbbbbbb22"

    bluesky.publish(request(bsky, PostPart("answer"), in_reply_to=uri), creds, http, Outbox())

    answer = next(r for k, r in bsky.posts.items() if r["text"] == "answer")
    assert answer["reply"] == {"root": root, "parent": {"uri": uri, "cid": cid}}


# --- exactly once ----------------------------------------------------------------------------


def test_crash_between_parts_resumes_without_duplicates(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    parts = (PostPart("one"), PostPart("two"), PostPart("three"))
    # Crash right after part two's record is frozen and stored, before it is written.
    outbox = Outbox(crash_when=lambda s: len(s["parts"]) > 1 and "record" in s["parts"][1])
    with pytest.raises(KeyboardInterrupt):
        bluesky.publish(request(bsky, *parts), creds, http, outbox)
    frozen = outbox.last["parts"][1]
    assert len(bsky.posts) == 1 and frozen["rkey"] not in bsky.posts

    later = BlueskyAdapter(clock=FakeClock(NOW + timedelta(hours=1)), plc_url=bsky.plc_url)
    result = later.publish(request(bsky, *parts, state=outbox.last), creds, http, outbox)

    posts = bsky.posts
    assert sorted(r["text"] for r in posts.values()) == ["one", "three", "two"]
    assert posts[frozen["rkey"]] == frozen["record"]  # written as frozen, not rebuilt
    assert posts[frozen["rkey"]]["createdAt"] == "2026-03-20T10:00:00.000Z"
    first_rkey = result.parts[0].remote_id.rsplit("/", 1)[1]
    puts = [r.status for r in bsky.requests if r.nsid == PUT]
    assert len(puts) == 3  # part one was not written again
    assert posts[result.parts[2].remote_id.rsplit("/", 1)[1]]["reply"]["root"]["uri"].endswith(
        first_rkey
    )


def test_crash_after_a_write_before_its_checkpoint_is_a_no_op_on_resume(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    outbox = Outbox(crash_when=lambda s: "uri" in s["parts"][0])
    with pytest.raises(KeyboardInterrupt):
        bluesky.publish(request(bsky, PostPart("once")), creds, http, outbox)
    state = outbox.states[-2]  # the engine crashed while storing the uri: it has the frozen one
    assert "uri" not in state["parts"][0]

    result = bluesky.publish(request(bsky, PostPart("once"), state=state), creds, http, Outbox())

    assert len(bsky.posts) == 1 and bsky.calls(PUT) == 2
    assert result.remote_id.endswith(state["parts"][0]["rkey"])


@pytest.mark.parametrize("mode", ["drop_after", "drop_before", "slow", "malformed", 503, 500])
def test_ambiguous_or_server_failures_retry_to_exactly_one_record(
    mode: int | str,
    bluesky: BlueskyAdapter,
    bsky: FakeBluesky,
    creds: MemoryCredentials,
    http: TimeoutSession,
) -> None:
    bsky.fail_next(1, mode, only=PUT)
    outbox = Outbox()
    req = request(bsky, PostPart("exactly once, with 🎉"))
    with pytest.raises(TransientError) as caught:
        bluesky.publish(req, creds, http, outbox)
    assert not isinstance(caught.value, RateLimited)
    frozen = outbox.last["parts"][0]

    result = bluesky.publish(request(bsky, req.parts[0], state=outbox.last), creds, http, outbox)

    posts = bsky.posts
    assert list(posts) == [frozen["rkey"]] and posts[frozen["rkey"]] == frozen["record"]
    assert result.remote_id.endswith(frozen["rkey"])
    assert bsky.calls(PUT) == 2


def test_blob_deleted_before_the_retry_is_uploaded_again(
    bluesky: BlueskyAdapter,
    bsky: FakeBluesky,
    creds: MemoryCredentials,
    http: TimeoutSession,
    tmp_path: Path,
) -> None:
    Image.new("RGB", (64, 48), "green").save(tmp_path / "g.png")
    part = PostPart("green", (MediaItem(str(tmp_path / "g.png"), "image/png", "green"),))
    bsky.fail_next(1, 503, only=PUT)
    outbox = Outbox()
    with pytest.raises(TransientError):
        bluesky.publish(request(bsky, part), creds, http, outbox)
    frozen = outbox.last["parts"][0]
    bsky.forget_blobs()  # hours later the PDS dropped the unused upload

    bluesky.publish(request(bsky, part, state=outbox.last), creds, http, outbox)

    record = one_post(bsky)
    assert bsky.calls(UPLOAD) == 2
    assert record["createdAt"] == frozen["record"]["createdAt"]
    assert record["embed"]["images"][0]["image"] == frozen["record"]["embed"]["images"][0]["image"]
    assert next(iter(bsky.posts)) == frozen["rkey"]


def test_different_record_under_our_key_is_refused_not_overwritten(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    outbox = Outbox(crash_when=lambda s: "record" in s["parts"][0])
    with pytest.raises(KeyboardInterrupt):
        bluesky.publish(request(bsky, PostPart("mine")), creds, http, outbox)
    rkey = outbox.last["parts"][0]["rkey"]
    other = {
        "$type": "app.bsky.feed.post",
        "text": "someone else's",
        "createdAt": "2026-03-01T00:00:00Z",
    }
    bsky.put_post(rkey, other)

    with pytest.raises(PermanentError, match="did not overwrite"):
        bluesky.publish(request(bsky, PostPart("mine"), state=outbox.last), creds, http, Outbox())
    assert bsky.posts[rkey] == other


def test_expired_token_during_publish_refreshes_once(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    bluesky.verify(request(bsky, PostPart("x")).channel, creds, http)
    bsky.expire_access_tokens()
    bluesky.publish(request(bsky, PostPart("after expiry")), creds, http, Outbox())
    assert one_post(bsky)["text"] == "after expiry"
    assert bsky.calls("com.atproto.server.refreshSession") == 1


def test_rate_limit_gives_retry_at_from_the_reset_header(
    bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    clock = FakeClock(NOW)
    bluesky = BlueskyAdapter(clock=clock, plc_url=bsky.plc_url)
    bsky.fail_next(1, 429, only=PUT)
    outbox = Outbox()
    with pytest.raises(RateLimited) as caught:
        bluesky.publish(request(bsky, PostPart("busy")), creds, http, outbox)
    wait = caught.value.retry_at - clock.now()
    assert timedelta(seconds=100) <= wait <= timedelta(seconds=125)
    assert bsky.posts == {} and "rkey" in outbox.last["parts"][0]


def test_invalid_request_is_permanent_with_the_server_message(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    with pytest.raises(PermanentError) as caught:
        bluesky.publish(request(bsky, PostPart("x" * 301)), creds, http, Outbox())
    assert "300 graphemes" in caught.value.message
    assert bsky.posts == {}


def test_state_of_another_account_is_refused(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    state = {"v": 1, "repo": "did:plc:someoneelse", "parts": [{}]}
    with pytest.raises(PermanentError, match="different Bluesky account"):
        bluesky.publish(request(bsky, PostPart("x"), state=state), creds, http, Outbox())
    assert bsky.calls(PUT) == 0


def test_a_finished_state_publishes_nothing_more(
    bluesky: BlueskyAdapter, bsky: FakeBluesky, creds: MemoryCredentials, http: TimeoutSession
) -> None:
    outbox = Outbox()
    first: PublishResult = bluesky.publish(request(bsky, PostPart("done")), creds, http, outbox)
    again = bluesky.publish(request(bsky, PostPart("done"), state=outbox.last), creds, http, outbox)
    assert again.remote_id == first.remote_id and bsky.calls(PUT) == 1


# --- record keys -----------------------------------------------------------------------------


@given(st.integers(0, 2**53 - 1), st.integers(0, 1023))
def test_tid_round_trips_and_has_the_spec_format(micros: int, clock_id: int) -> None:
    tid = encode_tid(micros, clock_id)
    assert len(tid) == 13 and TID_RE.fullmatch(tid)
    assert decode_tid(tid) == (micros, clock_id)


@given(st.integers(0, 2**53 - 2), st.integers(1, 2**40), st.integers(0, 1023), st.integers(0, 1023))
def test_tid_string_order_is_time_order(micros: int, step: int, c1: int, c2: int) -> None:
    later = min(micros + step, 2**53 - 1)
    assert encode_tid(micros, c1) < encode_tid(later, c2)


@given(st.lists(st.integers(0, 2**52), min_size=1, max_size=50))
def test_tid_generator_increases_even_when_the_clock_goes_back(readings: list[int]) -> None:
    clock = iter(readings)
    generator = TidGenerator(clock_id=7, micros=lambda: next(clock))
    tids = [generator.next() for _ in readings]
    assert tids == sorted(set(tids))
    assert all(decode_tid(t)[1] == 7 for t in tids)


def test_known_tid_and_bounds() -> None:
    assert encode_tid(0, 0) == "2222222222222"  # the spec's zero
    assert decode_tid("3jzfcijpj2z2a")[0] // 1_000_000 > 1_600_000_000  # the spec's example, 2022+
    with pytest.raises(ValueError):
        encode_tid(2**53, 0)
    with pytest.raises(ValueError):
        decode_tid("kzzzzzzzzzzzz")  # top bit set
