"""The composer window: write a post once, adapt it per channel, check it live, save or schedule.

Layout, top to bottom: a banner when the content was recovered from the autosave journal; the
title; the channels to post to (check boxes); the main text with a one-line summary of every
channel's counter; the attachments; a tab per chosen channel (its own text or thread, counter,
problems and preview); the time in the workspace's zone; the buttons.

Autosave: every change marks the content dirty and, at most once a second, writes it to the
journal (``ctx.composer.journal``); it is also written when the window loses focus or closes, so
a crash loses at most about a second of typing. The journal entry is dropped once the post is
saved, or when the person chooses to discard the changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cmdesk.autosave import DraftSnapshot, new_key
from cmdesk.bootstrap import AppContext
from cmdesk.dto import ChannelDTO, PostDetail, WorkspaceDTO
from cmdesk.errors import UserError
from ui.actions import PlanActions
from ui.errors import show_error
from ui.views.composer.channel_tab import ChannelTab
from ui.views.composer.media_strip import MediaStrip
from ui.views.composer.saving import SaveKind, commit
from ui.views.composer.schedule import SchedulePicker
from ui.views.composer.state import content_of, load_post, snapshot_of

AUTOSAVE_MS = 1000
_OVER = QColor("#d93025")


class ComposerDialog(QDialog):
    """The composer for one post (new when ``post_id`` is None), non-modal.

    Signals:
        saved(int): the post with this id was saved (drafted, scheduled or published).
    """

    saved = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        actions: PlanActions,
        workspace: WorkspaceDTO,
        post_id: int | None,
        when: datetime | None = None,
        parent: QWidget | None = None,
        *,
        draft: DraftSnapshot | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan_actions = actions
        self.workspace = workspace
        self.post: PostDetail | None = ctx.plan.get_post(post_id) if post_id is not None else None
        self.key = draft.key if draft is not None else new_key()
        self.channels = {c.id: c for c in ctx.channels.list(workspace.id)}
        self.tabs_by_channel: dict[int, ChannelTab] = {}
        self.dirty = False
        self._loading = True
        self.variant_options: dict[int, dict[str, Any]] = {}
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"New post · {workspace.name}" if self.post is None else "Edit post")
        self.setAccessibleName("Composer")
        self.resize(1100, 820)
        self._build(when)
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave_now)
        load_post(self, self.post, draft)
        self._loading = False
        self.dirty = draft is not None
        self.refresh_checks()

    # --- building ----------------------------------------------------------------------------

    def _build(self, when: datetime | None) -> None:
        layout = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: rgba(232, 113, 10, 0.14); border-left: 4px solid #e8710a; padding: 6px;"
        )
        self.banner.hide()
        layout.addWidget(self.banner)
        self.title = QLineEdit()
        self.title.setPlaceholderText("Title or topic (only for you; not published)")
        self.title.setAccessibleName("Title")
        self.title.textChanged.connect(self.mark_dirty)
        layout.addWidget(self.title)
        layout.addLayout(self._build_channel_row())
        self.master = QPlainTextEdit()
        self.master.setPlaceholderText("Write the post. Each channel's tab below can adapt it.")
        self.master.setAccessibleName("Main text")
        self.master.setTabChangesFocus(True)
        self.master.textChanged.connect(self._master_changed)
        layout.addWidget(self.master, 1)
        self.summary = QLabel()
        self.summary.setAccessibleName("Length on each channel")
        layout.addWidget(self.summary)
        self.media = MediaStrip(self.ctx, self.workspace.id)
        self.media.changed.connect(self._content_changed)
        layout.addWidget(self.media)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Channel versions")
        layout.addWidget(self.tabs, 4)
        default = when or self._default_time()
        self.schedule = SchedulePicker(self.workspace.timezone, default)
        self.schedule.set_value(when)
        self.schedule.changed.connect(self.mark_dirty)
        layout.addWidget(self.schedule)
        layout.addLayout(self._build_buttons())

    def _build_channel_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Post to:"))
        self.channel_boxes: dict[int, QCheckBox] = {}
        for channel in self.channels.values():
            box = QCheckBox(channel.name)
            box.setAccessibleName(f"Post to {channel.name}")
            box.setToolTip(f"{channel.network} · {channel.handle}")
            box.toggled.connect(lambda on, c=channel: self._channel_toggled(c, on))
            self.channel_boxes[channel.id] = box
            row.addWidget(box)
        if not self.channels:
            row.addWidget(QLabel("This workspace has no channels yet: connect one first."))
        row.addStretch(1)
        return row

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        self.draft_button = QPushButton("Save draft" if self.post is None else "Save")
        self.schedule_button = QPushButton("Schedule")
        self.queue_button = QPushButton("Add to queue")
        self.queue_button.setEnabled(False)
        self.queue_button.setToolTip("Queues arrive in a later version of cmdesk.")
        self.publish_button = QPushButton("Publish now")
        self.close_button = QPushButton("Close")
        for button, kind in (
            (self.draft_button, SaveKind.DRAFT),
            (self.schedule_button, SaveKind.SCHEDULE),
            (self.publish_button, SaveKind.PUBLISH),
        ):
            button.clicked.connect(lambda _=False, kind=kind: self.save(kind))
        self.close_button.clicked.connect(self.close)
        for button in (
            self.draft_button,
            self.schedule_button,
            self.queue_button,
            self.publish_button,
            self.close_button,
        ):
            button.setAccessibleName(button.text())
            row.addWidget(button)
        self.draft_button.setDefault(True)
        self.draft_button.setToolTip("Save as a draft (Ctrl+S)")
        save = QShortcut(QKeySequence("Ctrl+S"), self)
        save.activated.connect(lambda: self.save(SaveKind.DRAFT))
        return row

    def _default_time(self) -> datetime:
        now = self.ctx.clock.now()
        return (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)

    # --- channels ----------------------------------------------------------------------------

    def chosen_channels(self) -> list[ChannelDTO]:
        return [self.channels[cid] for cid, box in self.channel_boxes.items() if box.isChecked()]

    def tab(self, channel_id: int) -> ChannelTab:
        tab = self.tabs_by_channel.get(channel_id)
        if tab is None:
            tab = ChannelTab(self.ctx, self.channels[channel_id])
            tab.changed.connect(self._content_changed)
            tab.resize_requested.connect(lambda media_id, t=tab: self.resize_media(t, media_id))
            self.tabs_by_channel[channel_id] = tab
        return tab

    def _channel_toggled(self, channel: ChannelDTO, on: bool) -> None:
        tab = self.tab(channel.id)
        index = self.tabs.indexOf(tab)
        if on and index < 0:
            order = [c.id for c in self.chosen_channels()]
            self.tabs.insertTab(order.index(channel.id), tab, channel.name)
        elif not on and index >= 0:
            self.tabs.removeTab(index)  # the tab and its text are kept if ticked again
        self._content_changed()

    # --- checks ------------------------------------------------------------------------------

    def _master_changed(self) -> None:
        self._content_changed()

    def _content_changed(self) -> None:
        if self._loading:
            return
        self.refresh_checks()
        self.mark_dirty()

    def refresh_checks(self) -> None:
        """Check every chosen channel's text now and show counters and problems."""
        master = self.master.toPlainText()
        media = self.media.media()
        summary = []
        for channel in self.chosen_channels():
            tab = self.tab(channel.id)
            check = tab.refresh(master, media)
            index = self.tabs.indexOf(tab)
            count = f"{check.count} / {check.limit}" if check.limit else str(check.count)
            self.tabs.setTabText(index, f"{channel.name}  {count}")
            bad = check.over_limit or bool(check.blocking)
            self.tabs.tabBar().setTabTextColor(
                index, _OVER if bad else self.palette().text().color()
            )
            mark = " (over the limit)" if check.over_limit else " (to fix)" if bad else ""
            summary.append(f"{channel.name}: {count}{mark}")
        self.summary.setText("   ·   ".join(summary) or "Choose the channels to post to.")

    def blocking_problems(self) -> list[str]:
        found = []
        for channel in self.chosen_channels():
            check = self.tab(channel.id).check
            if check is not None:
                found += [f"{channel.name}: {p.message}" for p in check.blocking]
        return found

    def resize_media(self, tab: ChannelTab, media_id: int) -> None:
        old = next((m for m in self.media.media() if m.id == media_id), None)
        if old is None:
            return
        try:
            new = self.ctx.composer.resize_for(tab.channel, old)
        except UserError as exc:
            show_error(self, exc)
            return
        self.media.replace(media_id, new)

    # --- saving ------------------------------------------------------------------------------

    def save(self, kind: SaveKind, *, close: bool = True) -> int | None:
        """Save as ``kind`` asks; on a refusal the message is shown and nothing is lost."""
        self.refresh_checks()
        problems = self.blocking_problems()
        if kind is not SaveKind.DRAFT and problems:
            self.refuse(
                "This post cannot go out as it is:\n\n• "
                + "\n• ".join(problems)
                + "\n\nFix these first, or save it as a draft."
            )
            return None
        if kind is SaveKind.PUBLISH and not self.confirm_publish():
            return None
        self.autosave_now()  # whatever happens next, the text is on disk
        try:
            post_id = commit(
                self.plan_actions, self.workspace.id, self.post, content_of(self), kind
            )
        except UserError as exc:
            show_error(self, exc)
            return None
        self.ctx.composer.journal.discard(self.key)
        self.dirty = False
        self.post = self.ctx.plan.get_post(post_id)
        self.saved.emit(post_id)
        if close:
            self.close()
        return post_id

    def confirm_publish(self) -> bool:
        """Ask before something goes out that cannot be taken back (tests replace this)."""
        names = ", ".join(c.name for c in self.chosen_channels()) or "no channel"
        answer = QMessageBox.question(
            self, "Publish now", f"Publish this post now on {names}? It cannot be unsent."
        )
        return answer == QMessageBox.StandardButton.Yes

    def refuse(self, message: str) -> None:
        show_error(self, UserError(message))

    # --- autosave ----------------------------------------------------------------------------

    def mark_dirty(self) -> None:
        if self._loading:
            return
        self.dirty = True
        if not self._autosave.isActive():
            self._autosave.start()  # not restarted by each key: at most a second of typing waits

    def autosave_now(self) -> None:
        self._autosave.stop()
        if self.dirty:
            self.ctx.composer.journal.save(snapshot_of(self))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and not self.isActiveWindow():
            self.autosave_now()

    def confirm_close(self) -> bool:
        """Whether the window may close: unsaved changes are saved, discarded or kept open."""
        if not self.dirty:
            return True
        self.autosave_now()
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            return self.save(SaveKind.DRAFT, close=False) is not None
        if answer == QMessageBox.StandardButton.Discard:
            self.ctx.composer.journal.discard(self.key)
            self.dirty = False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_close():
            event.ignore()
            return
        self._autosave.stop()
        super().closeEvent(event)

    def reject(self) -> None:
        # Escape goes through here, not through closeEvent: it must ask as well.
        if self.confirm_close():
            self._autosave.stop()
            super().reject()

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """Ask what to do with unsaved changes (tests replace this)."""
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        return QMessageBox.question(
            self, "Unsaved post", "Save this post as a draft before closing?", buttons
        )
