"""Undo steps of recurring and evergreen posts (see :mod:`ui.undo_commands` for the pattern).

Each command is pushed after its change was made, so its first ``redo()`` does nothing; undo and
redo go through ``ctx.series`` and ``ctx.history``, which refuse (changing nothing) when the posts
are no longer where the step left them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmdesk.planning.series_dto import RepeatResult, SeriesCut, SeriesEdit
from ui.undo_commands import PlanCommand

if TYPE_CHECKING:
    from ui.actions import PlanActions


class SeriesEditCommand(PlanCommand):
    """An edit of a post and all its following occurrences; undo puts back each one's content."""

    def __init__(self, actions: PlanActions, text: str, edit: SeriesEdit) -> None:
        super().__init__(actions, text)
        self.edit = edit

    def redo_step(self) -> None:
        self.edit = self.actions.ctx.series.apply_series_edit(self.edit)

    def undo_step(self) -> None:
        done = self.actions.ctx.series.apply_series_edit(self.edit.reversed())
        self.edit = done.reversed()


class SeriesCutCommand(PlanCommand):
    """Occurrences deleted (this, following, all) or a stop: undo restores posts and rule."""

    def __init__(self, actions: PlanActions, text: str, cut: SeriesCut) -> None:
        super().__init__(actions, text)
        self.cut = cut

    def redo_step(self) -> None:
        series, history = self.actions.ctx.series, self.actions.ctx.history
        if self.cut.trashed:
            history.trash(self.cut.trashed)
        series.set_rule_state(self.cut.series_id, self.cut.rule_after, self.cut.active_after)

    def undo_step(self) -> None:
        series, history = self.actions.ctx.series, self.actions.ctx.history
        series.set_rule_state(self.cut.series_id, self.cut.rule_before, self.cut.active_before)
        if self.cut.trashed:
            self.actions.tell(history.restore(self.cut.trashed).notes)


class RepeatCommand(PlanCommand):
    """A save that made a post repeat.

    Undo removes the series and its copies and puts the post back as it was. It cannot be redone
    (the copies would be new posts): after its undo the step leaves the stack.
    """

    def __init__(self, actions: PlanActions, text: str, result: RepeatResult) -> None:
        super().__init__(actions, text)
        self.result = result

    def redo_step(self) -> None:  # pragma: no cover - obsolete after its undo
        raise RuntimeError("making a post repeat again is not a redo step; save it again")

    def undo_step(self) -> None:
        self.actions.ctx.series.undo_repeat(self.result)
        self.setObsolete(True)
