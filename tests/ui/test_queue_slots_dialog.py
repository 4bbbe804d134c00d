"""The Posting slots dialog: its model, adding, removing and switching slots by keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTime
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.planning.queues import QueueSlotDTO
from ui.views.queue_slots_dialog import PostingSlotsDialog, SlotColumn, SlotRole, SlotsModel


@pytest.fixture
def ws_channels(empty_ctx: AppContext) -> tuple[AppContext, int, int, int]:
    ctx = empty_ctx
    wid = ctx.workspaces.create("Espiga", "Europe/Madrid").subject
    assert wid is not None
    a = ctx.channels.add(wid, "mastodon", "@bakery", handle="@b@m.social").subject
    b = ctx.channels.add(wid, "mastodon", "@cafe", handle="@c@m.social").subject
    assert a is not None and b is not None
    return ctx, wid, a, b


def test_the_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = SlotsModel()
    qtmodeltester.check(model)
    model.set_slots([QueueSlotDTO(2, 1, 4, "17:00", False), QueueSlotDTO(1, 1, 0, "09:00", True)])
    qtmodeltester.check(model)
    first = model.index(0, SlotColumn.DAY)
    assert first.data() == "Monday" and first.data(SlotRole.SLOT_ID) == 1
    on = model.index(1, SlotColumn.ACTIVE)
    assert on.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert model.index(1, SlotColumn.DAY).data(Qt.ItemDataRole.AccessibleTextRole) == (
        "Friday 17:00, off"
    )


def test_slots_are_added_removed_and_switched_with_the_keyboard(
    ws_channels: tuple[AppContext, int, int, int], qtbot: QtBot
) -> None:
    ctx, wid, a, b = ws_channels
    dialog = PostingSlotsDialog(ctx, ctx.workspaces.get(wid), b)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.channel_id() == b
    assert "Give @cafe posting slots" in dialog.next_label.text()
    dialog.day.setCurrentIndex(4)  # Friday
    dialog.time.setTime(QTime(12, 0))
    qtbot.keyClick(dialog.time, Qt.Key.Key_Return)  # Enter adds (Add is the default button)
    assert [s.label for s in ctx.queues.list_slots(b)] == ["Friday 12:00"]
    assert dialog.model.rowCount() == 1
    # The fake clock is Friday 20 March 2026, 11:00 in Madrid: noon is the next free slot.
    assert dialog.next_label.text() == "Next free slot: Friday 20 March, 12:00"
    dialog.day.setCurrentIndex(0)
    dialog.time.setTime(QTime(9, 30))
    dialog.add_button.click()
    assert [s.label for s in ctx.queues.list_slots(b)] == ["Monday 09:30", "Friday 12:00"]
    dialog.table.setFocus()
    dialog.table.selectRow(1)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert [s.is_active for s in ctx.queues.list_slots(b)] == [True, False]
    assert "Monday 23 March, 09:30" in dialog.next_label.text()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert [s.label for s in ctx.queues.list_slots(b)] == ["Monday 09:30"]
    dialog.channel.setCurrentIndex(dialog.channel.findData(a))
    assert dialog.model.rowCount() == 0


def test_a_duplicate_slot_is_refused_with_a_reason(
    ws_channels: tuple[AppContext, int, int, int],
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx, wid, a, _b = ws_channels
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.views.queue_slots_dialog.show_error", lambda _p, exc: shown.append(str(exc))
    )
    ctx.queues.set_slots(a, ["mon 09:00"])
    dialog = PostingSlotsDialog(ctx, ctx.workspaces.get(wid), a)
    qtbot.addWidget(dialog)
    dialog.day.setCurrentIndex(0)
    dialog.time.setTime(QTime(9, 0))
    dialog.add_button.click()
    assert shown == ["This channel already has a slot on Monday at 09:00."]
    assert dialog.model.rowCount() == 1
    for w in (dialog.channel, dialog.table, dialog.day, dialog.time, dialog.add_button):
        assert w.accessibleName()
