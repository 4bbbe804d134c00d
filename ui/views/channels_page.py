"""The Channels page: the workspace's connected accounts, their health, and what to do about it.

Add a Mastodon account (browser sign-in, or paste the code) or a Bluesky account (handle and app
password); test a channel's sign-in now; sign it in again; remove it. Everything that talks to
the network or the keyring runs on the :class:`~ui.tasks.TaskRunner`; outcomes are shown in the
line under the table, refusals as they are. Secrets are never shown: the table says only whether
one is stored.

Keyboard: the buttons have mnemonics; in the table, Delete removes the selected channel and
Enter tests its connection.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cmdesk.adapters.base import AccountInfo
from cmdesk.bootstrap import AppContext
from cmdesk.dto import ChannelDTO, WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.services.signin import SignInService
from ui.errors import show_error
from ui.models.channels import ChannelRole, ChannelsModel, Column, network_label
from ui.tasks import TaskRunner
from ui.views.channel_dialogs import BlueskyDialog, ChannelDialog
from ui.views.channel_dialogs_mastodon import MastodonDialog, UrlOpener, open_in_browser
from ui.views.page import PlanPage
from ui.views.queue_slots_dialog import open_posting_slots

OK_STYLE = "color: #1e7e34;"
PROBLEM_STYLE = "color: #b00020;"


class ChannelTable(QTableView):
    """The channels table; Delete asks to remove, Enter tests.

    Signals: none of its own (the page listens to its keys through callbacks).
    """

    def __init__(
        self, on_delete: Callable[[], None], on_enter: Callable[[], None], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self._on_delete, self._on_enter = on_delete, on_enter

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete:
            self._on_delete()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._on_enter()
        else:
            super().keyPressEvent(event)


class ChannelsPage(PlanPage):
    """The workspace's channels, with Add, Test connection, Reconnect and Remove.

    Signals (from :class:`PlanPage`): edit_requested(int), new_post_requested(object) — never
    emitted here.
    """

    title = "Channels"

    def __init__(
        self,
        ctx: AppContext,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        open_url: UrlOpener = open_in_browser,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.signin = SignInService(ctx.connections)
        self.open_url = open_url
        self.dialog: ChannelDialog | None = None  # the open add/reconnect dialog, if any
        self.remove_box: QMessageBox | None = None  # the open removal question, if any
        self.setObjectName("channelsPage")
        self.setAccessibleName("Channels")
        self.model = ChannelsModel(self)
        self._build()
        self._update_buttons()

    # --- layout ---

    def _build(self) -> None:
        heading = QLabel("Channels")
        heading.setObjectName("pageTitle")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet("color: #5f6368;")
        self.table = ChannelTable(self.confirm_remove, self.test_connection, self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Channels of the workspace")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.HEALTH, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #5f6368; font-size: 11pt;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.status = QLabel()
        self.status.setObjectName("channelStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Result")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading)
        layout.addWidget(self.subtitle)
        layout.addLayout(self._button_row())
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.refresh)

    def _button_row(self) -> QHBoxLayout:
        def button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
            b = QPushButton(text)
            b.setAccessibleName(name)
            b.clicked.connect(slot)
            row.addWidget(b)
            return b

        row = QHBoxLayout()
        self.add_mastodon_button = button("Add &Mastodon…", "Add Mastodon", self.add_mastodon)
        self.add_bluesky_button = button("Add &Bluesky…", "Add Bluesky", self.add_bluesky)
        row.addSpacing(16)
        self.test_button = button("&Test connection", "Test connection", self.test_connection)
        self.reconnect_button = button("Re&connect…", "Reconnect", self.reconnect)
        self.remove_button = button("&Remove…", "Remove", self.confirm_remove)
        self.slots_button = button("Posting &slots…", "Posting slots", self.posting_slots)
        row.addStretch(1)
        return row

    # --- loading ---

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        if workspace != self.workspace:
            self.show_status("", ok=True)  # an outcome about another workspace's channel
        super().set_workspace(workspace)

    def relevant(self, changes: ChangeSet) -> bool:
        # A failed delivery may mark its channel as needing a sign-in while naming only the
        # target in its change set; the list is small, so any delivery change reloads it.
        return bool(changes.ids("channel") or changes.ids("workspace") or changes.ids("target"))

    def reload(self) -> None:
        selected = self.selected_channel()
        ws = self.workspace
        channels = self.ctx.channels.list(ws.id) if ws is not None else []
        self.model.set_channels([c for c in channels if not c.removed])
        if ws is None:
            self.subtitle.setText("")
            self.empty.setText("Create a workspace first; its channels will be listed here.")
        else:
            self.subtitle.setText(
                f"The accounts {ws.name} publishes to. Sign-ins are kept in the system keyring."
            )
            self.empty.setText(
                "No channels yet.\nAdd a Mastodon or Bluesky account to publish from cmdesk."
            )
        self.stack.setCurrentWidget(self.table if self.model.rowCount() else self.empty)
        if selected is not None:
            self.select_channel(selected.id)
        self._update_buttons()

    def selected_channel(self) -> ChannelDTO | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        value = rows[0].data(ChannelRole.CHANNEL)
        return value if isinstance(value, ChannelDTO) else None

    def select_channel(self, channel_id: int) -> None:
        row = self.model.row_of(channel_id)
        if row is not None:
            self.table.selectRow(row)

    def _selection_changed(self, *_: QItemSelection) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_ws = self.workspace is not None
        channel = self.selected_channel()
        self.add_mastodon_button.setEnabled(has_ws)
        self.add_bluesky_button.setEnabled(has_ws)
        self.test_button.setEnabled(channel is not None)
        self.reconnect_button.setEnabled(
            channel is not None and not channel.is_demo and channel.network in _DIALOGS
        )
        self.remove_button.setEnabled(channel is not None)
        self.slots_button.setEnabled(channel is not None)

    def show_status(self, text: str, *, ok: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(OK_STYLE if ok else PROBLEM_STYLE)
        self.status.setAccessibleDescription(text)

    def posting_slots(self) -> None:
        """The selected channel's weekly slots for Add to queue (ui/views/queue_slots_dialog.py)."""
        channel = self.selected_channel()
        if self.workspace is not None and channel is not None:
            open_posting_slots(self, self.ctx, self.workspace, channel.id)

    # --- add and reconnect ---

    def add_mastodon(self) -> None:
        self._open_dialog("mastodon", None)

    def add_bluesky(self) -> None:
        self._open_dialog("bluesky", None)

    def reconnect(self) -> None:
        channel = self.selected_channel()
        if channel is not None and channel.network in _DIALOGS:
            self._open_dialog(channel.network, channel)

    def _open_dialog(self, network: str, channel: ChannelDTO | None) -> None:
        if self.workspace is None:
            return
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        wid = self.workspace.id
        if network == "mastodon":
            dialog: ChannelDialog = MastodonDialog(
                self.runner, self.signin, wid, channel, self, open_url=self.open_url
            )
        else:
            dialog = BlueskyDialog(self.runner, self.signin, wid, channel, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.connected.connect(lambda changes: self._connected(changes, channel))
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self) -> None:
        self.dialog = None

    def _connected(self, changes: ChangeSet, channel: ChannelDTO | None) -> None:
        self.refresh()
        if changes.subject is not None:
            self.select_channel(changes.subject)
        added = self.selected_channel()
        label = added.name if added is not None else "The channel"
        what = "is signed in again" if channel is not None else "is connected"
        detail = f" as {added.handle}" if added is not None and added.handle else ""
        self.show_status(f"{label} {what}{detail}.", ok=True)

    # --- test and remove ---

    def test_connection(self) -> None:
        channel = self.selected_channel()
        if channel is None:
            return
        self.test_button.setEnabled(False)
        self.show_status(f"Testing {channel.name}…", ok=True)
        cid = channel.id

        def done(info: AccountInfo) -> None:
            self.refresh()
            self.show_status(f"{channel.name} works: it signs in as {info.handle}.", ok=True)

        self.runner.run(
            lambda: self.ctx.connections.check(cid),
            done,
            lambda exc: self._failed(exc, f"{channel.name}: "),
            name="test connection",
        )

    def confirm_remove(self) -> None:
        channel = self.selected_channel()
        if channel is None:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Remove channel")
        box.setAccessibleName("Remove channel")
        box.setText(f"Remove {channel.name} ({network_label(channel.network)})?")
        box.setInformativeText(
            "Posts queued on this channel are cancelled for it (they stay in the plan). "
            "Its sign-in is deleted from the system keyring. Posts already published keep "
            "their links."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.remove_box = box  # tests answer it
        box.finished.connect(lambda _: self._remove_answered(box, remove, channel))
        box.open()

    def _remove_answered(self, box: QMessageBox, remove: QPushButton, channel: ChannelDTO) -> None:
        self.remove_box = None
        if box.clickedButton() is not remove:
            return
        cid = channel.id

        def done(changes: ChangeSet) -> None:
            self.refresh()
            cancelled = len(changes.ids("target"))
            tail = f"; {cancelled} queued deliveries were cancelled" if cancelled else ""
            self.show_status(f"Removed {channel.name}{tail}.", ok=True)

        self.runner.run(
            lambda: self.ctx.channels.remove(cid), done, self._failed, name="remove channel"
        )

    def _failed(self, exc: BaseException, prefix: str = "") -> None:
        self.refresh()  # a failed check may have marked the channel as needing a sign-in
        if isinstance(exc, UserError):
            self.show_status(prefix + exc.message, ok=False)
        else:
            self.show_status(prefix + "something went wrong; see the message.", ok=False)
            show_error(self, exc)
        self._update_buttons()


_DIALOGS = ("mastodon", "bluesky")
