"""The plan service: posts created, edited, moved, scheduled and refused, one transaction each."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, PostInput
from cmdesk.errors import NotFoundError, TransitionError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import at_wall_time, utc_to_local
from tests.core.helpers import channel, madrid, post, workspace

# The fake clock reads 2026-03-20 10:00 UTC (11:00 in Madrid), a week before the spring change.


def test_create_post_returns_and_emits_a_change_set(
    ctx: AppContext, events: list[ChangeSet]
) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    changes = ctx.plan.create_post(wid, PostInput(title="Hello", text="World", channel_ids=(cid,)))
    assert changes.subject is not None
    assert changes.ids("post", "created") == {changes.subject}
    assert events[-1] == changes
    detail = ctx.plan.get_post(changes.subject)
    assert (detail.title, detail.text, detail.status) == ("Hello", "World", PostStatus.DRAFT)
    assert detail.channel_ids == (cid,)
    assert detail.targets[0].state == TargetState.PENDING


def test_post_needs_a_title_or_text_and_nothing_is_written(ctx: AppContext) -> None:
    wid = workspace(ctx)
    with pytest.raises(ValidationError, match="title or some text"):
        ctx.plan.create_post(wid, PostInput(title="  ", text="\n"))
    assert ctx.plan.list_posts(wid) == []


def test_schedule_queues_one_target_per_channel(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a, b = channel(ctx, wid, "A"), channel(ctx, wid, "B", "bluesky")
    when = madrid(date(2026, 3, 24), 9)
    pid = post(ctx, wid, channels=(a, b), at=when)
    ctx.plan.schedule_post(pid)
    detail = ctx.plan.get_post(pid)
    assert detail.status == PostStatus.SCHEDULED
    assert {t.state for t in detail.targets} == {TargetState.QUEUED}
    assert {t.due_at for t in detail.targets} == {when}


def test_schedule_refuses_a_time_that_has_passed(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    pid = post(ctx, wid, channels=(cid,))
    before = ctx.plan.get_post(pid)
    with pytest.raises(ValidationError, match="already passed"):
        ctx.plan.schedule_post(pid, datetime(2026, 3, 19, 9, 0, tzinfo=UTC))
    after = ctx.plan.get_post(pid)
    assert after == before


def test_schedule_needs_a_channel_and_a_time(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=madrid(date(2026, 3, 25), 9))
    with pytest.raises(ValidationError, match="at least one channel"):
        ctx.plan.schedule_post(pid)
    cid = channel(ctx, wid)
    undated = post(ctx, wid, channels=(cid,))
    with pytest.raises(ValidationError, match="date and time"):
        ctx.plan.schedule_post(undated)
    assert ctx.plan.get_post(pid).status == PostStatus.DRAFT


def test_move_keeps_wall_clock_time_across_dst(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    pid = post(ctx, wid, channels=(cid,), at=madrid(date(2026, 3, 27), 9, 30))
    ctx.plan.schedule_post(pid)
    ctx.plan.move_post(pid, date(2026, 3, 30))  # after the change to summer time
    detail = ctx.plan.get_post(pid)
    local = utc_to_local(detail.scheduled_at, "Europe/Madrid")  # type: ignore[arg-type]
    assert (local.date(), local.time()) == (date(2026, 3, 30), time(9, 30))
    assert detail.targets[0].due_at == detail.scheduled_at  # the queue follows the move


def test_move_in_new_york_and_kiritimati(ctx: AppContext) -> None:
    for tz, day, new_day in (
        ("America/New_York", date(2026, 10, 30), date(2026, 11, 3)),
        ("Pacific/Kiritimati", date(2026, 3, 28), date(2026, 3, 31)),
    ):
        wid = workspace(ctx, tz, tz)
        pid = post(ctx, wid, at=at_wall_time(day, time(18, 45), tz))
        ctx.plan.move_post(pid, new_day)
        local = utc_to_local(ctx.plan.get_post(pid).scheduled_at, tz)  # type: ignore[arg-type]
        assert (local.date(), local.time()) == (new_day, time(18, 45))


def test_move_to_the_past_is_refused(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=madrid(date(2026, 3, 25), 9))
    with pytest.raises(ValidationError, match="already passed"):
        ctx.plan.move_post(pid, date(2026, 3, 19))
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 25), 9)


def test_published_post_cannot_move_or_be_edited(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=madrid(date(2026, 3, 25), 9))
    ctx.plan.change_status(pid, PostStatus.ARCHIVED)
    with pytest.raises(ValidationError, match="archived"):
        ctx.plan.move_post(pid, date(2026, 3, 26))


def test_unschedule_takes_the_post_off_the_queue_and_calendar(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    pid = post(
        ctx, wid, channels=(cid,), at=madrid(date(2026, 3, 25), 9), status=PostStatus.SCHEDULED
    )
    ctx.plan.unschedule_post(pid)
    detail = ctx.plan.get_post(pid)
    assert detail.status == PostStatus.DRAFT and detail.scheduled_at is None
    assert detail.targets[0].state == TargetState.PENDING and detail.targets[0].due_at is None
    assert [p.id for p in ctx.plan.list_unscheduled(wid)] == [pid]


def test_status_changes_follow_the_table(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, status=PostStatus.IDEA)
    with pytest.raises(TransitionError, match="idea becomes a draft first"):
        ctx.plan.change_status(pid, PostStatus.APPROVED)
    for step in (PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED):
        ctx.plan.change_status(pid, step)
    assert ctx.plan.get_post(pid).status == PostStatus.APPROVED
    with pytest.raises(TransitionError, match="publishing engine"):
        ctx.plan.change_status(pid, PostStatus.PUBLISHED)


def test_change_status_to_scheduled_queues_and_back_unqueues(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    pid = post(ctx, wid, channels=(cid,), at=madrid(date(2026, 3, 25), 9))
    ctx.plan.change_status(pid, PostStatus.SCHEDULED)
    assert ctx.plan.get_post(pid).targets[0].state == TargetState.QUEUED
    ctx.plan.change_status(pid, PostStatus.APPROVED)
    detail = ctx.plan.get_post(pid)
    assert detail.targets[0].state == TargetState.PENDING
    assert detail.scheduled_at is not None  # moving to approved keeps the planned time


def test_scheduled_post_cannot_be_archived_directly(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    pid = post(
        ctx, wid, channels=(cid,), at=madrid(date(2026, 3, 25), 9), status=PostStatus.SCHEDULED
    )
    with pytest.raises(TransitionError, match="unschedule it first"):
        ctx.plan.archive_post(pid)


def test_edit_replaces_content_and_channels(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a, b = channel(ctx, wid, "A"), channel(ctx, wid, "B")
    pid = post(ctx, wid, channels=(a,))
    rev = ctx.plan.get_post(pid).revision
    ctx.plan.update_post(
        pid, PostInput(title="New", text="Better", channel_ids=(b,)), expected_revision=rev
    )
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.text, detail.channel_ids) == ("New", "Better", (b,))
    assert detail.revision == rev + 1


def test_edit_with_a_stale_revision_is_refused(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid)
    ctx.plan.update_post(pid, PostInput(title="First edit"))
    with pytest.raises(ValidationError, match="changed elsewhere"):
        ctx.plan.update_post(pid, PostInput(title="Second window"), expected_revision=1)
    assert ctx.plan.get_post(pid).title == "First edit"


def test_channel_of_another_workspace_is_refused(ctx: AppContext) -> None:
    one, two = workspace(ctx, "One"), workspace(ctx, "Two")
    foreign = channel(ctx, two)
    with pytest.raises(ValidationError, match="not one of this workspace"):
        ctx.plan.create_post(one, PostInput(title="x", channel_ids=(foreign,)))
    assert ctx.plan.list_posts(one) == []


def test_duplicate_copies_content_as_a_draft(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    pid = post(
        ctx, wid, channels=(cid,), at=madrid(date(2026, 3, 25), 9), status=PostStatus.SCHEDULED
    )
    ctx.plan.set_variant(pid, cid, text="Mastodon version", options={"visibility": "unlisted"})
    copy_id = ctx.plan.duplicate_post(pid).subject
    assert copy_id is not None and copy_id != pid
    copy = ctx.plan.get_post(copy_id)
    assert copy.status == PostStatus.DRAFT
    assert copy.title == "Launch teaser (copy)"
    assert copy.scheduled_at == madrid(date(2026, 3, 25), 9)
    assert copy.variants[0].text == "Mastodon version"
    assert copy.targets[0].state == TargetState.PENDING


def test_duplicate_of_a_past_post_has_no_time(ctx: AppContext, clock: object) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=madrid(date(2026, 3, 21), 9))
    ctx.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    copy_id = ctx.plan.duplicate_post(pid).subject
    assert copy_id is not None
    assert ctx.plan.get_post(copy_id).scheduled_at is None


def test_delete_removes_the_post_and_its_targets(ctx: AppContext, events: list[ChangeSet]) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    pid = post(ctx, wid, channels=(cid,))
    ctx.plan.delete_post(pid)
    assert events[-1].ids("post", "deleted") == {pid}
    with pytest.raises(NotFoundError):
        ctx.plan.get_post(pid)


def test_list_window_returns_only_the_window_in_time_order(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    inside = [
        post(ctx, wid, title=f"in {d}", channels=(cid,), at=madrid(date(2026, 4, d), 9))
        for d in (15, 2, 30)
    ]
    post(ctx, wid, title="May", at=madrid(date(2026, 5, 1), 0, 30))
    post(ctx, wid, title="unscheduled")
    start, end = madrid(date(2026, 4, 1), 0), madrid(date(2026, 5, 1), 0)
    got = ctx.plan.list_window(wid, start, end)
    assert [p.id for p in got] == [inside[1], inside[0], inside[2]]
    assert got[0].channel_ids == (cid,)
    assert all(p.scheduled_at is not None and p.scheduled_at.tzinfo is not None for p in got)


def test_filters_by_channel_status_campaign_tag_and_text(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a, b = channel(ctx, wid, "A"), channel(ctx, wid, "B")
    p1 = post(ctx, wid, title="Roscón 100%", channels=(a,))
    p2 = post(ctx, wid, title="Other", text="café_con_leche", channels=(b,), status=PostStatus.IDEA)
    assert [p.id for p in ctx.plan.list_posts(wid, PostFilter(channel_ids=frozenset({b})))] == [p2]
    assert [
        p.id for p in ctx.plan.list_posts(wid, PostFilter(statuses=frozenset({PostStatus.IDEA})))
    ] == [p2]
    assert [p.id for p in ctx.plan.list_posts(wid, PostFilter(text="roscón"))] == [p1]
    # LIKE wildcards typed by the user are literal characters.
    assert [p.id for p in ctx.plan.list_posts(wid, PostFilter(text="100%"))] == [p1]
    assert [p.id for p in ctx.plan.list_posts(wid, PostFilter(text="é_c"))] == [p2]
    assert ctx.plan.list_posts(wid, PostFilter(text="%")) == [
        s for s in ctx.plan.list_posts(wid) if s.id == p1
    ]


def test_filter_by_campaign_and_tag(ctx: AppContext) -> None:
    ctx.demo.create_demo()
    wid = ctx.workspaces.find("Harbor Light Books").id  # type: ignore[union-attr]
    every = ctx.plan.list_posts(wid)
    with_campaign = [p for p in every if p.campaign_id is not None]
    assert with_campaign, "the demo puts posts in campaigns"
    cid = with_campaign[0].campaign_id
    assert cid is not None
    got = ctx.plan.list_posts(wid, PostFilter(campaign_ids=frozenset({cid})))
    assert {p.id for p in got} == {p.id for p in every if p.campaign_id == cid}


def test_count_by_status(ctx: AppContext) -> None:
    wid = workspace(ctx)
    post(ctx, wid, status=PostStatus.IDEA)
    post(ctx, wid, status=PostStatus.IDEA)
    post(ctx, wid)
    counts = ctx.plan.count_by_status(wid)
    assert counts[PostStatus.IDEA] == 2 and counts[PostStatus.DRAFT] == 1
    assert counts[PostStatus.PUBLISHED] == 0


def test_a_refused_call_emits_nothing(ctx: AppContext, events: list[ChangeSet]) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid)
    seen = len(events)
    with pytest.raises(ValidationError):
        ctx.plan.schedule_post(pid)
    assert len(events) == seen


def test_filter_by_tag_or_pillar(ctx: AppContext) -> None:
    ctx.demo.create_demo()
    ws = ctx.workspaces.find("Panadería La Espiga")
    assert ws is not None
    every = ctx.plan.list_posts(ws.id)
    details = [ctx.plan.get_post(p.id) for p in every]
    pillar = next(d.pillar_id for d in details if d.pillar_id is not None)
    tagged = next(d for d in details if d.tag_ids)
    tag = tagged.tag_ids[0]
    by_pillar = ctx.plan.list_posts(ws.id, PostFilter(tag_ids=frozenset({pillar})))
    assert {p.id for p in by_pillar} == {d.id for d in details if d.pillar_id == pillar}
    by_tag = ctx.plan.list_posts(ws.id, PostFilter(tag_ids=frozenset({tag})))
    assert {p.id for p in by_tag} == {d.id for d in details if tag in d.tag_ids}
    assert tagged.id in {p.id for p in by_tag}


def test_calendar_days_caps_each_day_and_counts_all(ctx: AppContext) -> None:
    wid = workspace(ctx)
    busy, quiet = date(2026, 3, 24), date(2026, 3, 26)
    busy_ids = [post(ctx, wid, title=f"b{i}", at=madrid(busy, 8 + i)) for i in range(5)]
    quiet_id = post(ctx, wid, title="q", at=madrid(quiet, 23, 30))  # late evening: still that day
    post(ctx, wid, title="outside", at=madrid(date(2026, 3, 31), 9))
    days = ctx.plan.calendar_days(wid, date(2026, 3, 23), date(2026, 3, 30), per_day=3)
    assert days.day_counts == {busy: 5, quiet: 1}
    assert [p.id for p in days.posts] == [*busy_ids[:3], quiet_id]  # first three, in time order


def test_calendar_days_follow_local_days_across_dst(ctx: AppContext) -> None:
    wid = workspace(ctx, "NY", "America/New_York")
    tz = "America/New_York"
    ctx.clock.set(datetime(2026, 3, 1, tzinfo=UTC))  # type: ignore[attr-defined]
    # 00:30 on the day after the spring change and 23:30 on the change day (a 23-hour day).
    early = post(ctx, wid, at=at_wall_time(date(2026, 3, 9), time(0, 30), tz))
    late = post(ctx, wid, at=at_wall_time(date(2026, 3, 8), time(23, 30), tz))
    days = ctx.plan.calendar_days(wid, date(2026, 3, 1), date(2026, 3, 15))
    assert days.day_counts == {date(2026, 3, 8): 1, date(2026, 3, 9): 1}
    assert [p.id for p in days.posts] == [late, early]


def test_calendar_days_apply_the_filter(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a, b = channel(ctx, wid, "A"), channel(ctx, wid, "B")
    day = date(2026, 3, 24)
    post(ctx, wid, channels=(a,), at=madrid(day, 9))
    on_b = post(ctx, wid, channels=(b,), at=madrid(day, 10))
    days = ctx.plan.calendar_days(
        wid, day, day + timedelta(days=1), filter=PostFilter(channel_ids=frozenset({b}))
    )
    assert days.day_counts == {day: 1} and [p.id for p in days.posts] == [on_b]
