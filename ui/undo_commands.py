"""The undoable commands of the plan, one class per kind of change.

Each command is pushed after its change was already made (see :mod:`ui.actions`), so its first
``redo()`` does nothing. An undo or a redo asks the core to check that the post still stands where
the command left it; when it does not (changed elsewhere, published meanwhile, its time passed),
the command reports why and makes itself obsolete, and ``QUndoStack`` drops it, so later steps
never act on a state they did not expect.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from cmdesk.dto import PlacementChange, PostEdit

if TYPE_CHECKING:
    from ui.actions import PlanActions

#: Keyboard nudges this close together (seconds) are one undo step: holding a key, or a burst.
NUDGE_MERGE_SECONDS = 2.0
_NUDGE_ID = 0x6E756467  # "nudg"


def lower_first(text: str) -> str:
    """A command text as it reads after "Undo" ("Move of" becomes "move of")."""
    return text[:1].lower() + text[1:]


class PlanCommand(QUndoCommand):
    """A change already made; undo and redo go through the core, which checks before acting."""

    def __init__(self, actions: PlanActions, text: str) -> None:
        super().__init__(text)
        self.actions = actions
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # QUndoStack.push calls redo(): the change is already made.
            return
        self._run(self.redo_step, "Redo")

    def undo(self) -> None:
        self._run(self.undo_step, "Undo")

    def _run(self, step: Callable[[], None], verb: str) -> None:
        if self.isObsolete():
            # A step inside a macro that failed once: the stack only drops whole macros, so it
            # stays there and is skipped.
            return
        try:
            step()
        except Exception as exc:
            # The post is as it was before this attempt (the core changed nothing): this step can
            # no longer be replayed safely, so the stack drops it.
            self.setObsolete(True)
            self.actions.report_failure(f"{verb} {lower_first(self.text())}", exc)
            return
        self.actions.performed.emit(f"{verb} {lower_first(self.text())}")

    def redo_step(self) -> None:
        raise NotImplementedError

    def undo_step(self) -> None:
        raise NotImplementedError


class PlacementCommand(PlanCommand):
    """A move, a status change (of one post or many) or an unschedule."""

    def __init__(self, actions: PlanActions, text: str, changes: Sequence[PlacementChange]) -> None:
        super().__init__(actions, text)
        self.changes = tuple(changes)

    def redo_step(self) -> None:
        self.changes = self.actions.ctx.history.apply_placements(self.changes)

    def undo_step(self) -> None:
        done = self.actions.ctx.history.apply_placements([c.reversed() for c in self.changes])
        # Redo starts from where the undo really left each post (its deliveries may differ).
        self.changes = tuple(
            PlacementChange(c.post_id, c.label, d.after, c.after)
            for c, d in zip(self.changes, done, strict=True)
        )


class NudgeCommand(PlacementCommand):
    """A keyboard nudge of one post; consecutive nudges of the same post merge into one step."""

    def __init__(self, actions: PlanActions, text: str, change: PlacementChange) -> None:
        super().__init__(actions, text, [change])
        self.at = time.monotonic()

    def id(self) -> int:
        return _NUDGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, NudgeCommand):
            return False
        mine, theirs = self.changes[0], other.changes[0]
        if theirs.post_id != mine.post_id or other.at - self.at > NUDGE_MERGE_SECONDS:
            return False
        self.changes = (PlacementChange(mine.post_id, mine.label, mine.before, theirs.after),)
        self.at = other.at
        if (mine.before.status, mine.before.scheduled_at) == (
            theirs.after.status,
            theirs.after.scheduled_at,
        ):
            self.setObsolete(True)  # back where it started: nothing left to undo
        return True


class EditCommand(PlanCommand):
    """A save of a post: its content and variants, and the status and time the save gave it.

    Undo and redo put back all of it in one transaction, or nothing.
    """

    def __init__(self, actions: PlanActions, text: str, edit: PostEdit) -> None:
        super().__init__(actions, text)
        self.edit = edit

    def redo_step(self) -> None:
        self.edit = self.actions.ctx.history.apply_edit(self.edit)

    def undo_step(self) -> None:
        # Redo starts from where the undo really left the post (its deliveries may differ).
        self.edit = self.actions.ctx.history.apply_edit(self.edit.reversed()).reversed()


class TrashCommand(PlanCommand):
    """A delete of one or more posts into the trash; undo restores them."""

    def __init__(self, actions: PlanActions, text: str, post_ids: Sequence[int]) -> None:
        super().__init__(actions, text)
        self.post_ids = tuple(post_ids)

    def redo_step(self) -> None:
        self.actions.ctx.history.trash(self.post_ids)

    def undo_step(self) -> None:
        self.actions.tell(self.actions.ctx.history.restore(self.post_ids).notes)


class RestoreCommand(TrashCommand):
    """Posts taken out of the trash; undo puts them back in."""

    def redo_step(self) -> None:
        super().undo_step()

    def undo_step(self) -> None:
        super().redo_step()


class CreateCommand(PlanCommand):
    """A new post (created or duplicated); undo moves it to the trash, redo brings it back."""

    def __init__(self, actions: PlanActions, text: str, post_id: int) -> None:
        super().__init__(actions, text)
        self.post_id = post_id

    def redo_step(self) -> None:
        self.actions.tell(self.actions.ctx.history.restore([self.post_id]).notes)

    def undo_step(self) -> None:
        self.actions.ctx.history.trash([self.post_id])


class QueueCommand(PlacementCommand):
    """Add to queue: undo puts the post back; redo queues it again in the next free slots."""

    def redo_step(self) -> None:
        queues = self.actions.ctx.queues
        self.changes = tuple(queues.queue_post(c.post_id, expected=c.before) for c in self.changes)


class QueuedEditCommand(EditCommand):
    """The composer's "Add to queue" of a saved post: content and slots undone together."""

    def redo_step(self) -> None:
        self.edit = self.actions.ctx.queues.redo_save_and_queue(self.edit)
