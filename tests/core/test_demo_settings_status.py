"""The demo plan, the settings declarations and the status table."""

from __future__ import annotations

from collections import Counter

import pytest

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter
from cmdesk.errors import TransitionError, ValidationError
from cmdesk.status import USER_TRANSITIONS, PostStatus, check_transition


def test_demo_creates_a_living_plan(ctx: AppContext) -> None:
    assert ctx.plan.is_empty()
    changes = ctx.demo.create_demo()
    workspaces = ctx.workspaces.list()
    assert len(workspaces) == 2 and all(w.is_demo for w in workspaces)
    assert {w.timezone for w in workspaces} == {"Europe/Madrid", "America/New_York"}
    posts = [p for w in workspaces for p in ctx.plan.list_posts(w.id)]
    assert 130 <= len(posts) <= 170
    assert len(changes.ids("post", "created")) == len(posts)
    assert set(Counter(p.status for p in posts)) == set(PostStatus)  # every status appears
    now = ctx.clock.now()
    for p in posts:
        if p.status == PostStatus.SCHEDULED:
            assert p.scheduled_at is not None and p.scheduled_at > now
        if p.status == PostStatus.PUBLISHED:
            assert p.scheduled_at is not None and p.scheduled_at < now
    channels = [c for w in workspaces for c in ctx.channels.list(w.id)]
    assert channels and all(c.is_demo and not c.has_credential for c in channels)
    campaigns = [p.campaign_id for p in posts if p.campaign_id]
    assert len(set(campaigns)) >= 3


def test_demo_refuses_when_the_plan_has_data(ctx: AppContext) -> None:
    ctx.workspaces.create("Mine", "UTC")
    assert ctx.demo.create_demo().empty
    assert [w.name for w in ctx.workspaces.list()] == ["Mine"]


def test_demo_upcoming_month_is_filled(ctx: AppContext) -> None:
    from datetime import timedelta

    ctx.demo.create_demo()
    now = ctx.clock.now()
    for w in ctx.workspaces.list():
        upcoming = ctx.plan.list_window(w.id, now, now + timedelta(days=31))
        assert len(upcoming) >= 20
        unscheduled = ctx.plan.list_posts(w.id, PostFilter(scheduled=False))
        assert unscheduled and all(p.scheduled_at is None for p in unscheduled)


def test_settings_defaults_and_validation(ctx: AppContext) -> None:
    assert ctx.settings.get("missed_grace_minutes") == 15
    ctx.settings.set("missed_grace_minutes", "30")
    assert ctx.settings.get("missed_grace_minutes") == 30
    with pytest.raises(ValidationError, match="at least 0"):
        ctx.settings.set("missed_grace_minutes", -1)
    with pytest.raises(ValidationError, match="one of"):
        ctx.settings.set("theme", "purple")
    with pytest.raises(ValidationError, match="no setting"):
        ctx.settings.get("nope")
    assert ctx.settings.all()["missed_grace_minutes"] == 30


@pytest.mark.parametrize("old", list(PostStatus))
def test_every_refusal_explains_itself(old: PostStatus) -> None:
    for new in PostStatus:
        if new == old or new in USER_TRANSITIONS[old]:
            check_transition(old, new)
            continue
        with pytest.raises(TransitionError) as info:
            check_transition(old, new)
        assert f"from {old.label.lower()} to {new.label.lower()}" in info.value.message
        assert info.value.message.rstrip().endswith(".")


def test_engine_may_publish_a_scheduled_post_but_a_person_may_not() -> None:
    check_transition(PostStatus.SCHEDULED, PostStatus.PUBLISHED, by_engine=True)
    with pytest.raises(TransitionError):
        check_transition(PostStatus.SCHEDULED, PostStatus.PUBLISHED)


@pytest.mark.parametrize("hour", [6, 12, 18, 21])
def test_demo_queues_nothing_in_the_past(ctx: AppContext, hour: int) -> None:
    """A fresh demo, made at any hour, must not start with posts the engine would call missed."""
    from datetime import UTC, datetime

    ctx.clock.set(datetime(2026, 3, 20, hour, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    ctx.demo.create_demo()
    now = ctx.clock.now()
    for w in ctx.workspaces.list():
        for p in ctx.plan.list_posts(w.id, PostFilter(statuses=frozenset({PostStatus.SCHEDULED}))):
            for t in ctx.plan.get_post(p.id).targets:
                assert t.due_at is not None and t.due_at > now, (w.name, p.title, t.due_at)
