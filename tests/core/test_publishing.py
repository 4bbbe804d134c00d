"""The publishing engine against a scripted adapter: exactly once, retries, leases, decisions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from cmdesk.adapters.base import (
    AmbiguousError,
    AuthExpired,
    NetworkUnavailable,
    PermanentError,
    RateLimited,
    TransientError,
)
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.dto import PostInput
from cmdesk.errors import ValidationError
from cmdesk.scheduler import PublishingEngine
from cmdesk.services.publishing import MAX_ATTEMPTS
from cmdesk.status import PostStatus, TargetState
from tests.core.helpers import madrid, workspace
from tests.fakes.adapters import ScriptedAdapter, raising

DUE = madrid(date(2026, 3, 20), 12)  # 11:00 UTC, an hour after the fake clock's start


@pytest.fixture
def fake() -> ScriptedAdapter:
    return ScriptedAdapter()


@pytest.fixture
def ctx(db_url: str, clock: FakeClock, fake: ScriptedAdapter) -> Iterator[AppContext]:
    registry = AdapterRegistry()
    registry.register("fake", lambda: fake)
    from cmdesk.adapters.demo import DemoAdapter

    registry.register("demo", DemoAdapter)
    context = build_context(
        db_url, clock=clock, credentials=MemoryCredentialStore(), adapters=registry
    )
    yield context
    context.close()


@pytest.fixture
def engine(ctx: AppContext) -> Iterator[PublishingEngine]:
    eng = PublishingEngine(ctx.publishing, ctx.settings, ctx.adapters, ctx.hub, workers=2)
    yield eng
    eng.stop()


def fake_channel(ctx: AppContext, wid: int, name: str = "Fake") -> int:
    cid = ctx.channels.add(wid, "fake", name, credentials={"token": "t0k"}).subject
    assert cid is not None
    return cid


def scheduled(ctx: AppContext, wid: int, channels: tuple[int, ...], text: str = "Hola") -> int:
    pid = ctx.plan.create_post(
        wid,
        PostInput(text=text, channel_ids=channels),
        status=PostStatus.SCHEDULED,
        scheduled_at=DUE,
    ).subject
    assert pid is not None
    return pid


def run(engine: PublishingEngine) -> int:
    started = engine.dispatch_once()
    assert engine.wait_idle(10)
    return started


def target(ctx: AppContext, pid: int, index: int = 0):  # type: ignore[no-untyped-def]
    return ctx.plan.get_post(pid).targets[index]


def at_due(clock: FakeClock, plus: timedelta = timedelta(0)) -> None:
    clock.set(DUE + plus)


def test_nothing_goes_out_before_its_time(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter
) -> None:
    wid = workspace(ctx)
    scheduled(ctx, wid, (fake_channel(ctx, wid),))
    assert run(engine) == 0 and fake.remote == []
    assert ctx.publishing.next_wakeup() == DUE


def test_a_due_post_is_published_once_on_each_channel(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    a, b = fake_channel(ctx, wid, "A"), fake_channel(ctx, wid, "B")
    pid = scheduled(ctx, wid, (a, b))
    at_due(clock, timedelta(seconds=5))
    assert run(engine) == 2
    assert run(engine) == 0  # nothing left to claim
    detail = ctx.plan.get_post(pid)
    assert detail.status == PostStatus.PUBLISHED
    assert [t.state for t in detail.targets] == [TargetState.PUBLISHED] * 2
    assert all(
        t.remote_url and t.remote_url.startswith("https://fake.example/") for t in detail.targets
    )
    assert fake.texts() == ["Hola", "Hola"]
    assert fake.secrets_seen == [{"token": "t0k"}] * 2  # the adapter got the stored credentials


def test_claim_is_exclusive(ctx: AppContext, clock: FakeClock) -> None:
    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    at_due(clock)
    tid = target(ctx, pid).id
    assert ctx.publishing.claim(tid, "host:1:a") is not None
    assert ctx.publishing.claim(tid, "host:2:b") is None


def test_many_engines_racing_publish_each_target_once(
    ctx: AppContext, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    channels = tuple(fake_channel(ctx, wid, f"C{i}") for i in range(3))
    for i in range(20):
        scheduled(ctx, wid, channels, text=f"post {i}")
    at_due(clock)
    engines = [
        PublishingEngine(ctx.publishing, ctx.settings, ctx.adapters, ctx.hub, workers=3)
        for _ in range(4)
    ]
    barrier = threading.Barrier(len(engines))

    def race(e: PublishingEngine) -> None:
        # Everyone sees every target as due, then all claim at once: only leases decide.
        due = ctx.publishing.due_target_ids(limit=100)
        barrier.wait()
        for tid in due:
            job = ctx.publishing.claim(tid, e.owner)
            if job is not None:
                e.run_job(job)

    threads = [threading.Thread(target=race, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in engines:
        e.stop()
    # One publish call per target: no second process ever started sending a claimed target.
    assert sorted(c.target_id for c in fake.calls) == sorted({c.target_id for c in fake.calls})
    assert len(fake.calls) == 60 and len(fake.remote) == 60


def test_transient_error_retries_with_backoff_then_succeeds(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    fake.script = [raising(TransientError("Server busy"))]
    at_due(clock)
    run(engine)
    t = target(ctx, pid)
    assert t.state == TargetState.QUEUED and t.last_error == "Server busy"
    assert t.next_retry_at is not None and t.next_retry_at > clock.now()
    assert run(engine) == 0  # not before the retry time
    clock.set(t.next_retry_at)
    run(engine)
    assert target(ctx, pid).state == TargetState.PUBLISHED
    tokens = {c.idempotency_token for c in fake.calls}
    assert len(tokens) == 1  # the retry reused the key


def test_gives_up_after_max_attempts(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    fake.script = [raising(TransientError("Server busy")) for _ in range(MAX_ATTEMPTS)]
    at_due(clock)
    for _ in range(MAX_ATTEMPTS):
        run(engine)
        retry = target(ctx, pid).next_retry_at
        if retry:
            clock.set(retry)
    t = target(ctx, pid)
    assert t.state == TargetState.FAILED and "gave up after" in t.last_error
    assert ctx.plan.get_post(pid).status == PostStatus.FAILED


def test_rate_limit_waits_until_the_network_says(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    at_due(clock)
    until = datetime.now(UTC) + timedelta(minutes=7)
    fake.script = [raising(RateLimited("Slow down", retry_at=until))]
    run(engine)
    t = target(ctx, pid)
    assert t.state == TargetState.QUEUED and t.next_retry_at is not None
    wait = t.next_retry_at - clock.now()
    assert timedelta(minutes=6, seconds=55) <= wait <= timedelta(minutes=7, seconds=5)


def test_offline_waits_and_is_not_missed_later(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    at_due(clock)
    fake.script = [raising(NetworkUnavailable("offline")) for _ in range(3)]
    for _ in range(3):
        run(engine)
        assert ctx.publishing.waiting_for_network()
        clock.advance(timedelta(minutes=20))  # longer than the missed-post grace period
    run(engine)
    assert target(ctx, pid).state == TargetState.PUBLISHED
    assert not ctx.publishing.waiting_for_network()


def test_permanent_error_fails_at_once_and_can_be_fixed(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    pid = scheduled(ctx, wid, (cid,))
    at_due(clock)
    fake.script = [raising(PermanentError("The text is over 500 characters."))]
    run(engine)
    t = target(ctx, pid)
    assert t.state == TargetState.FAILED and t.attempts == 1
    assert ctx.plan.get_post(pid).status == PostStatus.FAILED
    # Nothing went out, so the person may edit the post and send it again.
    ctx.plan.update_post(pid, PostInput(text="Shorter", channel_ids=(cid,)))
    ctx.plan.publish_now(pid)
    run(engine)
    assert target(ctx, pid).state == TargetState.PUBLISHED and fake.texts() == ["Shorter"]


def test_expired_sign_in_fails_and_marks_the_channel(
    ctx: AppContext, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    first = scheduled(ctx, wid, (cid,))
    second = scheduled(ctx, wid, (cid,), text="second")
    at_due(clock)
    fake.script = [raising(AuthExpired("Reconnect the channel."))]
    # One worker: the second post, already claimed, is handed back unrun once the first fails.
    engine = PublishingEngine(ctx.publishing, ctx.settings, ctx.adapters, ctx.hub, workers=1)
    run(engine)
    assert ctx.channels.get(cid).health == "needs_reauth"
    states = {target(ctx, first).state, target(ctx, second).state}
    assert states == {TargetState.FAILED, TargetState.QUEUED}
    assert run(engine) == 0  # the other post waits for the reconnection instead of failing too
    ctx.channels.update_connection(cid, credentials={"token": "new"})
    run(engine)
    engine.stop()
    assert TargetState.PUBLISHED in {target(ctx, first).state, target(ctx, second).state}


def test_ambiguous_failure_asks_the_person(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    at_due(clock)
    fake.script = [raising(AmbiguousError("The connection dropped after sending."))]
    run(engine)
    t = target(ctx, pid)
    assert t.state == TargetState.NEEDS_CONFIRMATION and "mark it as sent" in t.last_error
    assert run(engine) == 0  # never resent on its own
    ctx.publishing.confirm(t.id, sent=False)
    run(engine)
    assert target(ctx, pid).state == TargetState.PUBLISHED
    assert len({c.idempotency_token for c in fake.calls}) == 1


def test_confirming_sent_marks_it_published(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    at_due(clock)
    fake.script = [raising(AmbiguousError("Timed out."))]
    run(engine)
    ctx.publishing.confirm(target(ctx, pid).id, sent=True, remote_url="https://x/1")
    assert ctx.plan.get_post(pid).status == PostStatus.PUBLISHED
    assert fake.remote == []
    with pytest.raises(ValidationError, match="not waiting for a decision"):
        ctx.publishing.confirm(target(ctx, pid).id, sent=True)


def test_missed_beyond_grace_waits_for_a_decision(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    late = scheduled(ctx, wid, (cid,), text="late but within grace")
    gone = ctx.plan.create_post(
        wid,
        PostInput(text="asleep too long", channel_ids=(cid,)),
        status=PostStatus.SCHEDULED,
        scheduled_at=DUE - timedelta(minutes=30),
    ).subject
    assert gone is not None
    # The laptop slept from before both until 10 minutes after DUE (grace: 15 minutes).
    at_due(clock, timedelta(minutes=10))
    run(engine)
    assert target(ctx, late).state == TargetState.PUBLISHED
    assert target(ctx, gone).state == TargetState.MISSED
    assert ctx.plan.get_post(gone).status == PostStatus.MISSED
    assert fake.texts() == ["late but within grace"]  # no burst of the old one
    ctx.plan.publish_now(gone)  # the person chooses
    run(engine)
    assert target(ctx, gone).state == TargetState.PUBLISHED


def test_grace_period_is_the_users_setting(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    ctx.settings.set("missed_grace_minutes", 0)
    at_due(clock, timedelta(minutes=2))
    run(engine)
    assert target(ctx, pid).state == TargetState.MISSED


def test_thread_resumes_from_the_first_part_not_out(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    pid = scheduled(ctx, wid, (cid,))
    ctx.plan.set_variant(pid, cid, text=None, thread_parts=["one", "two", "three"])
    at_due(clock)
    fake.fail_after_parts = 2
    fake.crash = TransientError("dropped")
    run(engine)
    assert fake.texts() == ["one", "two"]
    clock.set(target(ctx, pid).next_retry_at)  # type: ignore[arg-type]
    run(engine)
    assert fake.texts() == ["one", "two", "three"]
    assert target(ctx, pid).state == TargetState.PUBLISHED


def test_a_lease_of_a_dead_process_is_released(ctx: AppContext, clock: FakeClock) -> None:
    import socket

    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    at_due(clock)
    tid = target(ctx, pid).id
    dead = f"{socket.gethostname()}:999999:dead"
    assert ctx.publishing.claim(tid, dead) is not None
    ctx.publishing.release_stale_leases()
    assert target(ctx, pid).state == TargetState.QUEUED
    job = ctx.publishing.claim(tid, "me")
    assert job is not None and job.request.attempt == 2  # the first try counts


def test_an_expired_lease_is_released_and_a_stale_worker_cannot_write(
    ctx: AppContext, clock: FakeClock
) -> None:
    from cmdesk.services.publishing import LEASE, LeaseLostError

    wid = workspace(ctx)
    pid = scheduled(ctx, wid, (fake_channel(ctx, wid),))
    at_due(clock)
    tid = target(ctx, pid).id
    assert ctx.publishing.claim(tid, "otherhost:1:x") is not None
    clock.advance(LEASE + timedelta(seconds=1))
    ctx.publishing.release_stale_leases()
    assert ctx.publishing.claim(tid, "me") is not None
    with pytest.raises(LeaseLostError):
        ctx.publishing.checkpoint(tid, "otherhost:1:x", {"x": 1})


def test_paused_publishing_sends_nothing(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    scheduled(ctx, wid, (fake_channel(ctx, wid),))
    ctx.settings.set("publishing_paused", True)
    at_due(clock)
    assert run(engine) == 0 and fake.remote == []
    ctx.settings.set("publishing_paused", False)
    assert run(engine) == 1


def test_payload_is_frozen_once_sending_started(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    pid = scheduled(ctx, wid, (cid,), text="original")
    at_due(clock)
    fake.script = [raising(TransientError("busy"))]
    run(engine)
    with pytest.raises(ValidationError, match="started sending"):
        ctx.plan.update_post(pid, PostInput(text="changed", channel_ids=(cid,)))
    clock.set(target(ctx, pid).next_retry_at)  # type: ignore[arg-type]
    run(engine)
    assert fake.texts() == ["original"]


def test_demo_channels_publish_nowhere(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    ctx.demo.create_demo()
    clock.advance(timedelta(days=1))
    run(engine)
    published = [
        t
        for w in ctx.workspaces.list()
        for p in ctx.plan.list_posts(w.id)
        for t in ctx.plan.get_post(p.id).targets
        if t.state == TargetState.PUBLISHED and t.remote_id and t.remote_id.startswith("demo-")
    ]
    assert fake.remote == [] and fake.calls == []
    assert published, "demo posts due by now were marked published without any network"


def test_removed_channel_posts_are_not_published(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    a, b = fake_channel(ctx, wid, "A"), fake_channel(ctx, wid, "B")
    pid = scheduled(ctx, wid, (a, b))
    ctx.channels.remove(b)
    at_due(clock)
    run(engine)
    states = sorted(t.state for t in ctx.plan.get_post(pid).targets)
    assert states == [TargetState.CANCELLED, TargetState.PUBLISHED]
    assert ctx.plan.get_post(pid).status == PostStatus.PUBLISHED


def test_engine_runs_on_real_time_and_rearms_on_changes(
    ctx: AppContext, fake: ScriptedAdapter
) -> None:
    """With the real scheduler thread: a post due in a second goes out without any polling call."""
    ctx.clock.set(datetime.now(UTC))  # type: ignore[attr-defined]
    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    eng = PublishingEngine(ctx.publishing, ctx.settings, ctx.adapters, ctx.hub, workers=2)
    eng.start()
    try:
        ctx.plan.create_post(
            wid,
            PostInput(text="soon", channel_ids=(cid,)),
            status=PostStatus.SCHEDULED,
            scheduled_at=datetime.now(UTC),
        )
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while not fake.remote and datetime.now(UTC) < deadline:
            threading.Event().wait(0.05)
            ctx.clock.set(datetime.now(UTC))  # type: ignore[attr-defined]
        assert fake.texts() == ["soon"]
    finally:
        eng.stop()


def test_checkpoints_from_many_workers_share_transactions_and_respect_leases(
    ctx: AppContext, clock: FakeClock
) -> None:
    from cmdesk.scheduler import CheckpointWriter
    from cmdesk.services.publishing import LeaseLostError

    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    posts = [scheduled(ctx, wid, (cid,), text=f"p{i}") for i in range(12)]
    at_due(clock)
    jobs = ctx.publishing.claim_many(ctx.publishing.due_target_ids(50), "me")
    assert len(jobs) == 12
    writer = CheckpointWriter(ctx.publishing)
    try:
        threads = [
            threading.Thread(target=writer.write, args=(j.target_id, "me", {"n": j.target_id}))
            for j in jobs
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert all(target(ctx, p).state == TargetState.PUBLISHING for p in posts)
        with pytest.raises(LeaseLostError):  # someone else's lease: refused, nothing written
            writer.write(jobs[0].target_id, "another-process", {"n": -1})
    finally:
        writer.stop()
    with ctx.db.session(write=False) as s:
        from cmdesk.models import Target

        stored = {t.id: t.progress for t in s.query(Target)}
    assert all(stored[j.target_id] == {"n": j.target_id} for j in jobs)


def test_successes_recorded_in_batches_all_land(ctx: AppContext, clock: FakeClock) -> None:
    from cmdesk.adapters.base import PublishResult
    from cmdesk.scheduler import SuccessRecorder

    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    posts = [scheduled(ctx, wid, (cid,), text=f"p{i}") for i in range(30)]
    at_due(clock)
    jobs = ctx.publishing.claim_many(ctx.publishing.due_target_ids(50), "me")
    recorder = SuccessRecorder(ctx.publishing, max_batch=7)
    try:
        for j in jobs:
            recorder.add(j.target_id, "me", PublishResult(remote_id=f"r{j.target_id}", url=None))
        assert recorder.flush(10)
    finally:
        recorder.stop()
    assert {ctx.plan.get_post(p).status for p in posts} == {PostStatus.PUBLISHED}
    assert {target(ctx, p).remote_id for p in posts} == {f"r{j.target_id}" for j in jobs}


def test_next_wakeup_follows_what_can_really_be_claimed(
    ctx: AppContext, engine: PublishingEngine, fake: ScriptedAdapter, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    pid = scheduled(ctx, wid, (cid,))
    at_due(clock)
    fake.script = [raising(TransientError("busy"))]
    run(engine)
    retry = target(ctx, pid).next_retry_at
    assert retry is not None and retry > clock.now()
    # Waiting for its retry: the engine sleeps until then, not "now" over and over.
    assert ctx.publishing.next_wakeup() == retry
    ctx.channels.set_health(cid, "needs_reauth", "sign in again")
    assert ctx.publishing.next_wakeup() is None  # nothing can go out until it is reconnected


def test_a_paused_or_waiting_engine_does_not_spin(ctx: AppContext, fake: ScriptedAdapter) -> None:
    """With the real scheduler: a due post that cannot go out costs no busy loop."""
    ctx.clock.set(datetime.now(UTC))  # type: ignore[attr-defined]
    wid = workspace(ctx)
    cid = fake_channel(ctx, wid)
    ctx.plan.create_post(
        wid,
        PostInput(text="held", channel_ids=(cid,)),
        status=PostStatus.SCHEDULED,
        scheduled_at=datetime.now(UTC),
    )
    ctx.settings.set("publishing_paused", True)
    eng = PublishingEngine(ctx.publishing, ctx.settings, ctx.adapters, ctx.hub, workers=2)
    calls = 0
    original = eng.dispatch_once

    def counting() -> int:
        nonlocal calls
        calls += 1
        return original()

    eng.dispatch_once = counting  # type: ignore[method-assign]
    eng.start()
    try:
        threading.Event().wait(1.5)
    finally:
        eng.stop()
    assert fake.remote == []
    assert calls <= 3, f"{calls} dispatches in 1.5 s while paused"
