"""Alert words in the window: one urgent notification, through quiet hours, told once; the field."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.events import ChangeSet
from cmdesk.listening.alert_claims import AlertWordClaims
from cmdesk.models import ListenedPost
from tests.core.helpers import channel, workspace
from tests.core.inbox_rows import add_items
from tests.ui.listening_rows import add_posts
from ui.inbox_alerts import AlertWordAlerts, install_quiet_hours
from ui.notifier import Notification, NotificationKind, Notifier, Surface
from ui.views.settings_page import SettingsPage


def _watched(ctx: AppContext) -> tuple[AlertWordAlerts, list[Notification]]:
    notifier = Notifier(tray_check=lambda: False)
    install_quiet_hours(notifier, ctx)
    seen: list[Notification] = []
    notifier.notified.connect(seen.append)
    alerts = AlertWordAlerts(ctx, notifier, batch_ms=30)
    alerts.start()
    return alerts, seen


def test_an_alert_word_in_a_mention_is_one_urgent_notification_in_quiet_hours(
    qtbot: QtBot, empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    ctx = empty_ctx
    wid = workspace(ctx, "Harbor")
    cid = channel(ctx, wid, "Harbor · Mastodon")
    ctx.settings.set("alert_words", "boycott, intoxicación")
    wall = fake_clock.now().astimezone()
    ctx.settings.set("quiet_hours_enabled", True)
    ctx.settings.set("quiet_hours_start", (wall - timedelta(hours=1)).strftime("%H:%M"))
    ctx.settings.set("quiet_hours_end", (wall + timedelta(hours=1)).strftime("%H:%M"))
    ctx.settings.set("quiet_hours_failures", False)  # a crisis word comes through regardless
    alerts, seen = _watched(ctx)
    add_items(ctx, cid, text="lovely shop")
    (bad,) = add_items(ctx, cid, text="Everyone BOYCOTT them", author="@angry@x.social")
    qtbot.waitUntil(lambda: len(seen) == 1)
    note = seen[0]
    assert note.title == "Alert word “boycott” from @angry@x.social on Harbor · Mastodon"
    assert note.kind is NotificationKind.WARNING and note.shown_in is not Surface.HELD
    assert note.inbox_item_ids == (bad,)
    qtbot.wait(150)
    assert alerts.check() is None and len(seen) == 1  # never twice
    alerts.close()


def test_a_listened_post_alerts_and_the_daemon_would_find_it_claimed(
    qtbot: QtBot, empty_ctx: AppContext, make_ctx: object
) -> None:
    ctx = empty_ctx
    wid = workspace(ctx, "Harbor")
    cid = channel(ctx, wid, "Harbor · Mastodon")
    sid = ctx.listening.add(wid, cid, "hashtag", "harbor")
    ctx.settings.set("alert_words", "poisoning")
    alerts, seen = _watched(ctx)
    add_posts(ctx, sid, 1)
    with ctx.db.session() as s:
        post = s.query(ListenedPost).one()
        post.text = "food poisoning at #harbor"
    ctx.hub.emit(ChangeSet.of(created=[("listened_post", post.id)]))
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert "“poisoning”" in seen[0].title and seen[0].channel_id == cid
    other = AlertWordClaims(ctx.db, ctx.clock, ctx.hub)
    assert other.claim(["poisoning"]).matches == ()
    alerts.close()


def test_the_settings_field_saves_the_words(qtbot: QtBot, empty_ctx: AppContext) -> None:
    page = SettingsPage(empty_ctx)
    qtbot.addWidget(page)
    page.reload()
    edit = page.fields["alert_words"]
    assert isinstance(edit, QLineEdit) and edit.accessibleName() == "Alert words"
    edit.setText("  recall, boycott ")
    edit.setModified(True)
    edit.editingFinished.emit()
    assert empty_ctx.settings.get("alert_words") == "recall, boycott"
    empty_ctx.settings.set("alert_words", "strike")
    page.reload()
    assert edit.text() == "strike"
