"""New inbox items: one notification per batch, held in quiet hours, told by one process only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QCheckBox, QTimeEdit
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.services.notification_claims import NotificationClaims
from tests.core.helpers import channel, workspace
from tests.core.inbox_rows import add_items
from ui.inbox_alerts import InboxAlerts, install_quiet_hours
from ui.notifications import PublishingAlerts
from ui.notifier import Notification, NotificationKind, Notifier, Surface
from ui.views.settings_page import SettingsPage


class Brand:
    """A workspace with a Mastodon and a Bluesky channel."""

    def __init__(self, ctx: AppContext, name: str = "Harbor Light") -> None:
        self.wid = workspace(ctx, name)
        self.masto = channel(ctx, self.wid, f"{name} · Mastodon")
        self.sky = channel(ctx, self.wid, f"{name} · Bluesky", network="bluesky")


def watched(ctx: AppContext, **timing: int) -> tuple[Notifier, InboxAlerts, list[Notification]]:
    notifier = Notifier(tray_check=lambda: False)
    seen: list[Notification] = []
    notifier.notified.connect(seen.append)
    alerts = InboxAlerts(ctx, notifier, **({"batch_ms": 50, "min_gap_ms": 0} | timing))
    alerts.start()
    return notifier, alerts, seen


def quiet_around_now(ctx: AppContext, clock: FakeClock, *, failures: bool = True) -> None:
    """Quiet hours from an hour before the fake clock's wall time to an hour after it."""
    wall = clock.now().astimezone()
    ctx.settings.set("quiet_hours_enabled", True)
    ctx.settings.set("quiet_hours_start", (wall - timedelta(hours=1)).strftime("%H:%M"))
    ctx.settings.set("quiet_hours_end", (wall + timedelta(hours=1)).strftime("%H:%M"))
    ctx.settings.set("quiet_hours_failures", failures)


def test_a_burst_of_items_is_one_notification(qtbot: QtBot, empty_ctx: AppContext) -> None:
    brand = Brand(empty_ctx)
    _, alerts, seen = watched(empty_ctx, batch_ms=300)
    ids = add_items(empty_ctx, brand.masto, 2)
    qtbot.wait(40)  # the channels' polls finish one after the other
    ids += add_items(empty_ctx, brand.sky, 2)
    qtbot.wait(40)
    ids += add_items(empty_ctx, brand.masto, 1)
    qtbot.waitUntil(lambda: len(seen) == 1)
    qtbot.wait(200)  # nothing more comes for the same items
    assert len(seen) == 1
    note = seen[0]
    assert note.title == "5 new replies on 2 channels"
    assert note.message == "5 replies — Harbor Light · Mastodon, Harbor Light · Bluesky."
    assert note.inbox_item_ids == tuple(ids)
    assert note.workspace_id == brand.wid and note.kind is NotificationKind.INFO
    alerts.close()


def test_one_item_names_its_author_and_channel(qtbot: QtBot, empty_ctx: AppContext) -> None:
    brand = Brand(empty_ctx)
    notifier, alerts, seen = watched(empty_ctx)
    clicked: list[Notification] = []
    notifier.activated.connect(clicked.append)
    (iid,) = add_items(empty_ctx, brand.masto, text="Is the reading on Friday?")
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen[0].title == "Reply from @ana@mastodon.social on Harbor Light · Mastodon"
    assert seen[0].message == "Is the reading on Friday?"
    notifier.activate(seen[0])  # the banner's Open, or the balloon's click
    assert clicked[0].inbox_item_ids == (iid,)
    alerts.close()


def test_items_before_the_first_start_are_not_news(qtbot: QtBot, empty_ctx: AppContext) -> None:
    brand = Brand(empty_ctx)
    add_items(empty_ctx, brand.masto, 7, emit=False)
    _, alerts, seen = watched(empty_ctx)
    assert alerts.check() is None
    add_items(empty_ctx, brand.sky, 1, kind="mention", author="bo.bsky.social")
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen[0].title == "Mention from @bo.bsky.social on Harbor Light · Bluesky"
    alerts.close()


def test_later_items_wait_for_the_gap(qtbot: QtBot, empty_ctx: AppContext) -> None:
    brand = Brand(empty_ctx)
    # A gap long enough that a busy test machine cannot outrun it between the steps below.
    _, alerts, seen = watched(empty_ctx, min_gap_ms=2500)
    add_items(empty_ctx, brand.masto)
    qtbot.waitUntil(lambda: len(seen) == 1)
    add_items(empty_ctx, brand.masto)
    qtbot.wait(250)
    add_items(empty_ctx, brand.sky)
    qtbot.wait(100)
    assert len(seen) == 1  # the gap after the first notification is not over
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=8000)
    assert seen[1].title == "2 new replies on 2 channels"
    alerts.close()


def test_quiet_hours_hold_and_summarise(
    qtbot: QtBot, empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    brand = Brand(empty_ctx)
    quiet_around_now(empty_ctx, fake_clock)
    notifier, alerts, seen = watched(empty_ctx)
    install_quiet_hours(notifier, empty_ctx)
    held: list[Notification] = []
    notifier.held_back.connect(held.append)
    ids = add_items(empty_ctx, brand.masto, 3)
    qtbot.wait(200)
    assert alerts.check() is None and seen == []
    # Not claimed: a restart, or the daemon after quiet hours, still announces them.
    claims = NotificationClaims(empty_ctx.db, empty_ctx.clock, empty_ctx.hub)
    assert claims.pending() == (ids[0] - 1, ids[-1])
    failed = notifier.notify("A post failed", "Reconnect", "error", post_id=4, urgent=True)
    assert failed.shown_in is Surface.BANNER  # failures come through, as the setting allows
    missed = notifier.notify("A post missed its time", "Decide", "warning", post_id=5)
    signin = notifier.notify("Sign in again to X", "Reconnect it", "warning", channel_id=2)
    assert missed.shown_in is signin.shown_in is Surface.HELD and held == [missed, signin]
    assert seen == [failed]
    assert notifier.check_quiet_hours() is None  # still quiet
    fake_clock.advance(timedelta(hours=1, minutes=1))
    summary = notifier.check_quiet_hours()
    assert summary is not None and summary.kind is NotificationKind.WARNING
    assert summary.title == "While quiet hours were on: 2 notifications"
    assert summary.message == "A post missed its time; Sign in again to X."
    qtbot.waitUntil(lambda: len(seen) == 3)  # quiet hours ended: the inbox's batch follows
    assert seen[2].title == "3 new replies on Harbor Light · Mastodon"
    assert seen[2].inbox_item_ids == tuple(ids)
    assert notifier.held == []
    alerts.close()


def test_failures_can_be_held_too(
    qtbot: QtBot, empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    quiet_around_now(empty_ctx, fake_clock, failures=False)
    notifier = Notifier(tray_check=lambda: False)
    install_quiet_hours(notifier, empty_ctx)
    assert notifier.notify("A post failed", "x", "error", urgent=True).shown_in is Surface.HELD
    empty_ctx.settings.set("quiet_hours_enabled", False)  # switched off: told at the next look
    note = notifier.check_quiet_hours()
    assert note is not None and note.title == "A post failed" and note.kind == "error"


def test_two_windows_on_one_database_announce_once(
    qtbot: QtBot, make_ctx: Callable[[], AppContext]
) -> None:
    first, second = make_ctx(), make_ctx()
    brand = Brand(first)
    _, alerts_a, seen_a = watched(first)
    _, alerts_b, seen_b = watched(second)
    ids = add_items(first, brand.masto, 4)
    # The second process learns of them only from the database (its minute's look).
    alerts_b.check()
    qtbot.wait(300)
    assert len(seen_a) + len(seen_b) == 1
    assert (seen_a + seen_b)[0].inbox_item_ids == tuple(ids)
    assert alerts_a.check() is None and alerts_b.check() is None
    alerts_a.close()
    alerts_b.close()


def test_a_channel_needing_sign_in_notifies_once(qtbot: QtBot, empty_ctx: AppContext) -> None:
    brand = Brand(empty_ctx)
    empty_ctx.channels.set_health(brand.sky, "needs_reauth", "Old news.")
    notifier = Notifier(tray_check=lambda: False)
    seen: list[Notification] = []
    notifier.notified.connect(seen.append)
    alerts = PublishingAlerts(empty_ctx, notifier)
    assert alerts.check_signin() == []  # it needed signing in before the window opened
    empty_ctx.channels.set_health(brand.masto, "needs_reauth", "The token was revoked.")
    qtbot.waitUntil(lambda: len(seen) == 1)
    note = seen[0]
    assert note.title == "Sign in again to Harbor Light · Mastodon"
    assert "The token was revoked." in note.message and note.channel_id == brand.masto
    assert alerts.check() == []
    empty_ctx.channels.set_health(brand.masto, "ok")
    alerts.check()
    empty_ctx.channels.set_health(brand.masto, "needs_reauth", "Again.")
    qtbot.waitUntil(lambda: len(seen) == 2)  # it recovered in between: news again
    alerts.close()


def test_quiet_hours_are_set_on_the_settings_page(qtbot: QtBot, empty_ctx: AppContext) -> None:
    page = SettingsPage(empty_ctx, tray_check=lambda: True)
    qtbot.addWidget(page)
    page.reload()
    start, end = page.fields["quiet_hours_start"], page.fields["quiet_hours_end"]
    enabled = page.fields["quiet_hours_enabled"]
    assert isinstance(start, QTimeEdit) and isinstance(end, QTimeEdit)
    assert isinstance(enabled, QCheckBox) and not enabled.isChecked()
    assert start.time() == QTime(22, 0) and end.time() == QTime(8, 0)
    enabled.click()
    start.setTime(QTime(23, 15))
    start.editingFinished.emit()
    assert empty_ctx.settings.get("quiet_hours_enabled") is True
    assert empty_ctx.settings.get("quiet_hours_start") == "23:15"
    assert start.accessibleName() == "Quiet from"
    empty_ctx.settings.set("quiet_hours_end", "06:45")  # from the command line, say
    page.reload()
    assert end.time() == QTime(6, 45)
