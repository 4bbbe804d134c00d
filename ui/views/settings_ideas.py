"""The "Feeds" section of the Settings page: how often subscribed feeds are read.

The value is the ``feed_refresh_minutes`` setting (5 to 1440 minutes); it is saved as soon as the
field is left or Enter is pressed, and the next check (every few minutes) uses it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QSpinBox, QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.errors import UserError
from cmdesk.settings import SETTINGS
from ui.errors import show_error

SETTING = "feed_refresh_minutes"


class FeedSettingsBox(QGroupBox):
    """One field: feeds are read every N minutes.

    Signals: those of ``QGroupBox``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Feeds", parent)
        self.setObjectName("feedSettings")
        self.setAccessibleName("Feeds")
        self.ctx = ctx
        decl = SETTINGS[SETTING]
        self.spin = QSpinBox()
        self.spin.setObjectName("feedRefreshMinutes")
        self.spin.setAccessibleName("Feeds read every (minutes)")
        self.spin.setRange(decl.minimum or 5, decl.maximum or 1440)
        self.spin.setSuffix(" minutes")
        self.spin.setToolTip(decl.description)
        hint = QLabel("New entries of the feeds you follow arrive in the ideas bin.")
        hint.setWordWrap(True)
        form = QFormLayout(self)
        label = QLabel("&Feeds read every")
        label.setBuddy(self.spin)
        form.addRow(label, self.spin)
        form.addRow(hint)
        self.spin.editingFinished.connect(self.save)
        self.reload()

    def reload(self) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(int(self.ctx.settings.get(SETTING)))
        self.spin.blockSignals(False)

    def save(self) -> None:
        if self.spin.value() == int(self.ctx.settings.get(SETTING)):
            return
        try:
            self.ctx.settings.set(SETTING, self.spin.value())
        except UserError as exc:
            show_error(self, exc)
            self.reload()
