"""Publishing and sign-in notifications held in quiet hours survive a quit.

Each test holds a notification in quiet hours, "quits" (closes and drops the watcher and its
notifier, as closing cmdesk does), starts again on the same database after the hours ended, and
checks that what was held is announced once, and what was shown before is not told again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from tests.core.helpers import channel, workspace
from tests.ui.test_alerts import Plan
from tests.ui.test_inbox_notifications import quiet_around_now
from ui.inbox_alerts import install_quiet_hours
from ui.notifications import HELD_SETTING, PublishingAlerts
from ui.notifier import Notification, Notifier, Surface


class Session:
    """One run of cmdesk: a context on the shared database, a notifier and the alerts."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.notifier = Notifier(tray_check=lambda: False)
        self.seen: list[Notification] = []
        self.notifier.notified.connect(self.seen.append)
        install_quiet_hours(self.notifier, ctx)
        self.alerts = PublishingAlerts(ctx, self.notifier)

    def quit(self) -> None:
        self.alerts.close()
        self.alerts.deleteLater()
        self.notifier.deleteLater()


def test_held_failures_are_announced_once_at_the_next_start(
    qtbot: QtBot, make_ctx: Callable[[], AppContext], fake_clock: FakeClock
) -> None:
    first = Session(make_ctx())
    plan = Plan(first.ctx, fake_clock)
    shown = plan.post("Shown before quiet hours")
    plan.fail(shown)
    assert [n.post_id for n in first.alerts.check()] == [shown]
    quiet_around_now(first.ctx, fake_clock, failures=False)
    held = plan.post("Failed at night")
    plan.fail(held)
    (note,) = first.alerts.check()
    assert note.shown_in is Surface.HELD and note.post_id == held
    assert first.ctx.settings.get(HELD_SETTING).startswith("t")
    first.quit()  # cmdesk quits before quiet hours end: the notifier's memory is gone

    fake_clock.advance(timedelta(hours=2))
    second = Session(make_ctx())
    assert second.notifier.is_quiet() is False
    assert [n.post_id for n in second.alerts.check()] == [held]
    assert second.alerts.check() == []  # once
    assert [n.post_id for n in second.seen] == [held]  # the one shown before is not repeated
    assert second.ctx.settings.get(HELD_SETTING) == ""
    second.quit()

    third = Session(make_ctx())
    assert third.alerts.check() == []
    third.quit()


def test_a_held_sign_in_is_announced_at_the_next_start(
    qtbot: QtBot, make_ctx: Callable[[], AppContext], fake_clock: FakeClock
) -> None:
    first = Session(make_ctx())
    wid = workspace(first.ctx)
    cid = channel(first.ctx, wid, "Sky", network="bluesky")
    quiet_around_now(first.ctx, fake_clock)
    first.ctx.channels.set_health(cid, "needs_reauth", "The app password was revoked.")
    (note,) = first.alerts.check_signin()
    assert note.shown_in is Surface.HELD and note.channel_id == cid
    first.quit()

    fake_clock.advance(timedelta(hours=2))
    second = Session(make_ctx())
    (told,) = second.alerts.check()
    assert told.shown_in is Surface.BANNER and told.channel_id == cid
    assert "revoked" in told.message
    assert second.alerts.check() == []
    second.quit()
    third = Session(make_ctx())
    assert third.alerts.check() == []  # it still needs signing in, but that is not news now
    third.quit()


def test_held_notifications_shown_when_quiet_hours_end_are_not_told_again(
    qtbot: QtBot, make_ctx: Callable[[], AppContext], fake_clock: FakeClock
) -> None:
    first = Session(make_ctx())
    plan = Plan(first.ctx, fake_clock)
    pid = plan.post("Failed at night")
    plan.fail(pid)
    quiet_around_now(first.ctx, fake_clock, failures=False)
    assert first.alerts.check()[0].shown_in is Surface.HELD
    fake_clock.advance(timedelta(hours=2))
    summary = first.notifier.check_quiet_hours()  # the running window tells it in the morning
    assert summary is not None and summary.post_id == pid
    assert first.ctx.settings.get(HELD_SETTING) == ""
    first.quit()
    second = Session(make_ctx())
    assert second.alerts.check() == []
    second.quit()
