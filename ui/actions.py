"""Every change a person makes to the plan, as an undoable command.

Views never call ``ctx.plan`` to change a post: they call :class:`PlanActions`, which performs the
change at once through ``ctx.history`` (so a refusal raises ``UserError`` and pushes nothing) and
then pushes a command on one ``QUndoStack`` shared by every view, so Edit > Undo works across the
calendar, the board and the composer alike. The commands themselves are in
:mod:`ui.undo_commands`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QApplication, QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PlacementChange, PlacementInput, PostEdit, PostInput, SaveAs, VariantInput
from cmdesk.errors import UserError
from cmdesk.status import PostStatus
from ui.errors import show_error
from ui.series_actions import SeriesActions
from ui.undo_commands import (
    CreateCommand,
    EditCommand,
    NudgeCommand,
    PlacementCommand,
    PlanCommand,
    QueueCommand,
    QueuedEditCommand,
    RestoreCommand,
    TrashCommand,
    lower_first,
)

log = logging.getLogger(__name__)


def _publishes(placement: PlacementInput | None) -> bool:
    return placement is not None and placement.status is SaveAs.PUBLISH_NOW


def _edit_text(edit: PostEdit) -> str:
    """The name of a save's undo step, after what it did to the post's status."""
    change, scheduled = edit.placement, PostStatus.SCHEDULED
    if change is not None and change.after.status == scheduled != change.before.status:
        return f"Scheduling of '{edit.before.label}'"
    if change is not None and change.before.status == scheduled != change.after.status:
        return f"Unschedule of '{edit.before.label}'"
    return f"Edit of '{edit.before.label}'"


def _many(noun: str, labels: Sequence[str]) -> str:
    """The text of a step about one post (its label) or about several (how many)."""
    if len(labels) == 1:
        return f"{noun} of '{labels[0]}'"
    return f"{noun} of {len(labels)} posts"


class _StepAction(QAction):
    """Edit > Undo or Redo, its text naming the step ("Undo move of 'Launch teaser'")."""

    def __init__(self, verb: str, parent: QObject) -> None:
        super().__init__(verb, parent)
        # Kept on the C++ side: the stack may call show_step through a fresh Python wrapper
        # while it is being destroyed, after this one's attributes are gone.
        self.setData(verb)

    @Slot(str)
    def show_step(self, text: str) -> None:
        verb = str(self.data())
        self.setText(f"{verb} {lower_first(text)}" if text else verb)


class PlanActions(SeriesActions, QObject):
    """The undoable changes of the plan, and the one undo stack of the window.

    Signals:
        performed(str): text of a command just done ("Move of 'Launch teaser'"), undone ("Undo
            move of 'Launch teaser'") or redone ("Redo move of ...").
        failed(str): why an undo or a redo could not be done; the step is dropped from the stack.
        notice(str): something to know after a step, e.g. a restored post that came back as a
            draft because its time passed while it was in the trash.
    """

    performed = Signal(str)
    failed = Signal(str)
    notice = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.undo_stack = QUndoStack(self)
        #: Show failed undos in a message box (tests turn this off and watch ``failed``).
        self.show_errors = True
        #: The window message boxes belong to (default: the active window).
        self.error_parent: QWidget | None = None
        # One window, one undo stack: its start is when the trash is emptied of old posts.
        try:
            ctx.history.purge_trash()
        except UserError:
            log.warning("could not purge old posts from the trash", exc_info=True)

    # --- menu --------------------------------------------------------------------------------

    def create_undo_action(self, parent: QObject) -> QAction:
        """Edit > Undo, named after the step ("Undo move of 'Launch teaser'"), Ctrl+Z."""
        return self._menu_action(parent, "Undo", QKeySequence.StandardKey.Undo)

    def create_redo_action(self, parent: QObject) -> QAction:
        """Edit > Redo, named after the step, Ctrl+Shift+Z (and Ctrl+Y)."""
        action = self._menu_action(parent, "Redo", QKeySequence.StandardKey.Redo)
        keys = [k.toString() for k in action.shortcuts()]
        action.setShortcuts([QKeySequence(k) for k in dict.fromkeys([*keys, "Ctrl+Y"])])
        return action

    def _menu_action(self, parent: QObject, verb: str, key: QKeySequence.StandardKey) -> QAction:
        stack = self.undo_stack
        action = _StepAction(verb, parent)
        action.setShortcuts(key)
        action.setObjectName(f"{verb.lower()}_action")
        # Connected to the action's own slots, so whichever of the two dies first, nothing is
        # called on a deleted object (the stack emits while it is being destroyed).
        if verb == "Undo":
            stack.undoTextChanged.connect(action.show_step)
            stack.canUndoChanged.connect(action.setEnabled)
            action.triggered.connect(stack.undo)
            action.show_step(stack.undoText())
            action.setEnabled(stack.canUndo())
        else:
            stack.redoTextChanged.connect(action.show_step)
            stack.canRedoChanged.connect(action.setEnabled)
            action.triggered.connect(stack.redo)
            action.show_step(stack.redoText())
            action.setEnabled(stack.canRedo())
        return action

    # --- time --------------------------------------------------------------------------------

    def move_to_day(self, post_id: int, day: date) -> None:
        """Move a post to another day at the same wall-clock time (workspace's zone)."""
        self._placed("Move", [self.ctx.history.move(post_id, day=day)])

    def reschedule(self, post_id: int, when: datetime) -> None:
        """Give a post (with or without a time) a new aware time."""
        self._placed("Move", [self.ctx.history.move(post_id, when=when)])

    def move_by(self, post_id: int, delta: timedelta) -> None:
        """A keyboard nudge (+-1 day keeps the wall clock; +-1 h, +-15 min move the instant).

        Consecutive nudges of the same post are one undo step.
        """
        change = self.ctx.history.move(post_id, delta=delta)
        self._push(NudgeCommand(self, f"Move of '{change.label}'", change))

    def unschedule(self, post_id: int) -> None:
        """Take a scheduled post out of the queue: a draft without a time."""
        self._placed("Unschedule", [self.ctx.history.unschedule(post_id)])

    def publish_now(self, post_id: int) -> None:
        """Send a post at once. Not undoable: it goes out."""
        label = self.ctx.history.snapshot(post_id).label
        self.ctx.plan.publish_now(post_id)
        self.performed.emit(f"Publish now of '{label}'")

    # --- status ------------------------------------------------------------------------------

    def change_status(self, post_id: int, status: PostStatus) -> None:
        self.change_status_many([post_id], status)

    def change_status_many(self, post_ids: Sequence[int], status: PostStatus) -> None:
        """Change the status of several posts as one undo step (all or none)."""
        self._placed("Status change", self.ctx.history.change_status(post_ids, status))

    def _placed(self, noun: str, changes: Sequence[PlacementChange]) -> None:
        if changes:  # a status change to the same status changes nothing: no undo step
            self._push(PlacementCommand(self, _many(noun, [c.label for c in changes]), changes))

    # --- content -----------------------------------------------------------------------------

    def duplicate(self, post_id: int, at: datetime | None = None) -> int:
        """Copy a post as a new draft; returns the new post's id."""
        new_id = self.ctx.plan.duplicate_post(post_id, at=at).subject
        assert new_id is not None
        label = self.ctx.history.snapshot(post_id).label
        self._push(CreateCommand(self, f"Duplicate of '{label}'", new_id))
        return new_id

    def delete(self, post_ids: Sequence[int]) -> None:
        """Delete posts into the trash, as one undo step; undo restores them."""
        ids = list(dict.fromkeys(post_ids))
        if not ids:
            return
        if len(ids) == 1:
            text = f"Delete of '{self.ctx.history.snapshot(ids[0]).label}'"
        else:
            text = f"Delete of {len(ids)} posts"
        self.ctx.history.trash(ids)
        self._push(TrashCommand(self, text, ids))

    def restore(self, post_ids: Sequence[int]) -> None:
        """Take posts out of the trash (a Trash view's Restore), as one undo step."""
        ids = list(dict.fromkeys(post_ids))
        if not ids:
            return
        result = self.ctx.history.restore(ids)
        text = "Restore of 1 post" if len(ids) == 1 else f"Restore of {len(ids)} posts"
        self._push(RestoreCommand(self, text, ids))
        self.tell(result.notes)

    def create_post(
        self,
        workspace_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        status: PostStatus = PostStatus.DRAFT,
        scheduled_at: datetime | None = None,
        placement: PlacementInput | None = None,
    ) -> int:
        """Add a post with its per-channel versions, status and time in one step; returns its id.

        ``placement`` (instead of ``status`` and ``scheduled_at``) is what the composer's buttons
        ask. Published now (``SaveAs.PUBLISH_NOW``), the post is not an undo step: it goes out.
        """
        snap = self.ctx.history.create_post(
            workspace_id,
            data,
            variants,
            status=status,
            scheduled_at=scheduled_at,
            placement=placement,
        )
        if _publishes(placement):
            self.performed.emit(f"Publish now of '{snap.label}'")
        else:
            self._push(CreateCommand(self, f"Creation of '{snap.label}'", snap.post_id))
        return snap.post_id

    def save_post(
        self,
        post_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        expected_revision: int | None = None,
        placement: PlacementInput | None = None,
    ) -> None:
        """Save content, channels, labels, every variant, and status and time if given.

        One transaction and one undo step, whose undo puts back content, variants, status and
        time together. Published now (``SaveAs.PUBLISH_NOW``), the save is not undoable at all,
        its content neither: putting the old text back could change what is going out.
        """
        edit = self.ctx.history.save_post(
            post_id, data, variants, expected_revision=expected_revision, placement=placement
        )
        if _publishes(placement):
            self.performed.emit(f"Publish now of '{edit.before.label}'")
            return
        self._push(EditCommand(self, _edit_text(edit), edit))

    # --- queue -------------------------------------------------------------------------------

    def add_to_queue(self, post_id: int) -> None:
        """Put a post in the next free slot of each of its channels and schedule it (undoable)."""
        change = self.ctx.queues.queue_post(post_id)
        self._push(QueueCommand(self, f"Add to queue of '{change.label}'", [change]))

    def save_and_queue(
        self,
        workspace_id: int,
        post_id: int | None,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        expected_revision: int | None = None,
    ) -> int:
        """The composer's Add to queue: save (or create) and queue in one step; returns the id."""
        done = self.ctx.queues.save_and_queue(
            post_id, workspace_id, data, variants, expected_revision=expected_revision
        )
        if isinstance(done, PostEdit):
            self._push(QueuedEditCommand(self, f"Add to queue of '{done.before.label}'", done))
            return done.before.post_id
        self._push(CreateCommand(self, f"Add to queue of '{done.label}'", done.post_id))
        return done.post_id

    # --- plumbing ----------------------------------------------------------------------------

    def _push(self, cmd: PlanCommand) -> None:
        text = cmd.text()  # a merged command is deleted by the stack during push()
        self.undo_stack.push(cmd)
        self.performed.emit(text)

    def tell(self, notes: Iterable[str]) -> None:
        """Pass on what a person should know after a step (see ``notice``)."""
        for note in notes:
            self.notice.emit(note)

    def report_failure(self, what: str, exc: BaseException) -> None:
        """An undo or redo failed: say why (after the stack has finished its step)."""
        if isinstance(exc, UserError):
            message = f"Could not {lower_first(what)}: {exc.message}"
        else:
            log.error("%s failed", what, exc_info=(type(exc), exc, exc.__traceback__))
            message = f"Could not {lower_first(what)}: something went wrong ({exc})."
        self.failed.emit(message)
        if self.show_errors:
            # Not from inside QUndoStack.undo(): a modal loop there could re-enter the stack.
            error = UserError(message) if isinstance(exc, UserError) else exc
            QTimer.singleShot(0, self, lambda: self._show(error))

    def _show(self, exc: BaseException) -> None:
        parent = self.error_parent or QApplication.activeWindow()
        show_error(parent, exc)
