"""What a server can take: its software, its instance document, the channel's limits dict.

**Limits** (``ChannelRef.limits``, produced by ``MastodonAdapter.verify``), a flat JSON object:

* ``software``: ``"mastodon"``, ``"gotosocial"``, ``"pleroma"``, ``"akkoma"``, ``"pixelfed"``,
  ``"snac"`` ... or ``"unknown"``; ``version``: the server's version string; ``api_version``: the
  integer ``api_versions.mastodon`` (4.3+) or ``None``; ``instance_api``: ``"v2"``, ``"v1"`` or
  ``"none"`` (which document the limits came from; ``"none"`` means Mastodon's defaults);
* every field of :class:`cmdesk.text.mastodon.MastodonLimits` under its own name
  (``max_characters``, ``characters_reserved_per_url``, ``max_media_attachments``,
  ``description_limit``, ``image_size_limit``, ``image_matrix_limit``, ``video_size_limit``,
  ``video_matrix_limit``, ``video_frame_rate_limit``, ``supported_mime_types`` as a list, ``poll_*``);
* ``idempotency_key``: whether the server deduplicates by ``Idempotency-Key`` (1.4: Mastodon proper
  only; GoToSocial, Pixelfed and snac do not; unknown software is trusted with nothing);
* ``native_scheduling``: whether ``scheduled_at`` hands the post to the server (1.5: Mastodon only;
  GoToSocial ignores the field and posts at once, snac has no scheduled-statuses list to track);
* ``min_schedule_lead_seconds`` (300) and ``read_at`` (when the limits were read, ISO 8601).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from cmdesk.adapters.base import ChannelRef, MediaRules
from cmdesk.adapters.mastodon.api import _Api
from cmdesk.adapters.mastodon.timestamps import _iso
from cmdesk.text.mastodon import MastodonLimits

# The name the adapter logged under before it became a package.
log = logging.getLogger("cmdesk.adapters.mastodon")

#: ``scheduled_at <= now + 5 min`` is refused (1.5); one more minute absorbs clock differences.
SCHEDULE_MIN_LEAD = timedelta(minutes=5)
SCHEDULE_MARGIN = timedelta(minutes=1)


def detect_software(instance: Mapping[str, Any]) -> str:
    """Which server software an instance document comes from (``"unknown"`` when unsure).

    Mastodon's ``version`` is "4.3.2" (forks add "+glitch" ...); Pleroma, Akkoma and Pixelfed say
    "<mastodon version> (compatible; Pleroma 2.6)"; snac says "4.0.0 (not true; really snac/2.75)";
    GoToSocial sends its own "0.17.3 git-..." (or "3.5.3+0.17.3" when told to pretend) with a
    ``source_url`` naming it (GTS ``internaltofrontend.go``).
    """
    version = str(instance.get("version") or "")
    source = str(instance.get("source_url") or "").lower()
    lowered = version.lower()
    if "gotosocial" in source or "gotosocial" in lowered:
        return "gotosocial"
    compatible = re.search(r"\(compatible;\s*([A-Za-z][\w-]*)", version)
    if compatible:
        return compatible.group(1).lower()
    for name in ("snac", "takahe", "pixelfed", "friendica", "misskey", "sharkey", "mitra"):
        if name in lowered or name in source:
            return name
    api_versions = instance.get("api_versions")
    if isinstance(api_versions, Mapping) and "mastodon" in api_versions:
        return "mastodon"
    major = re.match(r"^(\d+)\.\d+", version)
    # Forks add "+glitch" or "+hometown-1.1"; "3.5.3+0.17.3" is GoToSocial pretending.
    if major and int(major.group(1)) >= 1 and not re.search(r"\s|\+\d", version.strip()):
        return "mastodon"
    return "unknown"


def limits_from_instance(
    instance: Mapping[str, Any], source: str, read_at: datetime
) -> dict[str, Any]:
    """The channel's limits dict (see the module docstring) from an instance document."""
    numbers = MastodonLimits.from_instance_json(instance)
    software = detect_software(instance) if source != "none" else "unknown"
    api_versions = instance.get("api_versions")
    api_version = api_versions.get("mastodon") if isinstance(api_versions, Mapping) else None
    limits: dict[str, Any] = asdict(numbers)
    limits["supported_mime_types"] = list(numbers.supported_mime_types)
    limits.update(
        software=software,
        version=str(instance.get("version") or ""),
        api_version=api_version if isinstance(api_version, int) else None,
        instance_api=source,
        idempotency_key=software == "mastodon",
        native_scheduling=software == "mastodon",
        min_schedule_lead_seconds=int(SCHEDULE_MIN_LEAD.total_seconds()),
        read_at=_iso(read_at),
    )
    return limits


#: channel id -> (the limits last read, the config made from them).
_CONFIGS: dict[int, tuple[dict[str, Any], _Config]] = {}


@dataclass(frozen=True, slots=True)
class _Config:
    """A channel's stored limits, read back defensively (an old or empty dict keeps defaults)."""

    limits: MastodonLimits
    software: str
    idempotency: bool
    native_scheduling: bool

    @classmethod
    def of(cls, channel: ChannelRef) -> _Config:
        raw = channel.limits or {}
        # Read once per channel while its limits stay the same (this is on every publish's path).
        cached = _CONFIGS.get(channel.id)
        if cached is not None and cached[0] == raw:
            return cached[1]
        config = cls._read(raw)
        _CONFIGS[channel.id] = (dict(raw), config)
        return config

    @classmethod
    def _read(cls, raw: Mapping[str, Any]) -> _Config:
        names = {f.name for f in fields(MastodonLimits)}
        flat = {k: v for k, v in raw.items() if k in names}
        # Back through the text module's tolerant reader: odd stored values become defaults.
        doc = {
            "configuration": {
                "statuses": flat,
                "media_attachments": flat,
                "polls": {k.removeprefix("poll_"): v for k, v in flat.items()},
            }
        }
        return cls(
            limits=MastodonLimits.from_instance_json(doc),
            software=str(raw.get("software") or "unknown"),
            idempotency=raw.get("idempotency_key") is True,
            native_scheduling=raw.get("native_scheduling") is True,
        )

    def media_rules(self) -> MediaRules:
        default = MediaRules()
        types = self.limits.supported_mime_types
        images = frozenset(t for t in types if t.startswith("image/")) or default.image_types
        # Video and audio share Mastodon's video size limit and its "only one" rule.
        videos = frozenset(t for t in types if t.startswith(("video/", "audio/")))
        return MediaRules(
            max_count=self.limits.max_media_attachments,
            max_image_bytes=self.limits.image_size_limit,
            max_video_bytes=self.limits.video_size_limit,
            image_types=images,
            video_types=videos or default.video_types,
            max_alt_chars=self.limits.description_limit,
            max_image_pixels=self.limits.image_matrix_limit,
        )


def _read_instance(api: _Api) -> tuple[dict[str, Any], str]:
    """The instance document: v2, else v1 (1.2); ``({}, "none")`` when neither is readable."""
    for path, name in (("/api/v2/instance", "v2"), ("/api/v1/instance", "v1")):
        response = api.send("GET", path)
        if response.status_code == 429 or response.status_code >= 500:
            api.check(response)
        if response.status_code != 200:
            continue  # 404: an older server without v2, or not Mastodon at all
        try:
            body = response.json()
        except ValueError:
            log.warning("%s: %s is not JSON; trying the next source", api.label, path)
            continue
        if isinstance(body, dict) and ("version" in body or "configuration" in body):
            return body, name
    return {}, "none"
