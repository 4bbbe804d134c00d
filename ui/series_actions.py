"""The undoable changes of recurring and evergreen posts, mixed into :class:`ui.actions.PlanActions`.

Kept apart so that ``PlanActions`` stays one screen of core moves: each method here is one call to
``ctx.series`` (one transaction) and one undo step from :mod:`ui.series_commands`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from cmdesk.dto import PlacementInput, PostInput, VariantInput
from cmdesk.planning.recurrence import RecurrenceInput
from cmdesk.planning.series_dto import DeleteScope, EvergreenInput
from ui.series_commands import RepeatCommand, SeriesCutCommand, SeriesEditCommand

if TYPE_CHECKING:
    from cmdesk.bootstrap import AppContext
    from ui.undo_commands import PlanCommand

_SCOPE_TEXT = {
    "this": "Delete of '{}'",
    "following": "Delete of '{}' and the following",
    "all": "Delete of every '{}'",
}


class SeriesActions:
    """Repeat, edit all following, delete occurrences, stop repeating (see ``PlanActions``)."""

    if TYPE_CHECKING:
        ctx: AppContext

        def _push(self, cmd: PlanCommand) -> None: ...

    def save_repeating(
        self,
        workspace_id: int,
        post_id: int | None,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        placement: PlacementInput,
        repeat: RecurrenceInput | EvergreenInput,
        expected_revision: int | None = None,
    ) -> int:
        """Save a post (new when ``post_id`` is None) and make it repeat; returns its id."""
        result = self.ctx.series.save_repeating(
            workspace_id,
            post_id,
            data,
            variants,
            placement=placement,
            repeat=repeat,
            expected_revision=expected_revision,
        )
        self._push(RepeatCommand(self, f"Repeat of '{result.label}'", result))  # type: ignore[arg-type]
        return result.post_id

    def save_series(
        self,
        series_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        from_key: str | None,
    ) -> None:
        """Save content to an occurrence and all the following ones, as one undo step."""
        edit = self.ctx.series.update_series(series_id, data, variants, from_key=from_key)
        text = f"Edit of '{edit.label}' and the following"
        self._push(SeriesEditCommand(self, text, edit))  # type: ignore[arg-type]

    def delete_occurrences(self, post_id: int, scope: DeleteScope) -> None:
        """Delete this occurrence, this and the following ones, or all of them (undoable)."""
        cut = self.ctx.series.delete_occurrences(post_id, scope)
        self._push(SeriesCutCommand(self, _SCOPE_TEXT[scope].format(cut.label), cut))  # type: ignore[arg-type]

    def stop_repeating(self, post_id: int) -> None:
        """Keep this post, remove the later occurrences and make no more (undoable)."""
        cut = self.ctx.series.stop_repeating(post_id)
        self._push(SeriesCutCommand(self, f"Stop repeating of '{cut.label}'", cut))  # type: ignore[arg-type]
