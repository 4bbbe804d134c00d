"""The Settings page: the shown workspace's own settings, and the application's.

Every field saves on its own when the person commits it (Enter, leaving the field, a choice in
a list, a click on a check box): one service call per change, no Apply button to forget. A value
the service refuses is explained under its field and stays there as typed, so nothing is lost
and it can be corrected; "Saved" confirms the rest. The page reloads when a workspace or a
setting changes elsewhere (the tray's pause, the command line, another window), leaving alone a
field that holds unsaved or refused text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QLocale, QTime
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from ui.errors import show_error
from ui.i18n import LANGUAGE_NAMES
from ui.notifier import tray_available
from ui.theme import apply_theme
from ui.views.settings_fields import ColorButton, TimeZonePicker
from ui.views.settings_form import COMPACT_WIDTH, FIELD_WIDTH, SettingsForm

THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
LANGUAGE_HINT = "Takes effect the next time cmdesk starts."
ZONE_HINT = (
    "Posts keep their moment when the zone changes; their times are then shown in the new zone."
)
GRACE_HINT = (
    "A post whose time passed while the computer was off or asleep still goes out this late; "
    "after that it is marked missed and waits for your decision."
)
TRAY_HINT = "Scheduled posts keep going out while the window is closed."
PAUSE_HINT = "Nothing is published while this is on; due posts wait until you resume."
NO_TRAY_HINT = "This desktop has no system tray: closing the window quits cmdesk."
QUIET_HINT = (
    "Notifications that come during quiet hours are held and summarised when they end. "
    "Times are on this computer's clock, whatever the workspaces' zones."
)
FAILURES_HINT = "A failed post may need you at once; replies and the rest can wait."


class Section(Protocol):
    """A section another part of cmdesk adds to the page (backups, the calendar feed)."""

    def reload(self) -> None: ...


class SettingsPage(SettingsForm):
    """Workspace and application settings, saved field by field.

    Signals: those of :class:`PlanPage` (never emitted here).
    """

    title = "Settings"

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        tray_check: Callable[[], bool] = tray_available,
    ) -> None:
        super().__init__(ctx, parent)
        self._tray_check = tray_check
        self.setObjectName("settingsPage")
        self.setAccessibleName("Settings")
        self._sections: list[Section] = []
        self.workspace_box = self._build_workspace_box()
        self.publishing_box = self._build_publishing_box()
        self.appearance_box = self._build_appearance_box()
        self.app_box = self._build_notifications_box()
        self._layout()

    def add_section(self, box: QGroupBox) -> None:
        """Add a section below the others; it is reloaded with the page (``box.reload()``)."""
        self._column.insertWidget(self._column.count() - 1, box)
        reload = getattr(box, "reload", None)
        if callable(reload):
            self._sections.append(box)  # type: ignore[arg-type]

    # --- building ----------------------------------------------------------------------------

    def _layout(self) -> None:
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(24, 16, 24, 24)
        column.setSpacing(16)
        heading = QLabel("<h2>Settings</h2>")
        column.addWidget(heading)
        column.addWidget(self.saved_label)
        for box in (self.workspace_box, self.publishing_box, self.app_box, self.appearance_box):
            column.addWidget(box)
        column.addStretch(1)
        self._column = column
        content.setMaximumWidth(760)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _build_workspace_box(self) -> QGroupBox:
        box = QGroupBox("Workspace")
        form = self._grid(box)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(120)
        self.name_edit.setMinimumWidth(FIELD_WIDTH)
        self.name_edit.editingFinished.connect(self._name_committed)
        self._row(form, "name", "&Name", self.name_edit)
        self.color_button = ColorButton()
        self.color_button.color_chosen.connect(
            lambda c: self._save_workspace("color", "colour", color=c)
        )
        self._row(form, "color", "&Colour", self.color_button)
        self.zone_picker = TimeZonePicker(self._ctx.clock.now())
        self.zone_picker.zone_chosen.connect(
            lambda z: self._save_workspace("timezone", "time zone", timezone=z)
        )
        self.zone_picker.zone_kept.connect(lambda _z: self._clear_error("timezone"))
        self.zone_picker.zone_invalid.connect(self._zone_refused)
        self._row(form, "timezone", "&Time zone", self.zone_picker, ZONE_HINT)
        self.time_edit = QTimeEdit()
        self.time_edit.setDisplayFormat("HH:mm")
        self.time_edit.setMinimumWidth(COMPACT_WIDTH)
        self.time_edit.editingFinished.connect(self._time_committed)
        self._row(
            form,
            "default_post_time",
            "Default posting &time",
            self.time_edit,
            "New posts get this time of day when only a day is chosen.",
        )
        self.week_combo = QComboBox()
        self.week_combo.setMinimumWidth(COMPACT_WIDTH)
        locale = QLocale()
        for day in range(7):  # 0 = Monday, as the workspace stores it
            self.week_combo.addItem(locale.dayName(day + 1), day)
        self.week_combo.activated.connect(
            lambda i: self._save_workspace(
                "week_start", "week start", week_start=int(self.week_combo.itemData(i))
            )
        )
        self._row(form, "week_start", "&Week starts on", self.week_combo)
        return box

    def _build_publishing_box(self) -> QGroupBox:
        box = QGroupBox("Publishing (every workspace)")
        form = self._grid(box)
        self._check(form, "publishing_paused", "Pause publishing", PAUSE_HINT)
        self._spin(form, "missed_grace_minutes", "&Missed-post grace", " minutes", GRACE_HINT)
        tray_hint = TRAY_HINT if self._tray_check() else f"{TRAY_HINT} {NO_TRAY_HINT}"
        self._check(form, "close_to_tray", "Keep running in the tray when closed", tray_hint)
        self._spin(form, "backup_keep", "&Backups kept", " backups", "Older backups are removed.")
        return box

    def _build_appearance_box(self) -> QGroupBox:
        box = QGroupBox("Appearance")
        form = self._grid(box)
        self._choice(form, "theme", "T&heme", THEMES)
        self._choice(form, "language", "&Language", LANGUAGE_NAMES, LANGUAGE_HINT)
        return box

    def _build_notifications_box(self) -> QGroupBox:
        box = QGroupBox("Inbox and notifications")
        form = self._grid(box)
        self._spin(
            form,
            "inbox_poll_minutes",
            "&Inbox checked every",
            " minutes",
            "How often replies and mentions are fetched.",
        )
        self._check(
            form,
            "inbox_mark_seen_on_server",
            "Mark fetched replies and mentions seen on Bluesky and Mastodon",
            "Their own apps then stop counting what cmdesk already has as new. Reading or "
            "finishing items in cmdesk does not change it.",
        )
        self._spin(
            form,
            "listening_keep_days",
            "Keep &listened posts for",
            " days",
            "Posts found by saved searches are removed after this long.",
        )
        self._spin(
            form,
            "listening_keep_per_search",
            "At &most per search",
            " posts",
            "Only the newest posts of each saved search are kept.",
        )
        self._notification_rows(form)
        return box

    def _notification_rows(self, form: QGridLayout) -> None:
        self._check(form, "quiet_hours_enabled", "Quiet hours for notifications", QUIET_HINT)
        self._time(form, "quiet_hours_start", "Quiet &from")
        self._time(form, "quiet_hours_end", "Quiet &until")
        self._check(
            form, "quiet_hours_failures", "Failed posts notify even in quiet hours", FAILURES_HINT
        )
        self._words(form, "alert_words", "Alert &words")

    # --- loading -----------------------------------------------------------------------------

    def relevant(self, changes: ChangeSet) -> bool:
        return bool(changes.ids("workspace") or changes.ids("setting"))

    def reload(self) -> None:
        try:
            values = self._ctx.settings.all()
            ws = self.workspace
            ws = self._ctx.workspaces.get(ws.id) if ws is not None else None
        except Exception as exc:
            show_error(self, exc)
            return
        self._load_workspace(ws)
        for name, value in values.items():
            if name in self.fields and not self._holds_input(name):
                self._show_value(self.fields[name], value)
        for section in self._sections:
            section.reload()

    def _load_workspace(self, ws: Any) -> None:
        self.workspace_box.setEnabled(ws is not None)
        self.workspace_box.setTitle(f"Workspace: {ws.name}" if ws else "Workspace (none yet)")
        if ws is None:
            return
        if not self._holds_input("name"):
            self.name_edit.setText(ws.name)
            self.name_edit.setModified(False)
        if not self._holds_input("color"):
            self.color_button.set_color(ws.color)
        if not self._holds_input("timezone"):
            self.zone_picker.set_zone(ws.timezone)
        if not self._holds_input("default_post_time"):
            self.time_edit.setTime(QTime.fromString(ws.default_post_time, "HH:mm"))
        self.week_combo.setCurrentIndex(self.week_combo.findData(ws.week_start))

    # --- saving ------------------------------------------------------------------------------

    def _name_committed(self) -> None:
        ws = self.workspace
        if ws is None or not self.name_edit.isModified():
            return
        self._save_workspace("name", "name", name=self.name_edit.text())

    def _time_committed(self) -> None:
        ws = self.workspace
        text = self.time_edit.time().toString("HH:mm")
        if ws is not None and text != ws.default_post_time:
            self._save_workspace(
                "default_post_time", "default posting time", default_post_time=text
            )

    def _zone_refused(self, text: str) -> None:
        shown = text.strip() or "(empty)"
        self._show_error(
            "timezone",
            f"No time zone matches {shown!r}. Type part of a city or region and pick it "
            "from the list, e.g. Europe/Madrid.",
        )

    def _save_workspace(self, key: str, what: str, **change: Any) -> None:
        ws = self.workspace
        if ws is None:
            return
        if self._attempt(key, what, lambda: self._ctx.workspaces.update(ws.id, **change)):
            if key == "name":
                self.name_edit.setModified(False)
            self._workspace = self._ctx.workspaces.get(ws.id)

    def _save_setting(self, name: str, label: str, value: Any) -> None:
        if value == self._ctx.settings.get(name) and self.errors[name].isHidden():
            return
        if self._attempt(name, label, lambda: self._ctx.settings.set(name, value)):
            if name == "theme":
                app = QApplication.instance()
                if isinstance(app, QApplication):
                    apply_theme(app, str(value))
            if name == "language":
                self._flash(f"Saved: {LANGUAGE_NAMES.get(str(value), value)}. {LANGUAGE_HINT}")
