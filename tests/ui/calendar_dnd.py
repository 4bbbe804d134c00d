"""Helpers of the calendar tests: posts at local times, drags delivered like the platform's loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostInput, WorkspaceDTO
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time, utc_to_local


def workspace(ctx: AppContext, zone: str) -> WorkspaceDTO:
    return next(ws for ws in ctx.workspaces.list() if ws.timezone == zone)


def add_post(
    ctx: AppContext,
    ws: WorkspaceDTO,
    day: date | None,
    wall: time = time(9, 0),
    *,
    title: str = "Test post",
    status: PostStatus = PostStatus.DRAFT,
) -> int:
    """A post at ``wall`` on ``day`` in the workspace's zone (no time when ``day`` is None)."""
    when = at_wall_time(day, wall, ws.timezone) if day is not None else None
    changes = ctx.plan.create_post(ws.id, PostInput(title=title), status=status, scheduled_at=when)
    assert changes.subject is not None
    return changes.subject


def local_time(ctx: AppContext, ws: WorkspaceDTO, post_id: int) -> datetime | None:
    when = ctx.plan.get_post(post_id).scheduled_at
    return utc_to_local(when, ws.timezone).replace(tzinfo=None) if when else None


@dataclass
class DragResult:
    """What a simulated drag ended with."""

    action: Qt.DropAction = Qt.DropAction.IgnoreAction
    started: bool = False


def deliver(
    mime: QMimeData,
    target: QWidget,
    pos: QPoint,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> Qt.DropAction:
    """What the platform's drag loop does when the pointer goes over ``target`` and is released."""
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    left = Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(pos, actions, mime, left, modifiers)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return Qt.DropAction.IgnoreAction
    QApplication.sendEvent(target, QDragMoveEvent(pos, actions, mime, left, modifiers))
    drop = QDropEvent(QPointF(pos), actions, mime, left, modifiers)
    QApplication.sendEvent(target, drop)
    return drop.dropAction() if drop.isAccepted() else Qt.DropAction.IgnoreAction


def mouse_drag(
    monkeypatch: pytest.MonkeyPatch,
    source: QWidget,
    start: QPoint,
    target: QWidget,
    end: QPoint,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> DragResult:
    """Press at ``start`` on ``source`` (a viewport), move past the drag distance, release.

    The offscreen platform has no drag loop (``QDrag.exec`` returns at once), so a stand-in for
    ``QDrag.exec`` delivers the drag's enter, move and drop events to ``target`` at ``end``;
    the press, the move that starts the drag, the ``QDrag`` and the drop handling are the views'
    own code.
    """
    result = DragResult()

    def exec_(drag: QDrag, *args: object) -> Qt.DropAction:
        result.started = True
        result.action = deliver(drag.mimeData(), target, end, modifiers)
        return result.action

    monkeypatch.setattr(QDrag, "exec", exec_)
    QTest.mousePress(source, Qt.MouseButton.LeftButton, modifiers, start)
    far = start + QPoint(QApplication.startDragDistance() + 10, 4)
    QTest.mouseMove(source, far)
    QTest.mouseRelease(source, Qt.MouseButton.LeftButton, modifiers, far)
    return result
