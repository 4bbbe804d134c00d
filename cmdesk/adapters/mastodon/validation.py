"""Checking a post against a server's limits before it is sent: length, media, alt text."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from cmdesk.adapters.base import MediaItem, MediaRules, PostPart, Problem
from cmdesk.adapters.mastodon.limits import _Config
from cmdesk.text.graphemes import count_graphemes
from cmdesk.text.mastodon import check_mastodon

VISIBILITIES = ("public", "unlisted", "private", "direct")


def _problems(
    config: _Config, parts: tuple[PostPart, ...], options: Mapping[str, Any]
) -> list[Problem]:
    """What stops these parts (or should give their author pause) on this channel."""
    if not parts:
        return [Problem("empty", "There is nothing to publish: write some text.")]
    problems: list[Problem] = []
    visibility = options.get("visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        problems.append(
            Problem(
                "bad_visibility",
                f"Unknown visibility {visibility!r}: choose one of "
                + ", ".join(VISIBILITIES)
                + ".",
            )
        )
    spoiler = str(options.get("spoiler_text") or "")
    for index, part in enumerate(parts):
        problems += _part_problems(config, index, part, spoiler, len(parts) > 1)
    return problems


def _part_problems(
    config: _Config, index: int, part: PostPart, spoiler: str, thread: bool
) -> list[Problem]:
    where = f"Part {index + 1}: " if thread else ""
    if not part.text.strip() and not part.media:
        return [Problem("empty", f"{where}the post is empty: add text or media.", index)]
    problems = [
        Problem("too_long", where + p.message, index)
        for p in check_mastodon(part.text, spoiler, config.limits)
    ]
    rules = config.media_rules()
    if len(part.media) > rules.max_count:
        problems.append(
            Problem(
                "too_many_media",
                f"{where}{len(part.media)} attachments; this server takes at most "
                f"{rules.max_count} per post. Remove some or move them to another part.",
                index,
            )
        )
    if len(part.media) > 1 and any(_is_video(m) for m in part.media):
        problems.append(
            Problem(
                "video_not_alone",
                f"{where}a video or audio file must be the only attachment of its post.",
                index,
            )
        )
    for item in part.media:
        problems += _media_problems(rules, item, index, where)
    return problems


def _is_video(item: MediaItem) -> bool:
    return item.mime_type.startswith(("video/", "audio/"))


def _media_problems(rules: MediaRules, item: MediaItem, index: int, where: str) -> list[Problem]:
    name = os.path.basename(item.path) or item.path
    if item.mime_type not in rules.image_types | rules.video_types:
        return [
            Problem(
                "unsupported_media_type",
                f"{where}{name} is a {item.mime_type} file, which this server does not accept.",
                index,
            )
        ]
    return _size_problems(rules, item, index, where + name) + _alt_problems(
        rules, item, index, where + name
    )


def _size_problems(rules: MediaRules, item: MediaItem, index: int, name: str) -> list[Problem]:
    size = item.size_bytes
    if size is None:
        try:
            size = os.path.getsize(item.path)
        except OSError:
            return [Problem("media_missing", f"{name} cannot be found; attach it again.", index)]
    limit = rules.max_video_bytes if _is_video(item) else rules.max_image_bytes
    if size <= limit:
        return []
    return [
        Problem(
            "media_too_large",
            f"{name} is {size / 1_048_576:.1f} MB; this server takes at most "
            f"{limit / 1_048_576:.0f} MB for this kind of file.",
            index,
        )
    ]


def _alt_problems(rules: MediaRules, item: MediaItem, index: int, name: str) -> list[Problem]:
    if not item.alt_text.strip():
        return [
            Problem(
                "missing_alt",
                f"{name} has no description (alt text); people using screen readers will not "
                "know what it shows.",
                index,
                blocking=False,
            )
        ]
    if count_graphemes(item.alt_text) > rules.max_alt_chars:
        return [
            Problem(
                "alt_too_long",
                f"{name}: the description is over {rules.max_alt_chars} characters.",
                index,
            )
        ]
    return []
