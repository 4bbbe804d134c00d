"""Ideas made into drafts, undoably: from the ideas page, or dropped on the calendar.

:func:`make_draft` asks ``ctx.ideas.to_draft`` (one transaction: the post and the idea's new
state) and pushes an :class:`IdeaDraftCommand` on the plan's undo stack, so Undo puts the draft in
the trash and the idea back among the new ones, and Redo brings both back.

:class:`IdeaDrops` is what the calendar's cells do with dropped ideas: on a month day the draft
gets the workspace's default posting time on that day; on a week or day slot, the slot's time.
It shares the calendar's :class:`~ui.models.drops.CalendarDrops` for the workspace shown and for
the reason of a refusal, which the view shows at the drop point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from cmdesk.errors import UserError
from cmdesk.planning.ideas_dto import IdeaDTO, IdeaState
from cmdesk.timeutil import at_wall_time
from ui.actions import PlanActions
from ui.models.drops import CalendarDrops, default_time
from ui.models.mime import DraggedIdeas
from ui.undo_commands import PlanCommand


class IdeaDraftCommand(PlanCommand):
    """A draft made from an idea; undo trashes it and makes the idea new again."""

    def __init__(self, actions: PlanActions, text: str, idea_id: int, post_id: int) -> None:
        super().__init__(actions, text)
        self.idea_id = idea_id
        self.post_id = post_id

    def redo_step(self) -> None:
        ctx = self.actions.ctx
        self.actions.tell(ctx.history.restore([self.post_id]).notes)
        ctx.ideas.mark_used(self.idea_id, self.post_id)

    def undo_step(self) -> None:
        self.actions.ctx.ideas.undo_draft(self.idea_id, self.post_id)


def make_draft(
    actions: PlanActions, idea_id: int, at: datetime | None = None, channel_ids: Sequence[int] = ()
) -> int:
    """Make a draft of an idea now and push the undo step; the new post's id.

    Raises ``UserError`` (nothing changed, nothing pushed) when the plan refuses it.
    """
    idea = actions.ctx.ideas.get_idea(idea_id)
    post_id = actions.ctx.ideas.to_draft(idea_id, at=at, channel_ids=channel_ids)
    command = IdeaDraftCommand(actions, f"Draft from idea “{idea.title}”", idea_id, post_id)
    text = command.text()
    actions.undo_stack.push(command)
    actions.performed.emit(text)
    return post_id


class IdeaDrops:
    """Drops of ideas on calendar cells; ``on_done`` gets the new drafts' ids."""

    def __init__(
        self,
        actions: PlanActions,
        calendar: CalendarDrops,
        on_done: Callable[[Sequence[int]], None] | None = None,
    ) -> None:
        self.actions = actions
        self.calendar = calendar
        self.on_done = on_done

    def can_accept(self, dragged: DraggedIdeas) -> bool:
        ws = self.calendar.workspace
        return ws is not None and dragged.workspace_id == ws.id

    def drop(self, dragged: DraggedIdeas, target: object) -> bool:
        """Make each dropped idea a draft at ``target`` (a slot's instant, or a month day).

        Stops at the first refusal and keeps its reason for the view.
        """
        self.calendar.last_refusal = ""
        ws = self.calendar.workspace
        if ws is None or dragged.workspace_id != ws.id:
            self.calendar.last_refusal = "These ideas belong to another workspace; switch to it."
            return False
        if isinstance(target, datetime):
            when = target
        elif isinstance(target, date):
            when = at_wall_time(target, default_time(ws), ws.timezone)
        else:
            return False
        made: list[int] = []
        try:
            for idea_id in dragged.idea_ids:
                made.append(make_draft(self.actions, idea_id, when))
        except UserError as exc:
            self.calendar.last_refusal = exc.message
        if made and self.on_done is not None:
            self.on_done(made)
        return not self.calendar.last_refusal


class IdeaStateCommand(PlanCommand):
    """Ideas discarded (or restored); undo puts each back in the state it had."""

    def __init__(
        self, actions: PlanActions, text: str, before: dict[int, IdeaState], after: IdeaState
    ) -> None:
        super().__init__(actions, text)
        self.before = before
        self.after = after
        #: The posts of ideas that were used, to link them again on undo.
        self.post_ids: dict[int, int] = {}

    def redo_step(self) -> None:
        self._set(list(self.before), self.after)

    def undo_step(self) -> None:
        for state in set(self.before.values()):
            self._set([i for i, s in self.before.items() if s is state], state)

    def _set(self, ids: list[int], state: IdeaState) -> None:
        ideas = self.actions.ctx.ideas
        if state is IdeaState.DISCARDED:
            ideas.discard(ids)
        elif state is IdeaState.NEW:
            ideas.restore(ids)
        else:
            for idea_id in ids:
                post_id = self.post_ids.get(idea_id)
                if post_id is not None:
                    ideas.mark_used(idea_id, post_id)


def set_ideas_state(actions: PlanActions, ideas: Sequence[IdeaDTO], state: IdeaState) -> None:
    """Discard or restore ideas now and push the undo step (one step for all of them)."""
    if not ideas:
        return
    ids = [i.id for i in ideas]
    if state is IdeaState.DISCARDED:
        actions.ctx.ideas.discard(ids)
    else:
        actions.ctx.ideas.restore(ids)
    verb = "Discard" if state is IdeaState.DISCARDED else "Restore"
    what = f"idea “{ideas[0].title}”" if len(ideas) == 1 else f"{len(ideas)} ideas"
    command = IdeaStateCommand(actions, f"{verb} {what}", {i.id: i.state for i in ideas}, state)
    command.post_ids = {i.id: i.post_id for i in ideas if i.post_id is not None}
    text = command.text()
    actions.undo_stack.push(command)
    actions.performed.emit(text)
