"""The Bluesky adapter: posts, images, link cards and threads on an AT Protocol PDS, exactly once.

**Exactly once** (``reference/networks.md`` 2.3). Every post of a thread gets a record key chosen
here, a TID, and its whole record (``createdAt``, text, facets, embed with blob references, reply
references) is frozen and handed to ``checkpoint`` *before* it is written with
``com.atproto.repo.putRecord``. Writing the identical record under the same key again is a no-op
that answers the same ``uri``/``cid``, so any retry (timeout, dropped connection, 5xx, crash) just
writes the stored record again; nothing is ever rebuilt, and parts whose ``uri``/``cid`` are stored
are skipped. ``swapRecord: null`` asks the PDS to refuse (``InvalidSwap``) rather than overwrite a
*different* record under our key; an identical one is still a no-op, since the PDS compares CIDs
before it checks the swap (atproto ``putRecord.ts``).

**The outbox state** this adapter checkpoints::

    {"v": 1, "repo": "did:plc:...",
     "parts": [{"rkey": "3l...", "record": {...}, "uri": "at://...", "cid": "bafy..."}, ...]}

``uri``/``cid`` appear once a part is written.

Text length and facets come from :mod:`cmdesk.text.bluesky`; sessions, the PDS address and error
mapping from :mod:`cmdesk.adapters.bluesky_session`; image fitting and link previews from
:mod:`cmdesk.media`.
"""

from __future__ import annotations

import copy
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import requests

from cmdesk.adapters import bluesky_inbox, bluesky_metrics, bluesky_search
from cmdesk.adapters.base import (
    AccountInfo,
    Capabilities,
    ChannelRef,
    Checkpoint,
    CredentialHandle,
    Dedupe,
    MediaItem,
    MediaRules,
    NoticeBatch,
    PermanentError,
    PostPart,
    Problem,
    PublishRequest,
    PublishResult,
    RemotePost,
    ThreadPost,
    TransientError,
)
from cmdesk.adapters.bluesky_session import (
    DEFAULT_PLC_DIRECTORY,
    BlueskyRefused,
    IdentityResolver,
    SessionManager,
    XrpcClient,
)
from cmdesk.adapters.metrics import Metrics
from cmdesk.adapters.search import SearchBatch
from cmdesk.clock import Clock, SystemClock
from cmdesk.media import ImageError, fetch_bytes, fit_image, fit_image_bytes, read_link_preview
from cmdesk.text.bluesky import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    FacetKind,
    bluesky_measure,
    build_facets,
    check_bluesky,
    detect_facets,
)
from cmdesk.text.graphemes import count_graphemes

POST = "app.bsky.feed.post"
#: 1,000,000 bytes: the images lexicon now allows 2 MB, but older PDSs and AppViews (and the
#: link-card thumb, still 1 MB) do not; 2000 x 2000 is what the official app sends (2.5).
MAX_IMAGE_BYTES = 1_000_000
MAX_IMAGE_PIXELS = 2000 * 2000
MAX_IMAGES = 4
#: The lexicon sets no limit on alt text; the official app stops at 2000 characters.
MAX_ALT_GRAPHEMES = 2000
#: A picture fetched for a link card may be this large before it is made to fit.
MAX_THUMB_SOURCE_BYTES = 10_000_000
PLC_URL_ENV = "CMDESK_BLUESKY_PLC_URL"
STATE_VERSION = 1

# --- record keys ------------------------------------------------------------------------------

_S32 = "234567abcdefghijklmnopqrstuvwxyz"
#: atproto spec "Timestamp Identifiers": the top bit is 0, so the first character is at most 'j'.
TID_RE = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")


def encode_tid(micros: int, clock_id: int) -> str:
    """A TID: 53 bits of microseconds since the epoch, then a 10-bit clock id, base32-sortable.

    Always 13 characters, so string order is time order (atproto spec; ``common-web/src/tid.ts``).
    """
    if not 0 <= micros < 1 << 53 or not 0 <= clock_id < 1 << 10:
        raise ValueError(f"out of range for a TID: {micros=}, {clock_id=}")
    value = (micros << 10) | clock_id
    return "".join(_S32[(value >> shift) & 31] for shift in range(60, -1, -5))


def decode_tid(tid: str) -> tuple[int, int]:
    """``(microseconds, clock id)`` of a TID."""
    if not TID_RE.fullmatch(tid):
        raise ValueError(f"not a TID: {tid!r}")
    value = 0
    for char in tid:
        value = value << 5 | _S32.index(char)
    return value >> 10, value & 0x3FF


class TidGenerator:
    """Strictly increasing TIDs from one random clock id, even if the system clock steps back.

    BD ``timestamps.md``: a TID is not validated by the network but should increase, which keeps
    the repository's tree efficient.
    """

    def __init__(
        self,
        clock_id: int | None = None,
        micros: Callable[[], int] = lambda: time.time_ns() // 1000,
    ) -> None:
        self.clock_id = secrets.randbelow(1024) if clock_id is None else clock_id
        self._micros = micros
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            self._last = max(self._micros(), self._last + 1)
            return encode_tid(self._last, self.clock_id)


def _iso_z(when: datetime) -> str:
    """``createdAt`` with a time zone, as ``...Z`` with milliseconds (BD ``posts.md``)."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- the adapter ------------------------------------------------------------------------------


class BlueskyAdapter:
    """Bluesky through an app password (networks.md section 2)."""

    network = "bluesky"
    display_name = "Bluesky"

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        plc_url: str | None = None,
        did_web_scheme: str = "https",
        link_timeout: float = 5.0,
        tids: TidGenerator | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        # The PLC directory comes from the environment when not given, so the engine's daemon
        # (another process) can be pointed at a fake directory in end-to-end tests.
        plc = plc_url or os.environ.get(PLC_URL_ENV) or DEFAULT_PLC_DIRECTORY
        self._sessions = SessionManager(IdentityResolver(plc, did_web_scheme), self._clock.now)
        self._link_timeout = link_timeout
        self._tids = tids or TidGenerator()

    # --- what the network takes ---

    def capabilities(self, channel: ChannelRef) -> Capabilities:
        return Capabilities(
            network=self.network,
            max_chars=BLUESKY_MAX_GRAPHEMES,
            length_rule=f"{BLUESKY_MAX_GRAPHEMES} graphemes and {BLUESKY_MAX_BYTES} bytes",
            media=MediaRules(
                max_count=MAX_IMAGES,
                max_image_bytes=MAX_IMAGE_BYTES,
                max_video_bytes=0,
                video_types=frozenset(),  # video needs app.bsky.video; not supported yet
                max_alt_chars=MAX_ALT_GRAPHEMES,
                max_image_pixels=MAX_IMAGE_PIXELS,
            ),
            threads=True,
            native_scheduling=False,  # 2.9: a future createdAt does not delay a post
            dedupe=Dedupe.RECORD_KEY,
            languages=True,
        )

    def measure(self, channel: ChannelRef, text: str, options: Mapping[str, Any]) -> int:
        # Graphemes, raised past 300 when the 3000-byte limit is what binds (cmdesk.text.bluesky).
        return bluesky_measure(text)

    def validate(
        self, channel: ChannelRef, parts: tuple[PostPart, ...], options: Mapping[str, Any]
    ) -> list[Problem]:
        problems: list[Problem] = []
        for index, part in enumerate(parts):
            if not part.text.strip() and not part.media:
                problems.append(Problem("empty", "This post has no text and no image.", index))
            problems.extend(Problem("too_long", p.message, index) for p in check_bluesky(part.text))
            if len(part.media) > MAX_IMAGES:
                problems.append(
                    Problem("too_many_media", f"Bluesky takes at most {MAX_IMAGES} images.", index)
                )
            for item in part.media:
                problems.extend(self._media_problems(item, index))
        return problems

    @staticmethod
    def _media_problems(item: MediaItem, index: int) -> list[Problem]:
        name = os.path.basename(item.path)
        if not item.mime_type.startswith("image/"):
            message = f"cmdesk posts only images to Bluesky, not {name}."
            return [Problem("unsupported_media", message, index)]
        if not item.alt_text.strip():
            message = f"{name} has no alt text; people using screen readers will miss it."
            return [Problem("missing_alt", message, index, blocking=False)]
        if count_graphemes(item.alt_text) > MAX_ALT_GRAPHEMES:
            message = f"The alt text of {name} is over {MAX_ALT_GRAPHEMES} characters."
            return [Problem("alt_too_long", message, index, blocking=False)]
        return []

    # --- account ---

    def verify(
        self, channel: ChannelRef, credentials: CredentialHandle, http: requests.Session
    ) -> AccountInfo:
        xrpc = XrpcClient(self._sessions, channel, credentials, http)
        try:
            profile = xrpc.query("app.bsky.actor.getProfile", {"actor": xrpc.session.did})
        except BlueskyRefused:
            # A PDS without an AppView answers app.bsky.* with 400 (section 12): the sign-in
            # worked, which is what verify must establish.
            profile = {}
        if not isinstance(profile, Mapping):
            profile = {}
        handle = str(profile.get("handle") or xrpc.session.handle)
        return AccountInfo(
            handle=handle,
            display_name=str(profile.get("displayName") or handle),
            url=f"https://bsky.app/profile/{handle}",
        )

    # --- inbox (cmdesk.adapters.bluesky_inbox) ---

    def fetch_notifications(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        cursor: str | None,
    ) -> NoticeBatch:
        xrpc = XrpcClient(self._sessions, channel, credentials, http)
        return bluesky_inbox.fetch_notifications(xrpc, cursor)

    def fetch_context(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        remote_id: str,
    ) -> tuple[ThreadPost, ...]:
        xrpc = XrpcClient(self._sessions, channel, credentials, http)
        return bluesky_inbox.fetch_context(xrpc, remote_id)

    def mark_seen(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        marks: Sequence[str],
    ) -> bool:
        """``updateSeen`` up to the newest fetched notification (cmdesk.adapters.seen)."""
        xrpc = XrpcClient(self._sessions, channel, credentials, http)
        return bluesky_inbox.mark_seen(xrpc, marks)

    def search(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        kind: str,
        text: str,
        cursor: str | None,
    ) -> SearchBatch:
        """SearchPosts (cmdesk.adapters.bluesky_search); hashtags through ``tag``."""
        xrpc = XrpcClient(self._sessions, channel, credentials, http)
        return bluesky_search.search(xrpc, kind, text, cursor)

    def fetch_metrics(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        remote_ids: Sequence[str],
    ) -> dict[str, Metrics]:
        xrpc = XrpcClient(self._sessions, channel, credentials, http)
        return bluesky_metrics.fetch_metrics(xrpc, remote_ids)

    # --- publishing ---

    def publish(
        self,
        request: PublishRequest,
        credentials: CredentialHandle,
        http: requests.Session,
        checkpoint: Checkpoint,
    ) -> PublishResult:
        if request.scheduled_at is not None:
            raise PermanentError("Bluesky cannot schedule posts on its side; cmdesk must send it.")
        if not request.parts:
            raise PermanentError("There is nothing to publish.")
        xrpc = XrpcClient(self._sessions, request.channel, credentials, http)
        did = xrpc.session.did
        state = _load_state(request.state, len(request.parts))
        if state.setdefault("repo", did) != did:
            raise PermanentError(
                "This channel now signs in to a different Bluesky account than when this post "
                "started going out; check both accounts before publishing it again.",
                detail=f"{state['repo']} != {did}",
            )
        entries: list[dict[str, Any]] = state["parts"]
        for index, part in enumerate(request.parts):
            entry = entries[index]
            if entry.get("uri") and entry.get("cid"):
                continue  # written by an earlier attempt
            if not entry.get("record") or not entry.get("rkey"):
                entry["record"] = self._build_record(xrpc, request, index, entries)
                entry["rkey"] = self._tids.next()
                checkpoint(copy.deepcopy(state))  # the outbox: stored before it is sent (2.3)
            entry["uri"], entry["cid"] = self._write(xrpc, entry, part, state, checkpoint)
            checkpoint(copy.deepcopy(state))
        posts = tuple(
            RemotePost(e["uri"], f"https://bsky.app/profile/{did}/post/{e['rkey']}")
            for e in entries[: len(request.parts)]
        )
        return PublishResult(
            remote_id=posts[0].remote_id,
            url=posts[0].url,
            parts=posts,
            published_at=self._clock.now(),
        )

    def _write(
        self,
        xrpc: XrpcClient,
        entry: dict[str, Any],
        part: PostPart,
        state: dict[str, Any],
        checkpoint: Checkpoint,
    ) -> tuple[str, str]:
        for attempt in (1, 2):
            body = {
                "repo": xrpc.session.did,
                "collection": POST,
                "rkey": entry["rkey"],
                "record": entry["record"],
                "swapRecord": None,  # refuse to overwrite a different record under our key
            }
            try:
                answer = xrpc.procedure("com.atproto.repo.putRecord", body=body)
            except BlueskyRefused as exc:
                if exc.error != "BlobNotFound" or attempt == 2:
                    raise _refused(exc) from None
                # The PDS deletes an upload not used "within a time window" (uploadBlob.json). An
                # identical stored record would have been a no-op, so the record is not there:
                # its embed may be made again (only the embed; text, facets, createdAt stay).
                embed = self._embed(xrpc, part)
                entry["record"].pop("embed", None)
                if embed is not None:
                    entry["record"]["embed"] = embed
                checkpoint(copy.deepcopy(state))
                continue
            if isinstance(answer, Mapping):
                uri, cid = answer.get("uri"), answer.get("cid")
                if isinstance(uri, str) and isinstance(cid, str) and uri and cid:
                    return uri, cid
            raise TransientError("Bluesky answered a post without its address; trying again.")
        raise AssertionError("unreachable")  # pragma: no cover

    def _build_record(
        self,
        xrpc: XrpcClient,
        request: PublishRequest,
        index: int,
        entries: list[dict[str, Any]],
    ) -> dict[str, Any]:
        part = request.parts[index]
        record: dict[str, Any] = {
            "$type": POST,
            "text": part.text,
            "createdAt": _iso_z(self._clock.now()),
        }
        facets = build_facets(detect_facets(part.text), lambda h: self._resolve_handle(xrpc, h))
        if facets:
            record["facets"] = facets
        language = request.options.get("language")
        if isinstance(language, str) and language:
            record["langs"] = [language]
        reply = self._reply(xrpc, request, index, entries)
        if reply is not None:
            record["reply"] = reply
        embed = self._embed(xrpc, part)
        if embed is not None:
            record["embed"] = embed
        return record

    @staticmethod
    def _resolve_handle(xrpc: XrpcClient, handle: str) -> str | None:
        """A mention's DID, or ``None`` so it stays plain text (2.4); network errors propagate."""
        try:
            answer = xrpc.query("com.atproto.identity.resolveHandle", {"handle": handle})
        except BlueskyRefused:
            return None  # 400 "Unable to resolve handle" / HandleNotFound
        did = answer.get("did") if isinstance(answer, Mapping) else None
        return did if isinstance(did, str) else None

    def _reply(
        self,
        xrpc: XrpcClient,
        request: PublishRequest,
        index: int,
        entries: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        """``reply {root, parent}`` (2.6): the thread's first post and the one before."""
        if index > 0:
            first, parent = entries[0], entries[index - 1]
            root = first.get("record", {}).get("reply", {}).get("root")
            return {
                "root": root or {"uri": first["uri"], "cid": first["cid"]},
                "parent": {"uri": parent["uri"], "cid": parent["cid"]},
            }
        if not request.in_reply_to:
            return None
        return self._reply_to(xrpc, request.in_reply_to)

    @staticmethod
    def _reply_to(xrpc: XrpcClient, uri: str) -> dict[str, Any]:
        """Reply refs for answering ``uri``: its root if it is a reply itself, else itself."""
        match = re.fullmatch(r"at://([^/]+)/([^/]+)/([^/]+)", uri)
        if match is None:
            raise PermanentError(f"cmdesk cannot answer {uri!r}: it is not a Bluesky post address.")
        repo, collection, rkey = match.groups()
        found = xrpc.query(
            "com.atproto.repo.getRecord", {"repo": repo, "collection": collection, "rkey": rkey}
        )
        if not isinstance(found, Mapping) or not isinstance(found.get("cid"), str):
            raise TransientError("Bluesky answered the post to reply to without its version.")
        parent = {"uri": str(found.get("uri") or uri), "cid": found["cid"]}
        value = found.get("value")
        root = value.get("reply", {}).get("root") if isinstance(value, Mapping) else None
        return {"root": root if isinstance(root, Mapping) else parent, "parent": parent}

    # --- embeds ---

    def _embed(self, xrpc: XrpcClient, part: PostPart) -> dict[str, Any] | None:
        """Images when the part has any, else a card for its first link, else nothing (2.5)."""
        if part.media:
            return {
                "$type": "app.bsky.embed.images",
                "images": [self._image(xrpc, item) for item in part.media],
            }
        link = next((c for c in detect_facets(part.text) if c.kind is FacetKind.LINK), None)
        return None if link is None else self._card(xrpc, link.value)

    def _image(self, xrpc: XrpcClient, item: MediaItem) -> dict[str, Any]:
        try:
            data, mime, width, height = fit_image(item.path, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS)
        except ImageError as exc:
            raise PermanentError(str(exc)) from None
        return {
            "$type": "app.bsky.embed.images#image",
            "image": _upload(xrpc, data, mime),
            "alt": item.alt_text,  # required by the lexicon, may be empty
            "aspectRatio": {"width": width, "height": height},
        }

    def _card(self, xrpc: XrpcClient, url: str) -> dict[str, Any] | None:
        """An ``app.bsky.embed.external`` card; ``None`` when the page cannot be read.

        Bluesky does not unfurl links, the client does (2.5). A page that is down or slow costs
        the post its card, not its publication.
        """
        preview = read_link_preview(xrpc.http, url, timeout=self._link_timeout)
        if preview is None:
            return None
        external: dict[str, Any] = {
            "uri": url,
            "title": preview.title,
            "description": preview.description,
        }
        if preview.image_url:
            thumb = self._thumb(xrpc, preview.image_url)
            if thumb is not None:
                external["thumb"] = thumb
        return {"$type": "app.bsky.embed.external", "external": external}

    def _thumb(self, xrpc: XrpcClient, url: str) -> dict[str, Any] | None:
        fetched = fetch_bytes(
            xrpc.http,
            url,
            max_bytes=MAX_THUMB_SOURCE_BYTES,
            timeout=self._link_timeout,
            accept=("image/",),
        )
        if fetched is None:
            return None
        try:
            data, mime, _, _ = fit_image_bytes(fetched[0], MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS)
        except ImageError:
            return None
        return _upload(xrpc, data, mime)


def _refused(exc: BlueskyRefused) -> PermanentError:
    """The PDS's refusal of a post, said so the person knows what to do."""
    if exc.error == "InvalidSwap":
        return PermanentError(
            "Another post already sits under the record key cmdesk chose for this one, so "
            "cmdesk did not overwrite it. Check the account before publishing this post again.",
            detail=exc.detail,
        )
    reason = exc.detail.removeprefix("InvalidRequest: ")
    return PermanentError(
        f"Bluesky refused this post ({reason}). Edit it and publish it again.", detail=exc.detail
    )


def _upload(xrpc: XrpcClient, data: bytes, mime: str) -> dict[str, Any]:
    """``uploadBlob`` right before the record is written: unused blobs are deleted (2.5)."""
    answer = xrpc.procedure("com.atproto.repo.uploadBlob", data=data, mime=mime)
    blob = answer.get("blob") if isinstance(answer, Mapping) else None
    if not isinstance(blob, Mapping) or not isinstance(blob.get("ref"), Mapping):
        raise TransientError("Bluesky answered an image upload without a reference.")
    return dict(blob)


def _load_state(saved: Mapping[str, Any], count: int) -> dict[str, Any]:
    """A private copy of the last checkpoint, with one entry per part."""
    state: dict[str, Any] = copy.deepcopy(dict(saved)) if saved else {}
    if state and state.get("v") != STATE_VERSION:
        raise PermanentError(
            "This post's saved publishing state comes from another cmdesk version.",
            detail=f"state version {state.get('v')!r}",
        )
    state["v"] = STATE_VERSION
    parts = state.get("parts")
    entries = [dict(p) if isinstance(p, Mapping) else {} for p in parts or []]
    entries.extend({} for _ in range(count - len(entries)))
    state["parts"] = entries
    return state


__all__ = [
    "POST",
    "TID_RE",
    "BlueskyAdapter",
    "TidGenerator",
    "decode_tid",
    "encode_tid",
]
