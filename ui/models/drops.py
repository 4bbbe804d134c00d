"""What a drop of posts on the calendar or the side list does: one undoable plan action each.

The calendar's models accept drops (``dropMimeData``) and hand the decoded posts to a
:class:`PostDropHandler`; :class:`CalendarDrops` is the real one. It turns a drop into
``PlanActions`` calls (so every drop can be undone) and keeps the reason of a refusal in
:attr:`CalendarDrops.last_refusal` for the view to show at the drop point.

* On a month day: a post with a time keeps its wall-clock time in the workspace's zone; one
  without (from the side list) gets the workspace's default posting time on that day.
* On a time slot (week and day views): the post takes the slot's time.
* Copy (Ctrl held while dragging) duplicates instead, at the same place the move would go.
* On the side list: the post is unscheduled (it becomes a draft without a time).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Protocol

from cmdesk.dto import PostDetail, WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.timeutil import at_wall_time, move_to_day
from ui.models.mime import DraggedPosts

#: When a workspace's default posting time cannot be read.
FALLBACK_TIME = time(9, 0)


class PlanActionsLike(Protocol):
    """The part of ``ui.actions.PlanActions`` that drops and keyboard moves use."""

    def move_to_day(self, post_id: int, day: date) -> None: ...
    def reschedule(self, post_id: int, when: datetime) -> None: ...
    def move_by(self, post_id: int, delta: timedelta) -> None: ...
    def duplicate(self, post_id: int, at: datetime | None = None) -> int: ...
    def unschedule(self, post_id: int) -> None: ...


class PostDropHandler(Protocol):
    """Acts on posts dropped on a calendar model; each method says whether the drop was taken."""

    def can_accept(self, dragged: DraggedPosts) -> bool: ...
    def drop_on_day(self, dragged: DraggedPosts, day: date, *, copy: bool) -> bool: ...
    def drop_at(self, dragged: DraggedPosts, when: datetime, *, copy: bool) -> bool: ...
    def unschedule(self, dragged: DraggedPosts) -> bool: ...


def default_time(workspace: WorkspaceDTO) -> time:
    """The workspace's default posting time ("09:00"), or 09:00 if it is not a valid time."""
    try:
        return time.fromisoformat(workspace.default_post_time)
    except (TypeError, ValueError):
        return FALLBACK_TIME


class CalendarDrops:
    """The drop handler of the calendar page.

    ``get_post`` reads a post (``ctx.plan.get_post``); ``on_done`` is called with the ids of the
    posts that moved (and of new copies) after a drop was taken, so the page can reload and
    select them.
    """

    def __init__(
        self,
        actions: PlanActionsLike,
        get_post: Callable[[int], PostDetail],
        on_done: Callable[[Sequence[int]], None] | None = None,
    ) -> None:
        self.actions = actions
        self.get_post = get_post
        self.on_done = on_done
        self.workspace: WorkspaceDTO | None = None
        self.last_refusal = ""

    def can_accept(self, dragged: DraggedPosts) -> bool:
        ws = self.workspace
        return ws is not None and dragged.workspace_id == ws.id

    def drop_on_day(self, dragged: DraggedPosts, day: date, *, copy: bool) -> bool:
        def one(post_id: int, ws: WorkspaceDTO) -> int:
            post = self.get_post(post_id)
            if post.scheduled_at is None:
                when = at_wall_time(day, default_time(ws), ws.timezone)
                if copy:
                    return self.actions.duplicate(post_id, when)
                self.actions.reschedule(post_id, when)
            elif copy:
                return self.actions.duplicate(
                    post_id, move_to_day(post.scheduled_at, day, ws.timezone)
                )
            else:
                self.actions.move_to_day(post_id, day)
            return post_id

        return self._each(dragged, one)

    def drop_at(self, dragged: DraggedPosts, when: datetime, *, copy: bool) -> bool:
        def one(post_id: int, ws: WorkspaceDTO) -> int:
            if copy:
                return self.actions.duplicate(post_id, when)
            self.actions.reschedule(post_id, when)
            return post_id

        return self._each(dragged, one)

    def unschedule(self, dragged: DraggedPosts) -> bool:
        def one(post_id: int, ws: WorkspaceDTO) -> int:
            self.actions.unschedule(post_id)
            return post_id

        return self._each(dragged, one)

    def _each(self, dragged: DraggedPosts, one: Callable[[int, WorkspaceDTO], int]) -> bool:
        """Apply ``one`` to each dragged post; stop at the first refusal and keep its reason."""
        self.last_refusal = ""
        ws = self.workspace
        if ws is None or dragged.workspace_id != ws.id:
            self.last_refusal = "These posts belong to another workspace; switch to it first."
            return False
        done: list[int] = []
        try:
            for post_id in dragged.post_ids:
                done.append(one(post_id, ws))
        except UserError as exc:
            self.last_refusal = exc.message
        if done and self.on_done is not None:
            self.on_done(done)
        return not self.last_refusal
