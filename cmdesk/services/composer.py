"""Live checks for the composer: unsaved text and media measured and validated per channel.

The composer asks on every keystroke, so :meth:`ComposerService.check` is pure and fast: no
network, no database access, only the channel's adapter (its own counting rule and the limits
stored on the channel) applied to what is on screen. What it returns is a frozen
:class:`ChannelCheck` the UI draws as a counter ("287 / 300") and an inline list of problems.

Demo channels are checked with the rules of the network they imitate when an adapter for it is
installed (a demo Mastodon channel counts like Mastodon), so a person trying cmdesk sees the real
limits; only channels of a network with no adapter fall back to the demo rules.

The few calls that do change something are each one user action: shrinking an image to fit a
channel (a new media asset; the original is kept) and setting an image's alt text.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cmdesk.adapters.base import Adapter, MediaItem, MediaRules, PostPart, Problem
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.autosave import DraftJournal
from cmdesk.clock import Clock
from cmdesk.db import Database
from cmdesk.dto import ChannelDTO, MediaDTO
from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import MediaAsset
from cmdesk.services.base import Service
from cmdesk.services.channel_refs import channel_ref
from cmdesk.services.media import MediaService, media_dto
from cmdesk.text.graphemes import count_graphemes
from cmdesk.text.threads import split_into_thread

#: What the counter says it counts, per network (networks count "characters" differently).
UNITS: Mapping[str, str] = {"mastodon": "characters", "bluesky": "graphemes"}
#: Problems about one attachment; their message names the file.
_MEDIA_CODES = frozenset(
    {
        "media_too_large",
        "missing_alt",
        "alt_too_long",
        "unsupported_media",
        "unsupported_media_type",
        "media_missing",
    }
)
#: A generous pixel cap for networks that state none (fit_image needs one).
_NO_PIXEL_LIMIT = 100_000_000
_HIGHLIGHT_RE = re.compile(
    r"(?P<link>https?://[^\s<>\"]+[^\s<>\".,;:!?)\]}'])"
    r"|(?P<mention>(?<![\w@])@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?(?<![.-]))"
    r"|(?P<tag>(?<![\w#&])#\w*[^\W\d_]\w*)"
)


@dataclass(frozen=True, slots=True)
class ComposerProblem:
    """Something the composer shows inline under a channel's text.

    ``media_id`` names the attachment concerned; ``resizable`` says the composer can offer to
    shrink that image until it fits this channel (:meth:`ComposerService.resize_for`).
    """

    code: str
    message: str
    part: int | None = None
    blocking: bool = True
    media_id: int | None = None
    resizable: bool = False


@dataclass(frozen=True, slots=True)
class ChannelCheck:
    """A channel's verdict on the composer's content: counts, limit and problems.

    ``count`` is the longest part's length by the network's rule (what the limit applies to);
    ``part_counts`` has every part's. ``limit`` is 0 when the network's limit is unknown.
    """

    channel_id: int
    network: str
    count: int
    limit: int
    unit: str
    length_rule: str
    part_counts: tuple[int, ...]
    problems: tuple[ComposerProblem, ...]
    threads: bool = True

    @property
    def over_limit(self) -> bool:
        return self.limit > 0 and self.count > self.limit

    @property
    def blocking(self) -> tuple[ComposerProblem, ...]:
        return tuple(p for p in self.problems if p.blocking)


@dataclass(frozen=True, slots=True)
class Highlight:
    """A link, mention or hashtag in a text, by ``str`` offsets (end exclusive)."""

    kind: str  # "link", "mention" or "tag"
    start: int
    end: int


def highlights(text: str) -> list[Highlight]:
    """Links, mentions and hashtags of ``text``, for a preview to colour."""
    found: list[Highlight] = []
    for match in _HIGHLIGHT_RE.finditer(text):
        kind = match.lastgroup or "link"
        found.append(Highlight(kind, match.start(), match.end()))
    return found


class ComposerService(Service):
    """Checks, thread splitting and media fitting for the composer; the autosave journal.

    ``journal`` is where the composer keeps unsaved content while the person types.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hub: EventHub,
        registry: AdapterRegistry,
        media: MediaService,
        journal: DraftJournal | None = None,
    ) -> None:
        super().__init__(db, clock, hub)
        self.registry = registry
        self._media = media
        self.journal = journal or DraftJournal()

    # --- pure checks ---------------------------------------------------------------------------

    def check(
        self,
        channel: ChannelDTO,
        parts: Sequence[str],
        media: Sequence[MediaDTO] = (),
        options: Mapping[str, Any] | None = None,
    ) -> ChannelCheck:
        """Measure and validate ``parts`` (one text, or a thread) with ``media`` on the first part."""
        opts = dict(options or {})
        texts = tuple(parts) or ("",)
        adapter = self._adapter(channel)
        if adapter is None:
            counts = tuple(count_graphemes(t) for t in texts)
            missing = ComposerProblem(
                "no_adapter",
                f"cmdesk cannot publish to {channel.network} yet: no adapter is installed for it.",
            )
            return ChannelCheck(
                channel.id, channel.network, max(counts), 0, "characters", "", counts, (missing,)
            )
        ref = channel_ref(channel)
        caps = adapter.capabilities(ref)
        items = tuple(_media_item(m) for m in media)
        post_parts = tuple(PostPart(t, items if i == 0 else ()) for i, t in enumerate(texts))
        counts = tuple(adapter.measure(ref, t, opts) for t in texts)
        found = [_from_adapter(p, media) for p in adapter.validate(ref, post_parts, opts)]
        found += _size_offers(caps.media, media, found, adapter.display_name)
        if len(texts) > 1 and not caps.threads:
            found.append(ComposerProblem("no_threads", f"{channel.name} cannot post threads."))
        return ChannelCheck(
            channel_id=channel.id,
            network=channel.network,
            count=max(counts),
            limit=caps.max_chars,
            unit=UNITS.get(caps.network, "characters"),
            length_rule=caps.length_rule,
            part_counts=counts,
            problems=tuple(found),
            threads=caps.threads,
        )

    def split(self, channel: ChannelDTO, text: str, *, numbering: bool = False) -> tuple[str, ...]:
        """``text`` cut at sentence boundaries into parts that each fit ``channel``.

        Raises ``ThreadSplitError`` (a ``UserError``) when a link or mention alone is too long.
        """
        adapter = self._require_adapter(channel)
        ref = channel_ref(channel)
        limit = adapter.capabilities(ref).max_chars
        measure = partial(adapter.measure, ref, options={})
        return tuple(split_into_thread(text, measure, limit, numbering=numbering))

    # --- actions -------------------------------------------------------------------------------

    def resize_for(self, channel: ChannelDTO, media: MediaDTO) -> MediaDTO:
        """A copy of the image made to fit the channel's size and pixel limits (a new asset)."""
        from cmdesk.media import ImageError, fit_image  # Pillow only when an image is resized

        rules = self._require_adapter(channel).capabilities(channel_ref(channel)).media
        try:
            data, mime, _w, _h = fit_image(
                media.path, rules.max_image_bytes, rules.max_image_pixels or _NO_PIXEL_LIMIT
            )
        except ImageError as exc:
            raise ValidationError(f"{media.original_name} cannot be resized: {exc}") from None
        stem = Path(media.original_name).stem or "image"
        suffix = ".png" if mime == "image/png" else ".jpg"
        with tempfile.TemporaryDirectory(prefix="cmdesk-fit-") as folder:
            path = Path(folder) / f"{stem}-resized{suffix}"
            path.write_bytes(data)
            return self._media.add_file(media.workspace_id, path, alt_text=media.alt_text)

    def set_alt_text(self, media_id: int, alt_text: str) -> MediaDTO:
        """Describe an image (alt text belongs to the file, for every post that uses it)."""
        with self._write() as s:
            asset = s.get(MediaAsset, media_id)
            if asset is None:
                raise NotFoundError("This image is no longer in the media library.")
            asset.alt_text = alt_text.strip()
            s.flush()
            dto = media_dto(asset, self._media.root)
        self._emit(ChangeSet.of(updated=[("media", media_id)], subject=media_id))
        return dto

    def get_media(self, media_ids: Sequence[int]) -> list[MediaDTO]:
        """The media library entries for these ids, in the order given (unknown ids skipped)."""
        if not media_ids:
            return []
        with self._read() as s:
            found = {
                a.id: media_dto(a, self._media.root)
                for a in s.scalars(select(MediaAsset).where(MediaAsset.id.in_(list(media_ids))))
            }
        return [found[i] for i in media_ids if i in found]

    # --- adapters ------------------------------------------------------------------------------

    def _adapter(self, channel: ChannelDTO) -> Adapter | None:
        if channel.network in self.registry.networks():
            return self.registry.get(channel.network)
        if channel.is_demo:
            return self.registry.get("demo")
        return None

    def _require_adapter(self, channel: ChannelDTO) -> Adapter:
        adapter = self._adapter(channel)
        if adapter is None:
            raise ValidationError(f"cmdesk has no adapter for {channel.network} yet.")
        return adapter


def _media_item(media: MediaDTO) -> MediaItem:
    return MediaItem(
        path=media.path,
        mime_type=media.mime_type,
        alt_text=media.alt_text,
        width=media.width,
        height=media.height,
        size_bytes=media.size_bytes,
    )


def _from_adapter(problem: Problem, media: Sequence[MediaDTO]) -> ComposerProblem:
    """An adapter's problem, tied to the attachment its message names."""
    media_id = None
    message = problem.message
    if problem.code in _MEDIA_CODES:
        for item in media:
            stored_name = os.path.basename(item.path)  # a content hash: say the file's own name
            if stored_name in message:
                media_id = item.id
                message = message.replace(stored_name, item.original_name)
                break
    resizable = (
        problem.code == "media_too_large"
        and media_id is not None
        and next(m for m in media if m.id == media_id).mime_type.startswith("image/")
    )
    return ComposerProblem(
        problem.code, message, problem.part, problem.blocking, media_id, resizable
    )


def _size_offers(
    rules: MediaRules, media: Sequence[MediaDTO], found: Sequence[ComposerProblem], network: str
) -> list[ComposerProblem]:
    """Images over the channel's size or pixel limits the adapter would shrink on its own.

    Networks whose adapter re-encodes images when sending (Bluesky) do not refuse them, but the
    person should still see it and may shrink them now to look at the result.
    """
    reported = {p.media_id for p in found if p.code == "media_too_large"}
    offers: list[ComposerProblem] = []
    for item in media:
        if item.id in reported or not item.mime_type.startswith("image/"):
            continue
        pixels = (item.width or 0) * (item.height or 0)
        too_big = item.size_bytes > rules.max_image_bytes
        too_wide = rules.max_image_pixels is not None and pixels > rules.max_image_pixels
        if too_big or too_wide:
            offers.append(
                ComposerProblem(
                    "media_too_large",
                    f"{item.original_name} is {item.size_bytes / 1_048_576:.1f} MB"
                    f"{f' ({item.width}x{item.height})' if too_wide else ''}; {network} takes "
                    f"{rules.max_image_bytes / 1_048_576:.1f} MB, so it will be shrunk when sent. "
                    "Resize it now to see the result.",
                    0,
                    blocking=False,
                    media_id=item.id,
                    resizable=True,
                )
            )
    return offers
