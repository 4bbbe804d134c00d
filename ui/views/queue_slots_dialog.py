"""The "Posting slots…" dialog: each channel's weekly slots, used by "Add to queue".

A channel is chosen at the top; its slots are listed by day and time (a table: day, time, on);
below, a day and a time and Add. Every change is one service call, saved at once: there is no
OK to forget. The line at the bottom gives the channel's next free slot in the workspace's zone,
so the effect of a change is visible.

Keyboard: Alt+C the channel, the table takes the arrows, Delete removes the selected slot and
Space switches it off or on; Alt+D the day, Alt+T the time, Enter (or Alt+A) adds; Escape closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.planning.queues import WEEKDAY_LABELS, QueueSlotDTO
from cmdesk.timeutil import utc_to_local
from ui.errors import show_error
from ui.models.flat_table import FlatTableModel

_Index = QModelIndex | QPersistentModelIndex


class SlotRole(IntEnum):
    """Data roles of :class:`SlotsModel`, beyond Qt's own."""

    SLOT = Qt.ItemDataRole.UserRole + 1  # the QueueSlotDTO of the row
    SLOT_ID = Qt.ItemDataRole.UserRole + 2  # int


class SlotColumn(IntEnum):
    """The table's columns, left to right."""

    DAY = 0
    TIME = 1
    ACTIVE = 2


_HEADERS = {SlotColumn.DAY: "Day", SlotColumn.TIME: "Time", SlotColumn.ACTIVE: "On"}


class SlotsModel(FlatTableModel):
    """A channel's slots, one row each, sorted by day and time.

    Signals:
        active_toggled(int, bool): the person ticked or unticked a slot's "On" box (slot id,
            wanted state); the dialog asks the service and reloads.
    """

    active_toggled = Signal(int, bool)

    HEADERS = tuple(_HEADERS[c] for c in SlotColumn)

    def set_slots(self, slots: Sequence[QueueSlotDTO]) -> None:
        self.replace_rows(sorted(slots, key=lambda s: (s.weekday, s.local_time)))

    def slot_at(self, row: int) -> QueueSlotDTO | None:
        found: QueueSlotDTO | None = self.row_item(row)
        return found

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == SlotColumn.ACTIVE:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        slot = self.slot_at(index.row()) if index.isValid() else None
        if slot is None:
            return None
        col = SlotColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if col is SlotColumn.DAY:
                return WEEKDAY_LABELS[slot.weekday]
            if col is SlotColumn.TIME:
                return slot.local_time
            return None
        if role == Qt.ItemDataRole.CheckStateRole and col is SlotColumn.ACTIVE:
            return Qt.CheckState.Checked if slot.is_active else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "on" if slot.is_active else "off"
            return f"{WEEKDAY_LABELS[slot.weekday]} {slot.local_time}, {state}"
        if role == SlotRole.SLOT:
            return slot
        if role == SlotRole.SLOT_ID:
            return slot.id
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        slot = self.slot_at(index.row()) if index.isValid() else None
        if slot is None or index.column() != SlotColumn.ACTIVE:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        wanted = Qt.CheckState(value) == Qt.CheckState.Checked
        if wanted != slot.is_active:
            self.active_toggled.emit(slot.id, wanted)
        return True


class SlotTable(QTableView):
    """The slots table: Delete removes the selected slot, Space switches it off or on.

    Signals:
        delete_pressed(): Delete or Backspace with a slot selected.
    """

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_pressed.emit()
        elif event.key() == Qt.Key.Key_Space and self.currentIndex().isValid():
            index = self.model().index(self.currentIndex().row(), SlotColumn.ACTIVE)
            state = Qt.CheckState(index.data(Qt.ItemDataRole.CheckStateRole))
            flipped = (
                Qt.CheckState.Unchecked if state == Qt.CheckState.Checked else Qt.CheckState.Checked
            )
            self.model().setData(index, flipped, Qt.ItemDataRole.CheckStateRole)
        else:
            super().keyPressEvent(event)


class PostingSlotsDialog(QDialog):
    """Edit the weekly posting slots of a workspace's channels (changes are saved at once).

    Signals: none (the service's change sets tell the rest of the window).
    """

    def __init__(
        self,
        ctx: AppContext,
        workspace: WorkspaceDTO,
        channel_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.workspace = workspace
        self.setWindowTitle(f"Posting slots · {workspace.name}")
        self.setAccessibleName("Posting slots")
        self.model = SlotsModel(self)
        self.model.active_toggled.connect(self._toggle)
        self._build()
        channels = [c for c in ctx.channels.list(workspace.id) if not c.removed]
        for c in channels:
            self.channel.addItem(c.name, c.id)
        if channel_id is not None and (i := self.channel.findData(channel_id)) >= 0:
            self.channel.setCurrentIndex(i)
        self.channel.currentIndexChanged.connect(self.reload)
        self.reload()
        self.resize(460, 480)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        label = QLabel("&Channel:")
        self.channel = QComboBox()
        self.channel.setAccessibleName("Channel")
        label.setBuddy(self.channel)
        top.addWidget(label)
        top.addWidget(self.channel, 1)
        layout.addLayout(top)
        intro = QLabel(
            "Add to queue puts a post in the next free slot of each of its channels. Times are "
            f"wall-clock times in {self.workspace.timezone} and stay so across daylight saving."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #5f6368;")
        layout.addWidget(intro)
        self.table = SlotTable(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Weekly slots")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.delete_pressed.connect(self.remove_selected)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._add_row())
        self.next_label = QLabel()
        self.next_label.setAccessibleName("Next free slot")
        self.next_label.setWordWrap(True)
        layout.addWidget(self.next_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        layout.addWidget(buttons)

    def _add_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        day_label = QLabel("&Day:")
        self.day = QComboBox()
        self.day.setAccessibleName("Day of the new slot")
        for i, name in enumerate(WEEKDAY_LABELS):
            self.day.addItem(name, i)
        day_label.setBuddy(self.day)
        time_label = QLabel("&Time:")
        self.time = QTimeEdit(QTime(9, 0))
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("Time of the new slot")
        time_label.setBuddy(self.time)
        self.add_button = QPushButton("&Add")
        self.add_button.setAccessibleName("Add slot")
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.add_slot)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAccessibleName("Remove slot")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        for w in (day_label, self.day, time_label, self.time, self.add_button):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        return row

    # --- reading -----------------------------------------------------------------------------

    def channel_id(self) -> int | None:
        value = self.channel.currentData()
        return value if isinstance(value, int) else None

    def reload(self) -> None:
        cid = self.channel_id()
        selected = self.selected_slot()
        slots = self.ctx.queues.list_slots(cid) if cid is not None else []
        self.model.set_slots(slots)
        if selected is not None and (row := self.model.row_of(selected.id)) is not None:
            self.table.selectRow(row)
        for w in (self.table, self.day, self.time, self.add_button, self.remove_button):
            w.setEnabled(cid is not None)
        self._show_next(cid)

    def _show_next(self, cid: int | None) -> None:
        if cid is None:
            self.next_label.setText("This workspace has no channels yet: connect one first.")
            return
        try:
            at = self.ctx.queues.next_free_slots([cid])[cid]
        except UserError as exc:
            self.next_label.setText(exc.message)
            return
        local = utc_to_local(at, self.workspace.timezone)
        self.next_label.setText(f"Next free slot: {local:%A %d %B, %H:%M}")

    def selected_slot(self) -> QueueSlotDTO | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.slot_at(rows[0].row()) if rows else None

    # --- changing ----------------------------------------------------------------------------

    def add_slot(self) -> None:
        cid = self.channel_id()
        if cid is None:
            return
        when = self.time.time().toString("HH:mm")
        try:
            changes = self.ctx.queues.add_slot(cid, int(self.day.currentData()), when)
        except UserError as exc:
            show_error(self, exc)
            return
        self.reload()
        if changes.subject is not None and (row := self.model.row_of(changes.subject)) is not None:
            self.table.selectRow(row)

    def remove_selected(self) -> None:
        slot = self.selected_slot()
        if slot is None:
            return
        row = self.model.row_of(slot.id) or 0
        try:
            self.ctx.queues.remove_slot(slot.id)
        except UserError as exc:
            show_error(self, exc)
        self.reload()
        if self.model.rowCount():
            self.table.selectRow(min(row, self.model.rowCount() - 1))

    def _toggle(self, slot_id: int, active: bool) -> None:
        try:
            self.ctx.queues.set_active(slot_id, active)
        except UserError as exc:
            show_error(self, exc)
        self.reload()


def open_posting_slots(
    parent: QWidget, ctx: AppContext, workspace: WorkspaceDTO, channel_id: int | None = None
) -> None:
    """Plan menu and Channels page: the posting slots dialog (modal; changes saved at once)."""
    dialog = PostingSlotsDialog(ctx, workspace, channel_id, parent)
    dialog.exec()
    dialog.deleteLater()
