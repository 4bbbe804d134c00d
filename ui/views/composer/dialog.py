"""The composer window: write a post once, adapt it per channel, check it live, save or schedule.

Layout: a banner when the content was recovered from the autosave journal; then two columns. On
the left the title, the channels to post to (check boxes), the main text with a summary of every
channel's counter, the attachments (one slim drop line until there are some) and a tab per chosen
channel (its own text or thread, counter and problems; it takes only the height it needs while
the channel posts the main text). On the right the preview of the open tab's channel. At the
bottom the time in the workspace's zone on the left and the buttons on the right, Publish now the
primary one.

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
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
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
from ui.views.composer import repeat_control
from ui.views.composer.action_bar import ActionBar
from ui.views.composer.channel_tab import ChannelTab, Mode
from ui.views.composer.labels_row import LabelsRow
from ui.views.composer.library_menu import LibraryButtons
from ui.views.composer.media_strip import MediaStrip
from ui.views.composer.preview import PreviewColumn
from ui.views.composer.queue_button import QueueButton
from ui.views.composer.saving import SaveKind
from ui.views.composer.schedule import SchedulePicker
from ui.views.composer.state import (
    load_post,
    removed_channels_notice,
    snapshot_of,
)

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
        self._engagement = ctx.metrics.latest([post_id]).get(post_id) if post_id else None
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
        self._warn_of_removed_channels()
        self._loading = False
        self.dirty = draft is not None
        self.refresh_checks()
        self.master.setFocus()  # the window opens ready to type the post

    # --- building ----------------------------------------------------------------------------

    def _build(self, when: datetime | None) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: rgba(232, 113, 10, 0.14); border-left: 4px solid #e8710a; padding: 6px;"
        )
        self.banner.hide()
        layout.addWidget(self.banner)
        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self._build_editor())
        self.previews = PreviewColumn()
        self.previews.setMinimumWidth(260)
        self.body.addWidget(self.previews)
        self.body.setStretchFactor(0, 5)
        self.body.setStretchFactor(1, 2)
        self.body.setSizes([700, 340])
        layout.addWidget(self.body, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        default = when or self._default_time()
        self.schedule = SchedulePicker(self.workspace.timezone, default)
        self.schedule.set_value(when)
        self.schedule.changed.connect(self.mark_dirty)
        layout.addWidget(self._build_buttons())

    def _build_editor(self) -> QWidget:
        """Title, channels, main text, attachments and the channel tabs: the left column."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 6, 0)
        form = QGridLayout()
        form.setHorizontalSpacing(10)
        self.title = QLineEdit()
        self.title.setPlaceholderText("Title or topic, only for you (not published)")
        self.title.setAccessibleName("Title")
        self.title.textChanged.connect(self.mark_dirty)
        title_label = QLabel("Title:")
        title_label.setBuddy(self.title)
        title_label.setToolTip("Only you see the title: it names the post in the calendar.")
        form.addWidget(title_label, 0, 0)
        form.addWidget(self.title, 0, 1)
        form.addWidget(QLabel("Post to:"), 1, 0)
        form.addLayout(self._build_channel_row(), 1, 1)
        ws_id = self.workspace.id
        self.labels = LabelsRow(
            self.ctx.plan.list_campaigns(ws_id), self.ctx.plan.list_tags(ws_id), self.post
        )
        self.labels.changed.connect(self.mark_dirty)
        form.addWidget(QLabel("Labels:"), 2, 0)
        form.addWidget(self.labels, 2, 1)
        layout.addLayout(form)
        self.master = QPlainTextEdit()
        self.master.setPlaceholderText("Write the post. Each channel's tab below can adapt it.")
        self.master.setAccessibleName("Main text")
        self.master.setTabChangesFocus(True)
        self.master.textChanged.connect(self._master_changed)
        self.library_buttons = LibraryButtons(self)  # hashtag groups and templates
        layout.addWidget(self.library_buttons)
        layout.addWidget(self.master, 3)
        self.summary = QLabel()
        self.summary.setAccessibleName("Length on each channel")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.media = MediaStrip(self.ctx, self.workspace.id)
        self.media.changed.connect(self._content_changed)
        layout.addWidget(self.media)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Channel versions")
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._show_preview)
        layout.addWidget(self.tabs, 0)
        self._editor_layout = layout
        return box

    def _warn_of_removed_channels(self) -> None:
        """Say so when the post targets a channel that was removed: saving will drop it."""
        notice = removed_channels_notice(self.ctx, self.post, self.channels)
        if notice:
            shown = self.banner.text() if self.banner.isVisibleTo(self) else ""
            self.banner.setText(f"{shown}\n{notice}" if shown else notice)
            self.banner.show()

    def _build_channel_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
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

    def _build_buttons(self) -> ActionBar:
        # Parented at once: a default button registers with the dialog it is in when set.
        bar = ActionBar(self.schedule, new_post=self.post is None, parent=self)
        bar.save_requested.connect(lambda kind: self.save(SaveKind(kind)))
        bar.close_requested.connect(self.close)
        self.close_button, self.draft_button = bar.close_button, bar.draft_button
        self.queue_button, self.schedule_button = bar.queue_button, bar.schedule_button
        self.publish_button = bar.publish_button
        self.queue_hook = QueueButton(self, self.queue_button)  # enabled when channels have slots
        self.repeat = repeat_control.install(self, bar)  # recurring and evergreen posts
        self.draft_button.setDefault(True)
        save = QShortcut(QKeySequence("Ctrl+S"), self)
        save.activated.connect(lambda: self.save(SaveKind.DRAFT))
        return bar

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
            self.previews.add(tab.preview_area)
            if self._engagement is not None:  # a published post: how it is doing there
                counts = self._engagement.by_channel.get(channel_id)
                tab.set_engagement(counts, self.workspace.timezone)
        return tab

    def _channel_toggled(self, channel: ChannelDTO, on: bool) -> None:
        tab = self.tab(channel.id)
        index = self.tabs.indexOf(tab)
        if on and index < 0:
            order = [c.id for c in self.chosen_channels()]
            self.tabs.insertTab(order.index(channel.id), tab, channel.name)
        elif not on and index >= 0:
            self.tabs.removeTab(index)  # the tab and its text are kept if ticked again
        self._show_preview()
        self._content_changed()

    def _show_preview(self) -> None:
        tab = self.tabs.currentWidget()
        if isinstance(tab, ChannelTab):
            self.previews.show_preview(tab.preview_area, tab.channel.name)
        else:
            self.previews.show_preview(None, "")

    def _fit_tabs(self) -> None:
        """The tabs grow only when a channel has its own text or thread to edit."""
        chosen = [self.tab(c.id) for c in self.chosen_channels()]
        editing = any(tab.mode() is not Mode.MASTER for tab in chosen)
        self._editor_layout.setStretchFactor(self.tabs, 4 if editing else 0)
        policy = QSizePolicy.Policy.Expanding if editing else QSizePolicy.Policy.Maximum
        self.tabs.setSizePolicy(QSizePolicy.Policy.Preferred, policy)
        self.tabs.setVisible(bool(chosen))

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
        self._fit_tabs()

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
            saved = repeat_control.save(self, kind)  # the plain commit, or with its series
        except UserError as exc:
            show_error(self, exc)
            return None
        if saved is None:
            return None  # "only this post or all following" was cancelled
        post_id = saved
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
