"""Every change a person makes to the plan, as an undoable command.

Views never call ``ctx.plan`` to change a post: they call :class:`PlanActions`, which performs the
change at once (so a refusal raises ``UserError`` and pushes nothing) and then pushes a command on
one ``QUndoStack`` shared by every view, so Edit > Undo works across the calendar, the board and
the composer alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostDetail, PostInput, VariantInput
from cmdesk.errors import UserError
from cmdesk.status import PostStatus
from cmdesk.timeutil import move_to_day, utc_to_local


def _label(detail: PostDetail) -> str:
    text = detail.title or next((ln for ln in detail.text.splitlines() if ln.strip()), "")
    return text if len(text) <= 40 else text[:39] + "…"


class _Command(QUndoCommand):
    """A command whose first redo() is skipped: PlanActions already did the work before pushing."""

    def __init__(self, actions: PlanActions, text: str) -> None:
        super().__init__(text)
        self._actions = actions
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._guard(self.do_redo)

    def undo(self) -> None:
        self._guard(self.do_undo)

    def _guard(self, step: object) -> None:
        try:
            step()  # type: ignore[operator]
        except UserError as exc:
            # The post changed elsewhere: this step can no longer be replayed safely.
            self.setObsolete(True)
            self._actions.failed.emit(exc.message)
            return
        self._actions.performed.emit(self.text())

    def do_redo(self) -> None:
        raise NotImplementedError

    def do_undo(self) -> None:
        raise NotImplementedError


class _TimeCommand(_Command):
    def __init__(
        self,
        actions: PlanActions,
        text: str,
        post_id: int,
        before: datetime | None,
        after: datetime,
    ) -> None:
        super().__init__(actions, text)
        self.post_id, self.before, self.after = post_id, before, after

    def do_redo(self) -> None:
        self._actions.ctx.plan.reschedule_post(self.post_id, self.after)

    def do_undo(self) -> None:
        if self.before is None:
            raise UserError("This post had no time before; give it one again or unschedule it.")
        self._actions.ctx.plan.reschedule_post(self.post_id, self.before)


class _StatusCommand(_Command):
    def __init__(
        self, actions: PlanActions, text: str, changes: Sequence[tuple[int, PostStatus, PostStatus]]
    ) -> None:
        super().__init__(actions, text)
        self.changes = tuple(changes)

    def do_redo(self) -> None:
        for pid, _old, new in self.changes:
            self._actions.ctx.plan.change_status(pid, new)

    def do_undo(self) -> None:
        for pid, old, _new in self.changes:
            self._actions.ctx.plan.change_status(pid, old)


class _NotUndoable(_Command):
    def do_redo(self) -> None:
        raise UserError("This step cannot be redone yet.")

    def do_undo(self) -> None:
        raise UserError("This step cannot be undone yet.")


class PlanActions(QObject):
    """The undoable changes of the plan.

    Signals:
        performed(str): text of a command just done, undone or redone.
        failed(str): why an undo or redo could not be done (the step is dropped from the stack).
        notice(str): something a person should know after a step (a post came back as a draft).
    """

    performed = Signal(str)
    failed = Signal(str)
    notice = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.undo_stack = QUndoStack(self)

    def _push(self, cmd: _Command) -> None:
        self.undo_stack.push(cmd)
        self.performed.emit(cmd.text())

    def _detail(self, post_id: int) -> PostDetail:
        return self.ctx.plan.get_post(post_id)

    # --- time --------------------------------------------------------------------------------

    def move_to_day(self, post_id: int, day: date) -> None:
        d = self._detail(post_id)
        if d.scheduled_at is None:
            raise UserError("This post has no time yet: give it one (drag it to a time).")
        tz = self.ctx.workspaces.get(d.workspace_id).timezone
        self.reschedule(post_id, move_to_day(d.scheduled_at, day, tz))

    def reschedule(self, post_id: int, when: datetime) -> None:
        d = self._detail(post_id)
        self.ctx.plan.reschedule_post(post_id, when)
        after = self._detail(post_id).scheduled_at
        assert after is not None
        self._push(_TimeCommand(self, f"Move of '{_label(d)}'", post_id, d.scheduled_at, after))

    def move_by(self, post_id: int, delta: timedelta) -> None:
        d = self._detail(post_id)
        if d.scheduled_at is None:
            raise UserError("This post has no time yet: give it one first.")
        if abs(delta) % timedelta(days=1) == timedelta(0):
            tz = self.ctx.workspaces.get(d.workspace_id).timezone
            local = utc_to_local(d.scheduled_at, tz).date() + delta
            self.reschedule(post_id, move_to_day(d.scheduled_at, local, tz))
        else:
            self.reschedule(post_id, d.scheduled_at + delta)

    def unschedule(self, post_id: int) -> None:
        d = self._detail(post_id)
        self.ctx.plan.unschedule_post(post_id)
        self._push(_NotUndoable(self, f"Unschedule of '{_label(d)}'"))

    def publish_now(self, post_id: int) -> None:
        self.ctx.plan.publish_now(post_id)
        self.performed.emit(f"Publish now of '{_label(self._detail(post_id))}'")

    # --- status ------------------------------------------------------------------------------

    def change_status(self, post_id: int, status: PostStatus) -> None:
        self.change_status_many([post_id], status)

    def change_status_many(self, post_ids: Sequence[int], status: PostStatus) -> None:
        changes: list[tuple[int, PostStatus, PostStatus]] = []
        label = ""
        for pid in post_ids:
            d = self._detail(pid)
            self.ctx.plan.change_status(pid, status)
            changes.append((pid, d.status, status))
            label = _label(d)
        text = (
            f"Status change of '{label}'"
            if len(changes) == 1
            else f"Status change of {len(changes)} posts"
        )
        self._push(_StatusCommand(self, text, changes))

    # --- content -----------------------------------------------------------------------------

    def duplicate(self, post_id: int, at: datetime | None = None) -> int:
        d = self._detail(post_id)
        new_id = self.ctx.plan.duplicate_post(post_id, at=at).subject
        assert new_id is not None
        self._push(_NotUndoable(self, f"Duplicate of '{_label(d)}'"))
        return new_id

    def delete(self, post_ids: Sequence[int]) -> None:
        labels = [_label(self._detail(pid)) for pid in post_ids]
        for pid in post_ids:
            self.ctx.plan.delete_post(pid)
        text = f"Delete of '{labels[0]}'" if len(labels) == 1 else f"Delete of {len(labels)} posts"
        self._push(_NotUndoable(self, text))

    def create_post(
        self,
        workspace_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        status: PostStatus = PostStatus.DRAFT,
        scheduled_at: datetime | None = None,
    ) -> int:
        pid = self.ctx.plan.create_post(
            workspace_id, data, status=status, scheduled_at=scheduled_at
        ).subject
        assert pid is not None
        for cid, v in variants.items():
            self.ctx.plan.set_variant(
                pid, cid, text=v.text, thread_parts=v.thread_parts, options=dict(v.options)
            )
        self._push(_NotUndoable(self, f"Creation of '{_label(self._detail(pid))}'"))
        return pid

    def save_post(
        self,
        post_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        expected_revision: int | None = None,
    ) -> None:
        self.ctx.plan.update_post(post_id, data, expected_revision=expected_revision)
        for cid, v in variants.items():
            self.ctx.plan.set_variant(
                post_id, cid, text=v.text, thread_parts=v.thread_parts, options=dict(v.options)
            )
        self._push(_NotUndoable(self, f"Edit of '{_label(self._detail(post_id))}'"))
