"""Failed, missed and undecided posts raise one notification each, never twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.dto import PostInput
from cmdesk.status import PostStatus
from tests.core.helpers import channel, madrid, workspace
from ui.notifications import MAX_SEPARATE, SEEN_SETTING, PublishingAlerts
from ui.notifier import Notification, NotificationKind, Notifier

DUE = madrid(date(2026, 3, 20), 12)
OWNER = "testhost:1:abc"


class Plan:
    """A brand with a channel and helpers to make its deliveries go wrong."""

    def __init__(self, ctx: AppContext, clock: FakeClock, name: str = "Bakery") -> None:
        self.ctx = ctx
        self.clock = clock
        self.wid = workspace(ctx, name)
        self.cid = channel(ctx, self.wid, f"{name} · Mastodon")

    def post(self, title: str) -> int:
        pid = self.ctx.plan.create_post(
            self.wid,
            PostInput(title=title, text="Hola", channel_ids=(self.cid,)),
            status=PostStatus.SCHEDULED,
            scheduled_at=DUE,
        ).subject
        assert pid is not None
        return pid

    def fail(self, pid: int, message: str = "Reconnect the channel.") -> None:
        self.clock.set(max(self.clock.now(), DUE) + timedelta(seconds=2))
        tid = self.ctx.plan.get_post(pid).targets[0].id
        assert self.ctx.publishing.claim(tid, OWNER) is not None
        self.ctx.publishing.fail(tid, OWNER, message)


@pytest.fixture
def notes() -> tuple[Notifier, list[Notification]]:
    notifier = Notifier(tray_check=lambda: False)
    seen: list[Notification] = []
    notifier.notified.connect(seen.append)
    return notifier, seen


@pytest.fixture
def plan(empty_ctx: AppContext, fake_clock: FakeClock) -> Plan:
    return Plan(empty_ctx, fake_clock)


@pytest.fixture
def make_alerts(
    qtbot: QtBot, notes: tuple[Notifier, list[Notification]]
) -> Callable[[AppContext], PublishingAlerts]:
    made: list[PublishingAlerts] = []

    def make(ctx: AppContext) -> PublishingAlerts:
        alerts = PublishingAlerts(ctx, notes[0])
        made.append(alerts)
        return alerts

    yield make  # type: ignore[misc]
    for alerts in made:
        alerts.close()
        alerts.deleteLater()


def test_a_failure_is_announced_once_naming_the_brand(
    qtbot: QtBot,
    plan: Plan,
    make_alerts: Callable[[AppContext], PublishingAlerts],
    notes: tuple[Notifier, list[Notification]],
) -> None:
    pid = plan.post("Sourdough day")
    alerts = make_alerts(plan.ctx)
    with qtbot.waitSignal(alerts.announced, timeout=3000):
        plan.fail(pid)
    [note] = notes[1]
    assert note.title == "A post failed — Bakery"
    assert note.message == "“Sourdough day” on Bakery · Mastodon: Reconnect the channel."
    assert note.kind is NotificationKind.ERROR and note.post_id == pid
    assert alerts.check() == []  # a reload, another change set: nothing new
    plan.ctx.settings.set("theme", "dark")  # unrelated change sets announce nothing either
    qtbot.wait(400)
    assert len(notes[1]) == 1


def test_failing_again_after_a_retry_is_announced_again(
    qtbot: QtBot, plan: Plan, make_alerts: Callable[[AppContext], PublishingAlerts]
) -> None:
    pid = plan.post("Menu")
    alerts = make_alerts(plan.ctx)
    plan.fail(pid)
    assert len(alerts.check()) == 1
    plan.ctx.plan.publish_now(pid)  # the person tries again: queued, no longer a problem
    assert alerts.check() == []
    plan.fail(pid, "Still refused.")
    [again] = alerts.check()
    assert again.message.endswith("Still refused.")


def test_a_burst_becomes_one_summary(
    qtbot: QtBot,
    plan: Plan,
    empty_ctx: AppContext,
    fake_clock: FakeClock,
    make_alerts: Callable[[AppContext], PublishingAlerts],
) -> None:
    books = Plan(empty_ctx, fake_clock, "Books")
    posts = [plan.post(f"p{i}") for i in range(MAX_SEPARATE)]
    missed = books.post("asleep")
    alerts = make_alerts(empty_ctx)
    for pid in posts:
        plan.fail(pid)
    fake_clock.set(DUE + timedelta(hours=1))
    empty_ctx.publishing.mark_missed(timedelta(minutes=15))
    [summary] = alerts.check()
    assert summary.title == f"{MAX_SEPARATE + 1} posts need your attention"
    assert summary.message == f"{MAX_SEPARATE} failed, 1 missed — Bakery, Books."
    assert summary.kind is NotificationKind.ERROR and summary.post_id is None
    assert missed  # the missed one is counted in the summary above


def test_next_start_announces_only_what_happened_while_closed(
    qtbot: QtBot,
    plan: Plan,
    make_alerts: Callable[[AppContext], PublishingAlerts],
    make_ctx: Callable[[], AppContext],
    notes: tuple[Notifier, list[Notification]],
) -> None:
    old = plan.post("Old failure")
    plan.fail(old)  # before cmdesk's first start: not news
    first = make_alerts(plan.ctx)
    assert plan.ctx.settings.get(SEEN_SETTING)
    seen_here = plan.post("Seen in the session")
    plan.fail(seen_here)
    assert [n.post_id for n in first.check()] == [seen_here]
    first.close()
    # cmdesk closes; a daemon keeps publishing and one more post fails.
    while_closed = plan.post("Failed while closed")
    plan.fail(while_closed)
    second = make_alerts(make_ctx())
    with qtbot.waitSignal(second.announced, timeout=3000) as announced:
        second.start()
    assert [p.post_id for p in announced.args[0]] == [while_closed]
    assert [n.post_id for n in notes[1]] == [seen_here, while_closed]


def test_a_damaged_watermark_starts_afresh(
    plan: Plan, make_alerts: Callable[[AppContext], PublishingAlerts]
) -> None:
    pid = plan.post("Before")
    plan.fail(pid)
    plan.ctx.settings.set(SEEN_SETTING, "not a date")
    alerts = make_alerts(plan.ctx)
    assert alerts.check() == []
