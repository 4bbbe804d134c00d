"""The publishing engine's side of the database: claims, the outbox, outcomes and decisions.

Every step is its own short transaction, so a crash at any point leaves the plan consistent:

1. ``mark_missed``: queued targets that were never tried and whose time passed more than the
   grace period ago (the computer was off or asleep) become ``missed``; the person decides.
2. ``claim``: one conditional UPDATE per target (``state='queued' AND due ...``) takes it with a
   lease; only the process whose UPDATE changed exactly one row publishes it. The first claim
   freezes the payload and mints the idempotency token; every retry reuses both.
3. ``checkpoint``: the adapter's outbox state, written and committed before each remote create.
4. ``succeed`` / ``fail`` / ``retry_later`` / ``ambiguous``: the outcome, and the post's status
   derived from all its targets.

Leases expire; a lease held by a process that no longer exists on this machine is released at
once (a daemon killed with SIGKILL does not hold its posts for the lease's length).
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.adapters.base import (
    AuthExpired,
    ChannelRef,
    CredentialHandle,
    MediaItem,
    PostPart,
    Problem,
    PublishRequest,
    PublishResult,
)
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.clock import Clock
from cmdesk.credentials import CredentialStore
from cmdesk.db import Database
from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import Channel, MediaAsset, Post, PostMedia, Target
from cmdesk.services.base import Service
from cmdesk.status import PostStatus, TargetState

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=20)
BACKOFF_CAP = timedelta(minutes=30)
OFFLINE_RECHECK = timedelta(seconds=30)
#: A target that has been retrying this long after its time gives up with an explanation.
MAX_LATENESS_FOR_RETRIES = timedelta(hours=24)


def process_owner() -> str:
    """A lease owner id: host, process and a random part (two engines in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_is_dead(owner: str) -> bool:
    """Whether a lease owner is a process of this machine that no longer runs."""
    host, _, rest = owner.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Exponential backoff with full jitter between half and all of the step."""
    step: timedelta = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return step * (0.5 + rng.random() / 2)


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed target, ready for its adapter."""

    target_id: int
    post_id: int
    channel_id: int
    network: str
    is_demo: bool
    request: PublishRequest
    credential_ref: str | None


class StoredCredentials(CredentialHandle):
    """A channel's secret as a JSON object in the credential store."""

    def __init__(self, store: CredentialStore, ref: str | None, channel_name: str) -> None:
        self._store = store
        self._ref = ref
        self._name = channel_name

    def read(self) -> dict[str, Any]:
        raw = self._store.get_secret(self._ref) if self._ref else None
        if raw is None:
            raise AuthExpired(
                f"No sign-in is stored for {self._name!r}. Reconnect the channel in Channels."
            )
        try:
            value = json.loads(raw)
        except ValueError:
            value = {"token": raw}
        return value if isinstance(value, dict) else {"token": raw}

    def write(self, value: dict[str, Any]) -> None:
        if not self._ref:
            raise AuthExpired(f"{self._name!r} has no place for its sign-in; reconnect it.")
        self._store.set_secret(self._ref, json.dumps(value))


class PublishingService(Service):
    """Claims due targets and records what publishing them did."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hub: EventHub,
        credentials: CredentialStore,
        media_root: Path,
        *,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(db, clock, hub)
        self.credentials = credentials
        self.media_root = media_root
        self._rng = rng or random.Random()

    # --- what is due ---------------------------------------------------------------------------

    def next_wakeup(self) -> datetime | None:
        """The earliest instant at which something may become claimable (or a lease expire)."""
        t = Target.__table__.c
        with self._read() as s:
            due = s.execute(
                select(t.due_at, t.next_retry_at)
                .where(t.state == TargetState.QUEUED.value)
                .order_by(t.due_at)
                .limit(1)
            ).first()
            soonest_retry = s.scalar(
                select(t.next_retry_at)
                .where(t.state == TargetState.QUEUED.value, t.next_retry_at.is_not(None))
                .order_by(t.next_retry_at)
                .limit(1)
            )
            lease = s.scalar(
                select(t.lease_until)
                .where(t.state == TargetState.PUBLISHING.value)
                .order_by(t.lease_until)
                .limit(1)
            )
        candidates = [v for v in (due[0] if due else None, soonest_retry, lease) if v is not None]
        return min(candidates) if candidates else None

    def release_stale_leases(self) -> ChangeSet:
        """Give back targets whose lease ran out or whose owner process died."""
        now = self.clock.now()
        released: list[tuple[int, int]] = []
        with self._write() as s:
            rows = s.execute(
                select(Target.id, Target.post_id, Target.lease_owner, Target.lease_until).where(
                    Target.state == TargetState.PUBLISHING.value
                )
            ).all()
            for tid, pid, owner, until in rows:
                if (until is not None and until <= now) or (owner and _owner_is_dead(owner)):
                    s.execute(
                        update(Target)
                        .where(Target.id == tid, Target.state == TargetState.PUBLISHING.value)
                        .values(state=TargetState.QUEUED.value, lease_owner=None, lease_until=None)
                    )
                    released.append((tid, pid))
        if released:
            log.info("released %d stale lease(s)", len(released))
        return self._emit(_targets_changed(released))

    def mark_missed(self, grace: timedelta) -> ChangeSet:
        """Never-tried targets whose time passed more than ``grace`` ago become missed."""
        now = self.clock.now()
        limit = now - grace
        with self._write() as s:
            rows = [
                (tid, pid)
                for tid, pid in s.execute(
                    select(Target.id, Target.post_id).where(
                        Target.state == TargetState.QUEUED.value,
                        Target.attempts == 0,
                        Target.due_at < limit,
                    )
                )
            ]
            for tid, _ in rows:
                s.execute(
                    update(Target)
                    .where(Target.id == tid, Target.state == TargetState.QUEUED.value)
                    .values(
                        state=TargetState.MISSED.value,
                        last_error="Its time passed while cmdesk was not running. Publish it "
                        "now, reschedule it, or skip it.",
                        updated_at=now,
                    )
                )
            for pid in {p for _, p in rows}:
                self._settle_post(s, pid)
        if rows:
            log.info("%d post target(s) missed their time", len(rows))
        return self._emit(_targets_changed(rows))

    def due_target_ids(self, limit: int) -> list[int]:
        """Queued targets that may be claimed now, oldest first (channels that can publish)."""
        now = self.clock.now()
        with self._read() as s:
            q = (
                select(Target.id)
                .join(Channel, Channel.id == Target.channel_id)
                .where(
                    Target.state == TargetState.QUEUED.value,
                    Target.due_at <= now,
                    or_(Target.next_retry_at.is_(None), Target.next_retry_at <= now),
                    Channel.removed_at.is_(None),
                    Channel.health == "ok",
                )
                .order_by(Target.due_at, Target.id)
                .limit(limit)
            )
            return list(s.scalars(q))

    # --- claiming ------------------------------------------------------------------------------

    def claim(self, target_id: int, owner: str) -> Job | None:
        """Take a due target for publishing; None if another process (or thread) took it first."""
        now = self.clock.now()
        with self._write() as s:
            result = s.connection().execute(
                update(Target)
                .where(
                    Target.id == target_id,
                    Target.state == TargetState.QUEUED.value,
                    Target.due_at <= now,
                    or_(Target.next_retry_at.is_(None), Target.next_retry_at <= now),
                )
                .values(
                    state=TargetState.PUBLISHING.value,
                    lease_owner=owner,
                    lease_until=now + LEASE,
                    attempts=Target.attempts + 1,
                    updated_at=now,
                )
            )
            if result.rowcount != 1:
                return None
            target = s.get(Target, target_id)
            assert target is not None
            s.refresh(target)
            post = repo.get_post(s, target.post_id)
            channel = repo.get_channel(s, target.channel_id)
            if target.idempotency_token is None:
                target.idempotency_token = uuid.uuid4().hex
            if target.payload is None:
                target.payload = self._freeze_payload(s, post, target)
            return Job(
                target_id=target.id,
                post_id=post.id,
                channel_id=channel.id,
                network=channel.network,
                is_demo=channel.is_demo,
                credential_ref=channel.credential_ref,
                request=PublishRequest(
                    target_id=target.id,
                    channel=ChannelRef(
                        id=channel.id,
                        network=channel.network,
                        name=channel.name,
                        handle=channel.handle,
                        base_url=channel.base_url,
                        limits=dict(channel.limits or {}),
                    ),
                    parts=_parts_from_payload(target.payload),
                    idempotency_token=target.idempotency_token,
                    options=dict(target.payload.get("options") or {}),
                    state=dict(target.progress or {}),
                    attempt=target.attempts,
                ),
            )

    def problems(self, post_id: int, registry: AdapterRegistry) -> dict[str, list[Problem]]:
        """What each channel's adapter says keeps this post from going out as it is."""
        out: dict[str, list[Problem]] = {}
        with self._read() as s:
            post = repo.get_post(s, post_id)
            for target in post.targets:
                if target.state == TargetState.CANCELLED.value:
                    continue
                channel = repo.get_channel(s, target.channel_id)
                payload = target.payload or self._freeze_payload(s, post, target)
                ref = ChannelRef(
                    id=channel.id,
                    network=channel.network,
                    name=channel.name,
                    handle=channel.handle,
                    base_url=channel.base_url,
                    limits=dict(channel.limits or {}),
                )
                adapter = registry.get("demo" if channel.is_demo else channel.network)
                options = dict(payload.get("options") or {})
                out[channel.name] = adapter.validate(ref, _parts_from_payload(payload), options)
        return out

    def credentials_for(self, job: Job) -> CredentialHandle:
        return StoredCredentials(self.credentials, job.credential_ref, job.request.channel.name)

    def _freeze_payload(self, s: Session, post: Post, target: Target) -> dict[str, Any]:
        """What this target will send, fixed at the first attempt and reused by every retry."""
        variant = next((v for v in post.variants if v.channel_id == target.channel_id), None)
        if variant is not None and variant.thread_parts:
            texts = list(variant.thread_parts)
        else:
            texts = [
                variant.text if variant is not None and variant.text is not None else post.text
            ]
        media_ids = list(variant.media_ids) if variant is not None and variant.media_ids else None
        media = self._media_payload(s, post.id, media_ids)
        parts = [{"text": text, "media": media if i == 0 else []} for i, text in enumerate(texts)]
        options = dict(variant.options) if variant is not None and variant.options else {}
        return {"parts": parts, "options": options}

    def _media_payload(
        self, s: Session, post_id: int, chosen: Sequence[int] | None
    ) -> list[dict[str, Any]]:
        q = (
            select(MediaAsset)
            .join(PostMedia, PostMedia.media_id == MediaAsset.id)
            .where(PostMedia.post_id == post_id)
            .order_by(PostMedia.position)
        )
        assets = list(s.scalars(q))
        if chosen is not None:
            by_id = {a.id: a for a in assets}
            assets = [by_id[i] for i in chosen if i in by_id]
        return [
            {
                "path": str(self.media_root / a.path),
                "mime_type": a.mime_type,
                "alt_text": a.alt_text,
                "width": a.width,
                "height": a.height,
                "size_bytes": a.size_bytes,
            }
            for a in assets
        ]

    # --- while publishing ----------------------------------------------------------------------

    def checkpoint(self, target_id: int, owner: str, state: Mapping[str, Any]) -> None:
        """Store the adapter's outbox state before a remote create; extends the lease.

        Raises ``LeaseLostError`` if this process no longer holds the target (its lease expired and
        another process took it): sending now could publish twice.
        """
        now = self.clock.now()
        with self._write() as s:
            result = s.connection().execute(
                update(Target)
                .where(
                    Target.id == target_id,
                    Target.state == TargetState.PUBLISHING.value,
                    Target.lease_owner == owner,
                )
                .values(progress=dict(state), lease_until=now + LEASE, updated_at=now)
            )
            if result.rowcount != 1:
                raise LeaseLostError(target_id)

    # --- outcomes ------------------------------------------------------------------------------

    def succeed(self, target_id: int, owner: str, result: PublishResult) -> ChangeSet:
        now = self.clock.now()
        with self._write() as s:
            target = self._held(s, target_id, owner)
            if target is None:
                return ChangeSet()
            target.state = TargetState.PUBLISHED.value
            target.remote_id = result.remote_id
            target.remote_url = result.url
            target.published_at = result.published_at or now
            target.last_error = ""
            target.next_retry_at = None
            target.lease_owner = target.lease_until = None
            target.updated_at = now
            self._settle_post(s, target.post_id)
            pid = target.post_id
        return self._emit(_targets_changed([(target_id, pid)], "published"))

    def retry_later(
        self, target_id: int, owner: str, message: str, *, at: datetime | None = None
    ) -> ChangeSet:
        """Put a target back in the queue for another try (backoff unless ``at`` is given).

        After ``MAX_ATTEMPTS`` tries, or a day after its time, it fails with the last message.
        """
        now = self.clock.now()
        with self._write() as s:
            target = self._held(s, target_id, owner)
            if target is None:
                return ChangeSet()
            too_late = target.due_at is not None and now - target.due_at > MAX_LATENESS_FOR_RETRIES
            if target.attempts >= MAX_ATTEMPTS or too_late:
                tried = f"after {target.attempts} tries" if not too_late else "for a whole day"
                changes = self._fail_held(s, target, f"{message} (gave up {tried}).", now)
            else:
                target.state = TargetState.QUEUED.value
                target.next_retry_at = at or now + backoff(target.attempts, self._rng)
                target.last_error = message
                target.lease_owner = target.lease_until = None
                target.updated_at = now
                changes = _targets_changed([(target_id, target.post_id)], "retry")
        return self._emit(changes)

    def wait_for_network(self, target_id: int, owner: str) -> ChangeSet:
        """No connectivity: the target waits in the queue; this is not counted as a failure."""
        now = self.clock.now()
        with self._write() as s:
            target = self._held(s, target_id, owner)
            if target is None:
                return ChangeSet()
            target.state = TargetState.QUEUED.value
            # Being offline is not a failed try; it still counts as tried (never "missed").
            target.attempts = max(1, target.attempts - 1)
            target.next_retry_at = now + OFFLINE_RECHECK
            target.last_error = WAITING_FOR_NETWORK
            target.lease_owner = target.lease_until = None
            target.updated_at = now
            pid = target.post_id
        return self._emit(_targets_changed([(target_id, pid)], "offline"))

    def fail(
        self, target_id: int, owner: str, message: str, *, reauth_channel: bool = False
    ) -> ChangeSet:
        now = self.clock.now()
        with self._write() as s:
            target = self._held(s, target_id, owner)
            if target is None:
                return ChangeSet()
            if reauth_channel:
                channel = repo.get_channel(s, target.channel_id)
                channel.health = "needs_reauth"
                channel.health_detail = message
                channel.updated_at = now
            changes = self._fail_held(s, target, message, now)
        return self._emit(changes)

    def ambiguous(self, target_id: int, owner: str, message: str) -> ChangeSet:
        """The network cannot tell whether it went out: the person decides (``confirm``)."""
        now = self.clock.now()
        with self._write() as s:
            target = self._held(s, target_id, owner)
            if target is None:
                return ChangeSet()
            target.state = TargetState.NEEDS_CONFIRMATION.value
            target.last_error = message
            target.lease_owner = target.lease_until = None
            target.updated_at = now
            pid = target.post_id
        return self._emit(_targets_changed([(target_id, pid)], "needs_confirmation"))

    def _fail_held(self, s: Session, target: Target, message: str, now: datetime) -> ChangeSet:
        target.state = TargetState.FAILED.value
        target.last_error = message
        target.next_retry_at = None
        target.lease_owner = target.lease_until = None
        target.updated_at = now
        if not (target.progress or {}).get("published_parts"):
            # Nothing of it exists remotely: after the person fixes the post, a new attempt
            # may send the new content under a new key.
            target.payload = None
            target.idempotency_token = None
            target.progress = None
        self._settle_post(s, target.post_id)
        return _targets_changed([(target.id, target.post_id)], "failed")

    def _held(self, s: Session, target_id: int, owner: str) -> Target | None:
        target = s.get(Target, target_id)
        if target is None or target.state != TargetState.PUBLISHING.value:
            return None
        if target.lease_owner != owner:
            log.warning("target %s: lease lost before its outcome was recorded", target_id)
            return None
        return target

    # --- decisions by the person ---------------------------------------------------------------

    def confirm(self, target_id: int, *, sent: bool, remote_url: str | None = None) -> ChangeSet:
        """Settle a ``needs_confirmation`` target: it went out, or it did not (then it is resent)."""
        now = self.clock.now()
        with self._write() as s:
            target = s.get(Target, target_id)
            if target is None:
                raise NotFoundError(f"There is no delivery {target_id}.")
            if target.state != TargetState.NEEDS_CONFIRMATION.value:
                raise ValidationError(
                    "This delivery is not waiting for a decision "
                    f"(it is {target.state.replace('_', ' ')})."
                )
            if sent:
                target.state = TargetState.PUBLISHED.value
                target.remote_url = remote_url or target.remote_url
                target.published_at = now
                target.last_error = ""
            else:
                target.state = TargetState.QUEUED.value
                target.next_retry_at = None
                target.due_at = min(target.due_at or now, now)
                target.last_error = "Sent again after you confirmed it had not gone out."
            target.updated_at = now
            self._settle_post(s, target.post_id)
            pid = target.post_id
        return self._emit(_targets_changed([(target_id, pid)], "confirmed"))

    # --- the post follows its targets ----------------------------------------------------------

    def _settle_post(self, s: Session, post_id: int) -> None:
        post = s.get(Post, post_id)
        if post is None:
            return
        states = [
            t.state
            for t in s.scalars(select(Target).where(Target.post_id == post_id))
            if t.state != TargetState.CANCELLED.value
        ]
        if not states:
            return
        busy = {
            TargetState.PENDING,
            TargetState.QUEUED,
            TargetState.PUBLISHING,
            TargetState.NEEDS_CONFIRMATION,
        }
        if any(TargetState(st) in busy for st in states):
            return
        if all(st == TargetState.PUBLISHED.value for st in states):
            new = PostStatus.PUBLISHED
        elif TargetState.FAILED.value in states:
            new = PostStatus.FAILED
        else:
            new = PostStatus.MISSED
        if post.status != new.value:
            post.status = new.value
            post.revision += 1
            post.updated_at = self.clock.now()
            if new == PostStatus.PUBLISHED:
                post.published_at = self.clock.now()

    # --- status for the UI ---------------------------------------------------------------------

    def attention_counts(self) -> dict[str, int]:
        """Targets that need the person: failed, missed, waiting for a decision."""
        states = (TargetState.FAILED, TargetState.MISSED, TargetState.NEEDS_CONFIRMATION)
        t = Target.__table__.c
        with self._read() as s:
            rows = s.execute(
                select(t.state, func.count())
                .where(t.state.in_([x.value for x in states]))
                .group_by(t.state)
            ).all()
        counts = {x.value: 0 for x in states}
        counts.update({st: n for st, n in rows})
        return counts

    def waiting_for_network(self) -> bool:
        with self._read() as s:
            return (
                s.scalar(
                    select(Target.id)
                    .where(
                        and_(
                            Target.state == TargetState.QUEUED.value,
                            Target.last_error == WAITING_FOR_NETWORK,
                        )
                    )
                    .limit(1)
                )
                is not None
            )


WAITING_FOR_NETWORK = "Waiting for the network to come back."


class LeaseLostError(Exception):
    """The process no longer holds the target; it must stop without sending anything."""

    def __init__(self, target_id: int) -> None:
        super().__init__(f"lease on target {target_id} lost")
        self.target_id = target_id


def _parts_from_payload(payload: Mapping[str, Any]) -> tuple[PostPart, ...]:
    parts = []
    for part in payload.get("parts") or []:
        media = tuple(
            MediaItem(
                path=m["path"],
                mime_type=m["mime_type"],
                alt_text=m.get("alt_text") or "",
                width=m.get("width"),
                height=m.get("height"),
                size_bytes=m.get("size_bytes"),
            )
            for m in part.get("media") or []
        )
        parts.append(PostPart(text=part.get("text") or "", media=media))
    return tuple(parts)


def _targets_changed(pairs: Sequence[tuple[int, int]], what: str = "") -> ChangeSet:
    return ChangeSet.of(
        updated=[("target", t) for t, _ in pairs] + [("post", p) for _, p in pairs],
        description=f"engine:{what}" if what else "engine",
    )
