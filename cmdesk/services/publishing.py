"""The publishing engine's side of the database: claims, the outbox, outcomes and decisions.

Every step is its own short transaction, so a crash at any point leaves the plan consistent:

1. ``mark_missed``: queued targets that were never tried and whose time passed more than the
   grace period ago (the computer was off or asleep) become ``missed``; the person decides.
2. ``claim``: one conditional UPDATE per target (``state='queued' AND due ...``) takes it with a
   lease; only the process whose UPDATE changed exactly one row publishes it. The first claim
   freezes the payload and mints the idempotency token; every retry reuses both. The engine
   claims up to a few seconds before the time (``ahead``) and waits for ``Job.ready_at``.
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, select, update
from sqlalchemy.orm import Session, selectinload

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
#: A hand-off needs the post this far ahead (Mastodon refuses under 5 minutes; networks.md 1.5).
HANDOFF_MIN_LEAD = timedelta(minutes=6)
#: How long after a handed-off post's time cmdesk first looks whether it went out.
HANDOFF_CHECK_DELAY = timedelta(minutes=1)
#: Never publish a post more than this before its time.
EARLY_TOLERANCE = timedelta(seconds=30)
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
    planned_at: datetime | None = None
    #: The engine's own notes on the target (``ENGINE_KEYS``), kept apart from the adapter's state.
    engine_state: Mapping[str, Any] = field(default_factory=dict)
    #: When it may go out (its time, or its retry time); a job claimed ahead waits for it.
    ready_at: datetime | None = None

    @property
    def handed_off(self) -> Mapping[str, Any] | None:
        """What an earlier attempt handed to the server's scheduler, if it did."""
        value = self.engine_state.get("handed_off")
        return value if isinstance(value, Mapping) else None


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
        """The earliest instant at which something may become claimable (or a lease expire).

        Uses the same rule as ``due_target_ids``: a target waiting for its retry, or on a
        channel that cannot publish, must not wake the engine before it could be taken.
        """
        candidates = [v for v in self.wakeups() if v is not None]
        return min(candidates) if candidates else None

    def wakeups(self) -> tuple[datetime | None, datetime | None]:
        """The earliest instant a queued target may be taken, and the earliest lease expiry."""
        t = Target.__table__.c
        with self._read() as s:
            ready = s.scalar(_claimable(select(func.min(_ready_at()))))
            lease = s.scalar(
                select(func.min(t.lease_until)).where(t.state == TargetState.PUBLISHING.value)
            )
        return ready, lease

    def release_stale_leases(self) -> ChangeSet:
        """Give back targets whose lease ran out or whose owner process died."""
        now = self.clock.now()
        released: list[tuple[int, int]] = []
        with self._read() as s:  # looking is cheap; a write transaction only if needed
            rows = s.execute(
                select(Target.id, Target.post_id, Target.lease_owner, Target.lease_until).where(
                    Target.state == TargetState.PUBLISHING.value
                )
            ).all()
        stale = [
            (tid, pid, owner)
            for tid, pid, owner, until in rows
            if (until is not None and until <= now) or (owner and _owner_is_dead(owner))
        ]
        if not stale:
            return ChangeSet()
        with self._write() as s:
            for tid, pid, owner in stale:
                # Only if nobody re-claimed it since it was read.
                result = s.connection().execute(
                    update(Target)
                    .where(
                        Target.id == tid,
                        Target.state == TargetState.PUBLISHING.value,
                        Target.lease_owner == owner,
                    )
                    .values(state=TargetState.QUEUED.value, lease_owner=None, lease_until=None)
                )
                if result.rowcount == 1:
                    released.append((tid, pid))
        if released:
            log.info("released %d stale lease(s)", len(released))
        return self._emit(_targets_changed(released))

    def mark_missed(self, grace: timedelta) -> ChangeSet:
        """Never-tried targets whose time passed more than ``grace`` ago become missed."""
        now = self.clock.now()
        limit = now - grace
        query = select(Target.id, Target.post_id).where(
            Target.state == TargetState.QUEUED.value,
            Target.attempts == 0,
            Target.due_at < limit,
        )
        with self._read() as s:  # looking is cheap; a write transaction only if needed
            if s.execute(query.limit(1)).first() is None:
                return ChangeSet()
        with self._write() as s:
            rows = [(tid, pid) for tid, pid in s.execute(query)]
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

    def due_target_ids(self, limit: int, *, ahead: timedelta = timedelta(0)) -> list[int]:
        """Queued targets that may be claimed now, oldest first (channels that can publish).

        ``ahead`` also takes those that become due within that time.
        """
        now = self.clock.now()
        with self._read() as s:
            q = _claimable(select(Target.id)).where(_ready_at() <= now + ahead)
            return list(s.scalars(q.order_by(Target.due_at, Target.id).limit(limit)))

    def upcoming_target_ids(self, within: timedelta, limit: int) -> list[int]:
        """Queued targets not due yet that become due within ``within``, soonest first.

        The engine claims these a few seconds early, so that the database work is done before
        the minute; its workers wait for each job's instant (``Job.ready_at``) before sending.
        """
        now = self.clock.now()
        ready = _ready_at()
        with self._read() as s:
            q = _claimable(select(Target.id)).where(ready > now, ready <= now + within)
            return list(s.scalars(q.order_by(ready, Target.id).limit(limit)))

    # --- claiming ------------------------------------------------------------------------------

    def claim(self, target_id: int, owner: str) -> Job | None:
        """Take one due target for publishing; None if another process (or thread) took it."""
        jobs = self.claim_many([target_id], owner)
        return jobs[0] if jobs else None

    def claim_many(
        self, target_ids: Sequence[int], owner: str, *, ahead: timedelta = timedelta(0)
    ) -> list[Job]:
        """Take several due targets in one transaction; those another process took are skipped.

        One conditional UPDATE (``state='queued' AND due ...``) takes them all: each row changes
        for at most one claimer, and RETURNING says which changed for us. The posts, channels
        and media of the claimed targets are then read in a few queries, not a few per target.
        """
        if not target_ids:
            return []
        now = self.clock.now()
        with self._write() as s:
            claimed = list(
                s.connection()
                .execute(
                    update(Target)
                    .where(
                        Target.id.in_(list(target_ids)),
                        Target.state == TargetState.QUEUED.value,
                        _ready_at() <= now + ahead,
                    )
                    .values(
                        state=TargetState.PUBLISHING.value,
                        lease_owner=owner,
                        lease_until=now + LEASE,
                        attempts=Target.attempts + 1,
                        updated_at=now,
                    )
                    .returning(Target.id)
                )
                .scalars()
            )
            if not claimed:
                return []
            targets = list(
                s.scalars(
                    select(Target)
                    .where(Target.id.in_(claimed))
                    .options(selectinload(Target.post).selectinload(Post.variants))
                    .order_by(Target.due_at, Target.id)
                )
            )
            channels = {
                c.id: c
                for c in s.scalars(
                    select(Channel).where(Channel.id.in_({t.channel_id for t in targets}))
                )
            }
            media = self._media_by_post(s, {t.post_id for t in targets if t.payload is None})
            jobs = [self._job(t, channels[t.channel_id], media, now) for t in targets]
        return [job for job in jobs if job is not None]

    def _job(
        self,
        target: Target,
        channel: Channel,
        media: Mapping[int, list[MediaAsset]],
        now: datetime,
    ) -> Job | None:
        """The job for a target just claimed (its payload and key frozen on the first claim)."""
        post = target.post
        if target.idempotency_token is None:
            target.idempotency_token = uuid.uuid4().hex
        if target.payload is None:
            target.payload = self._freeze_payload(post, target, media.get(post.id, []))
        options = dict(target.payload.get("options") or {})
        progress = dict(target.progress or {})
        hand_off_at = None
        if (
            options.get("hand_off")
            and "handed_off" not in progress
            and "handoff_refused" not in progress
            and post.scheduled_at is not None
            and post.scheduled_at - now >= HANDOFF_MIN_LEAD
        ):
            hand_off_at = post.scheduled_at
        elif (
            "handed_off" not in progress
            and post.scheduled_at is not None
            and post.scheduled_at > now + EARLY_TOLERANCE
        ):
            # Taken early for a hand-off that is no longer possible (too close now, or the
            # server refused it): never publish before the post's time; wait for it.
            target.state = TargetState.QUEUED.value
            target.due_at = post.scheduled_at
            target.attempts = max(0, target.attempts - 1)
            target.lease_owner = target.lease_until = None
            return None
        return Job(
            target_id=target.id,
            post_id=post.id,
            channel_id=channel.id,
            network=channel.network,
            is_demo=channel.is_demo,
            credential_ref=channel.credential_ref,
            request=PublishRequest(
                target_id=target.id,
                channel=channel_ref(channel),
                parts=_parts_from_payload(target.payload),
                idempotency_token=target.idempotency_token,
                options=options,
                state={k: v for k, v in progress.items() if k not in ENGINE_KEYS},
                attempt=target.attempts,
                scheduled_at=hand_off_at,
            ),
            planned_at=post.scheduled_at,
            engine_state={k: v for k, v in progress.items() if k in ENGINE_KEYS},
            ready_at=_target_ready_at(target),
        )

    def problems(self, post_id: int, registry: AdapterRegistry) -> dict[str, list[Problem]]:
        """What each channel's adapter says keeps this post from going out as it is."""
        out: dict[str, list[Problem]] = {}
        with self._read() as s:
            post = repo.get_post(s, post_id)
            assets = self._media_by_post(s, {post.id})[post.id]  # once, for every channel
            for target in post.targets:
                if target.state == TargetState.CANCELLED.value:
                    continue
                channel = repo.get_channel(s, target.channel_id)
                payload = target.payload or self._freeze_payload(post, target, assets)
                ref = channel_ref(channel)
                adapter = registry.get("demo" if channel.is_demo else channel.network)
                options = dict(payload.get("options") or {})
                out[channel.name] = adapter.validate(ref, _parts_from_payload(payload), options)
        return out

    def credentials_for(self, job: Job) -> CredentialHandle:
        return StoredCredentials(self.credentials, job.credential_ref, job.request.channel.name)

    def _freeze_payload(
        self, post: Post, target: Target, assets: Sequence[MediaAsset]
    ) -> dict[str, Any]:
        """What this target will send, fixed at the first attempt and reused by every retry."""
        variant = next((v for v in post.variants if v.channel_id == target.channel_id), None)
        if variant is not None and variant.thread_parts:
            texts = list(variant.thread_parts)
        else:
            texts = [
                variant.text if variant is not None and variant.text is not None else post.text
            ]
        chosen = list(assets)
        if variant is not None and variant.media_ids:
            by_id = {a.id: a for a in assets}
            chosen = [by_id[i] for i in variant.media_ids if i in by_id]
        media = [self._media_item(a) for a in chosen]
        parts = [{"text": text, "media": media if i == 0 else []} for i, text in enumerate(texts)]
        options = dict(variant.options) if variant is not None and variant.options else {}
        return {"parts": parts, "options": options}

    def _media_by_post(self, s: Session, post_ids: set[int]) -> dict[int, list[MediaAsset]]:
        """Each post's media, in order, for many posts in one query."""
        found: dict[int, list[MediaAsset]] = {pid: [] for pid in post_ids}
        if not post_ids:
            return found
        q = (
            select(PostMedia.post_id, MediaAsset)
            .join(MediaAsset, MediaAsset.id == PostMedia.media_id)
            .where(PostMedia.post_id.in_(post_ids))
            .order_by(PostMedia.post_id, PostMedia.position)
        )
        for pid, asset in s.execute(q):
            found[pid].append(asset)
        return found

    def _media_item(self, a: MediaAsset) -> dict[str, Any]:
        return {
            "path": str(self.media_root / a.path),
            "mime_type": a.mime_type,
            "alt_text": a.alt_text,
            "width": a.width,
            "height": a.height,
            "size_bytes": a.size_bytes,
        }

    # --- while publishing ----------------------------------------------------------------------

    def checkpoint(self, target_id: int, owner: str, state: Mapping[str, Any]) -> None:
        """Store the adapter's outbox state before a remote create; extends the lease.

        Raises ``LeaseLostError`` if this process no longer holds the target (its lease expired
        and another process took it): sending now could publish twice.
        """
        if not self.checkpoint_many([(target_id, owner, state)])[0]:
            raise LeaseLostError(target_id)

    def checkpoint_many(self, items: Sequence[tuple[int, str, Mapping[str, Any]]]) -> list[bool]:
        """Store several checkpoints in one transaction (group commit); True where still held.

        Written with Core (one read, one executemany): this is on every publish's path.
        """
        now = self.clock.now()
        t = Target.__table__.c
        with self._write() as s:
            conn = s.connection()
            # FOR UPDATE on PostgreSQL (SQLite's BEGIN IMMEDIATE already holds the write lock).
            current = {
                tid: (state, owner, progress)
                for tid, state, owner, progress in conn.execute(
                    select(t.id, t.state, t.lease_owner, t.progress)
                    .where(t.id.in_([tid for tid, _, _ in items]))
                    .with_for_update()
                )
            }
            held: list[bool] = []
            rows: list[dict[str, Any]] = []
            for target_id, owner, state in items:
                found = current.get(target_id)
                ok = (
                    found is not None
                    and found[0] == TargetState.PUBLISHING.value
                    and found[1] == owner
                )
                held.append(ok)
                if ok and found is not None:
                    kept = {k: v for k, v in (found[2] or {}).items() if k in ENGINE_KEYS}
                    rows.append({"tid": target_id, "progress": {**dict(state), **kept}})
            if rows:
                conn.execute(
                    update(Target)
                    .where(t.id == bindparam("tid"))
                    .values(
                        progress=bindparam("progress"),
                        lease_until=now + LEASE,
                        updated_at=now,
                    ),
                    rows,
                )
        return held

    # --- outcomes ------------------------------------------------------------------------------

    def succeed(self, target_id: int, owner: str, result: PublishResult) -> ChangeSet:
        return self.succeed_many([(target_id, owner, result)])

    def succeed_many(self, outcomes: Sequence[tuple[int, str, PublishResult]]) -> ChangeSet:
        """Record several publishes in one transaction (the engine batches them under load)."""
        now = self.clock.now()
        done: list[tuple[int, int]] = []
        with self._write() as s:
            for target_id, owner, result in outcomes:
                target = self._held(s, target_id, owner)
                if target is None:
                    continue
                target.state = TargetState.PUBLISHED.value
                target.remote_id = result.remote_id
                target.remote_url = result.url
                target.published_at = result.published_at or now
                target.last_error = ""
                target.next_retry_at = None
                target.lease_owner = target.lease_until = None
                target.updated_at = now
                done.append((target_id, target.post_id))
            s.flush()
            for pid in {p for _, p in done}:
                self._settle_post(s, pid)
        return self._emit(_targets_changed(done, "published"))

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

    def handed_off(self, target_id: int, owner: str, result: PublishResult) -> ChangeSet:
        """The server's scheduler has the post: check after its time that it went out."""

        def adjust(s: Session, target: Target) -> None:
            planned = repo.get_post(s, target.post_id).scheduled_at or self.clock.now()
            target.progress = {
                **(target.progress or {}),
                "handed_off": {"scheduled_id": result.remote_id, "at": planned.isoformat()},
            }
            target.remote_id = result.remote_id
            target.due_at = planned + HANDOFF_CHECK_DELAY
            target.next_retry_at = None
            target.last_error = ""

        return self._requeue(target_id, owner, "handed_off", adjust)

    def handoff_refused(self, target_id: int, owner: str, message: str) -> ChangeSet:
        """The server would not take the hand-off: cmdesk publishes it itself at its time."""

        def adjust(s: Session, target: Target) -> None:
            target.progress = {**(target.progress or {}), "handoff_refused": message}
            target.due_at = repo.get_post(s, target.post_id).scheduled_at
            target.attempts = 0  # a plain scheduled post again, missed-post rule included
            target.next_retry_at = None
            target.last_error = f"The server's scheduler refused it ({message}); cmdesk sends it."

        return self._requeue(target_id, owner, "handoff_refused", adjust)

    def check_again_later(self, target_id: int, owner: str, at: datetime) -> ChangeSet:
        """A handed-off post is not out yet: look again at ``at`` (not a failed try)."""

        def adjust(_s: Session, target: Target) -> None:
            target.attempts = max(1, target.attempts - 1)
            target.next_retry_at = at

        return self._requeue(target_id, owner, "waiting", adjust)

    def release(self, target_id: int, owner: str) -> ChangeSet:
        """Give a claimed target back untried (its channel cannot publish right now)."""

        def adjust(_s: Session, target: Target) -> None:
            target.attempts = max(0, target.attempts - 1)

        return self._requeue(target_id, owner, "released", adjust)

    def wait_for_network(self, target_id: int, owner: str) -> ChangeSet:
        """No connectivity: the target waits in the queue; this is not counted as a failure."""
        now = self.clock.now()

        def adjust(_s: Session, target: Target) -> None:
            # Being offline is not a failed try; it still counts as tried (never "missed").
            target.attempts = max(1, target.attempts - 1)
            target.next_retry_at = now + OFFLINE_RECHECK
            target.last_error = WAITING_FOR_NETWORK

        return self._requeue(target_id, owner, "offline", adjust)

    def _requeue(
        self,
        target_id: int,
        owner: str,
        what: str,
        adjust: Callable[[Session, Target], None],
    ) -> ChangeSet:
        """Put a held target back in the queue after ``adjust`` set what differs, and say so."""
        with self._write() as s:
            target = self._held(s, target_id, owner)
            if target is None:
                return ChangeSet()
            adjust(s, target)
            target.state = TargetState.QUEUED.value
            target.lease_owner = target.lease_until = None
            target.updated_at = self.clock.now()
            pid = target.post_id
        return self._emit(_targets_changed([(target_id, pid)], what))

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
                # The adapter may resend without searching for it again (adapters/base.py).
                target.progress = {**(target.progress or {}), "confirmed_not_sent": True}
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
#: Keys of a target's progress that belong to the engine, never shown to the adapter.
ENGINE_KEYS = frozenset({"handed_off", "handoff_refused"})


class LeaseLostError(Exception):
    """The process no longer holds the target; it must stop without sending anything."""

    def __init__(self, target_id: int) -> None:
        super().__init__(f"lease on target {target_id} lost")
        self.target_id = target_id


def _ready_at() -> ColumnElement[datetime]:
    """When a queued target may be taken: its time, or its retry time if that is later."""
    t = Target.__table__.c
    return case(
        (and_(t.next_retry_at.is_not(None), t.next_retry_at > t.due_at), t.next_retry_at),
        else_=t.due_at,
    )


def _target_ready_at(target: Target) -> datetime | None:
    """``_ready_at`` for a loaded target."""
    due, retry = target.due_at, target.next_retry_at
    if retry is not None and (due is None or retry > due):
        return retry
    return due


def _claimable(q: Select[Any]) -> Select[Any]:
    """Restrict a query on targets to queued ones on channels that can publish."""
    return q.join(Channel, Channel.id == Target.channel_id).where(
        Target.state == TargetState.QUEUED.value,
        Channel.removed_at.is_(None),
        Channel.health == "ok",
    )


def channel_ref(channel: Channel) -> ChannelRef:
    """The channel as an adapter sees it (no secret, no database)."""
    return ChannelRef(
        id=channel.id,
        network=channel.network,
        name=channel.name,
        handle=channel.handle,
        base_url=channel.base_url,
        limits=dict(channel.limits or {}),
    )


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
