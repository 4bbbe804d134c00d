"""The outbox checkpoint of one publication: what was sent, what exists, what is unclear.

**State**: ``{"format": "mastodon/1", "digest", "scheduled_at", "parts":
[{"media": [id|None ...], "remote_id", "url", "created_at", "scheduled", "uncertain",
"first_sent_at", "last_sent_at"}], "published_parts": [remote ids]}``. ``uncertain`` is set
before every create call and cleared once the outcome is known, so a retry knows which part may
already exist. ``published_parts`` is for the engine (something exists remotely). The engine may
add ``"confirmed_not_sent": true`` when the person has checked that an unclear part did not go
out: the next attempt then sends it without looking again. The idempotency key of part ``i`` is
``f"{idempotency_token}-{i}"``, never stored, always derived.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from cmdesk.adapters.base import AmbiguousError, PublishRequest
from cmdesk.adapters.mastodon.timestamps import _iso

STATE_FORMAT = "mastodon/1"


@dataclass
class _Part:
    """One thread part as the outbox remembers it (JSON-able)."""

    media: list[str | None]
    remote_id: str | None = None
    url: str | None = None
    created_at: str | None = None
    scheduled: bool = False  # remote_id is a ScheduledStatus id
    uncertain: bool = False  # a create was sent and its outcome is unknown
    first_sent_at: str | None = None
    last_sent_at: str | None = None


@dataclass
class _State:
    digest: str
    parts: list[_Part]
    scheduled_at: str | None = None

    def dump(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "digest": self.digest,
            "scheduled_at": self.scheduled_at,
            "parts": [asdict(part) for part in self.parts],
            # What the engine reads to know whether anything exists remotely.
            "published_parts": [p.remote_id for p in self.parts if p.remote_id],
        }

    @property
    def touched(self) -> bool:
        """Whether anything may already exist on the server."""
        return any(p.remote_id or p.uncertain for p in self.parts)


def _digest(request: PublishRequest) -> str:
    """A fingerprint of the frozen payload, so a state is never applied to another post."""
    payload = {
        "parts": [
            [p.text, [[m.path, m.mime_type, m.alt_text] for m in p.media]] for p in request.parts
        ],
        "options": {
            k: request.options.get(k)
            for k in ("visibility", "spoiler_text", "language", "sensitive")
        },
        "in_reply_to": request.in_reply_to,
        "scheduled_at": _iso(request.scheduled_at) if request.scheduled_at else None,
    }
    encoded = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def _load_state(request: PublishRequest) -> _State:
    """The outbox state to resume from; a fresh one on the first attempt."""
    digest = _digest(request)
    scheduled_at = _iso(request.scheduled_at) if request.scheduled_at else None
    fresh = _State(
        digest, [_Part(media=[None] * len(p.media)) for p in request.parts], scheduled_at
    )
    raw = request.state
    if not raw:
        return fresh
    state = _parse_state(raw)
    same = state is not None and raw.get("format") == STATE_FORMAT and state.digest == digest
    if same and state is not None and _shape(state) == [len(p.media) for p in request.parts]:
        if raw.get("confirmed_not_sent") is True:
            # The person checked the account: the unclear part did not go out.
            for part in state.parts:
                part.uncertain = False
        return state
    if state is not None and not state.touched:
        return fresh
    raise AmbiguousError(
        "This post changed (or its saved progress is unreadable) after cmdesk had started "
        "publishing it, so cmdesk cannot tell what already went out. Check the account and "
        "confirm, or publish it again as a new post.",
        detail=f"state digest {raw.get('digest')!r} != {digest!r}",
    )


def _shape(state: _State) -> list[int]:
    return [len(p.media) for p in state.parts]


def _parse_state(raw: Mapping[str, Any]) -> _State | None:
    known = {f.name for f in fields(_Part)}
    try:
        parts = [_Part(**{k: v for k, v in p.items() if k in known}) for p in raw["parts"]]
        return _State(str(raw["digest"]), parts, raw.get("scheduled_at"))
    except (KeyError, TypeError, AttributeError):
        return None
