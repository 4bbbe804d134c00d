"""Recurring and evergreen posts (``ctx.series``): make a post repeat, edit or cut a series.

Each call is one transaction. Occurrences are real posts made ahead up to a horizon (see
:mod:`cmdesk.planning.series`); the upkeep tick (:meth:`SeriesService.upkeep`) moves the horizon
on and makes evergreen runs (:mod:`cmdesk.planning.evergreen`).

Editing one occurrence goes through the ordinary save (``HistoryService.save_post``), which marks
it detached: edits of the whole series (:meth:`SeriesService.update_series`) and rule changes then
leave it alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.dto import PostInput, VariantInput
from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.models import Post, PostSeries
from cmdesk.planning import series as plan
from cmdesk.planning.describe import describe
from cmdesk.planning.evergreen import next_run
from cmdesk.planning.recurrence import (
    RecurrenceInput,
    build_rrule,
    check_rrule,
    parse_key,
    wall_instant,
)
from cmdesk.planning.series_dto import DeleteScope, SeriesCut, SeriesDTO, SeriesEdit
from cmdesk.services.series_start import SeriesStart
from cmdesk.services.snapshots import changed_elsewhere, post_label, snapshot_of
from cmdesk.timeutil import utc_to_local

MAX_EVERY_DAYS = 3650


class SeriesService(SeriesStart):
    """Recurring and evergreen series of posts."""

    # --- reading -----------------------------------------------------------------------------

    def preview(
        self, workspace_id: int, start: datetime, rule: RecurrenceInput, count: int = 5
    ) -> tuple[str, list[datetime]]:
        """The rule in words and its first ``count`` dates (UTC) from an aware ``start``."""
        with self._read() as s:
            tz = repo.get_workspace(s, workspace_id).timezone
        local = utc_to_local(start, tz).replace(tzinfo=None, second=0, microsecond=0)
        checked = check_rrule(build_rrule(rule), local, tz)
        dates = [wall_instant(d, tz) for d in islice(checked.expand(), count)]
        return describe(checked.parts, local), dates

    def series_of(self, post_id: int) -> SeriesDTO | None:
        """The series a post is an occurrence of, or None."""
        with self._read() as s:
            post = repo.get_post(s, post_id, include_trashed=True)
            if post.series_id is None:
                return None
            series = s.get(PostSeries, post.series_id)
            return self._dto(s, series) if series is not None else None

    def occurrence_key(self, post_id: int) -> str | None:
        """The key of a post in its series ("2026-03-30T09:00", "e2"), or None."""
        with self._read() as s:
            return repo.get_post(s, post_id, include_trashed=True).series_key

    def marks(self, workspace_id: int) -> dict[int, str]:
        """For the calendar: each occurrence's mark and rule ("↻ Every Monday at 09:00")."""
        with self._read() as s:
            rows = s.execute(
                select(Post.id, Post.series_id).where(
                    Post.workspace_id == workspace_id,
                    Post.series_id.is_not(None),
                    Post.trashed_at.is_(None),
                )
            ).all()
            words: dict[int, str] = {}
            for sid in {sid for _, sid in rows if sid is not None}:
                series = s.get(PostSeries, sid)
                if series is not None:
                    sign = "♻" if series.kind == "evergreen" else "↻"
                    words[sid] = f"{sign} {self._dto(s, series).description}"
        return {pid: words[sid] for pid, sid in rows if sid in words}

    def get(self, series_id: int) -> SeriesDTO:
        with self._read() as s:
            return self._dto(s, self._series(s, series_id))

    def list_series(self, workspace_id: int) -> list[SeriesDTO]:
        with self._read() as s:
            rows = s.scalars(
                select(PostSeries)
                .where(PostSeries.workspace_id == workspace_id)
                .order_by(PostSeries.id)
            )
            return [self._dto(s, r) for r in rows]

    def _dto(self, s: Session, series: PostSeries) -> SeriesDTO:
        tz = repo.get_workspace(s, series.workspace_id).timezone
        start = parse_key(series.starts_local) if series.starts_local else None
        if series.kind == "evergreen":
            days = series.every_days or 0
            extra = max(0, len(series.variations or []) - 1)
            text = f"Again {days} days after each run went out, in the next free slot"
            text += f", rotating {extra + 1} texts" if extra else ""
        elif start is not None:
            text = describe(plan.rule_of(series, tz).parts, start)
        else:
            text = series.rrule
        if not series.is_active:
            text += " (stopped)"
        return SeriesDTO(
            id=series.id,
            workspace_id=series.workspace_id,
            kind="evergreen" if series.kind == "evergreen" else "recurring",
            rrule=series.rrule,
            starts_local=series.starts_local,
            description=text,
            is_active=series.is_active,
            horizon_until=series.horizon_until,
            exdates=tuple(series.exdates or []),
            every_days=series.every_days,
            variations=tuple(series.variations or []),
            next_variation=series.next_variation,
            post_ids=tuple(p.id for p in plan.series_posts(s, series.id)),
        )

    @staticmethod
    def _series(s: Session, series_id: int) -> PostSeries:
        series = s.get(PostSeries, series_id)
        if series is None:
            raise NotFoundError(f"Series {series_id} does not exist (it may have been removed).")
        return series

    # --- editing a series --------------------------------------------------------------------

    def update_series(
        self,
        series_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        from_key: str | None = None,
    ) -> SeriesEdit:
        """Apply content to every future occurrence that follows the series, in one go.

        ``from_key``: that occurrence (edited or not on its own before) and the later ones;
        without it, those still to come. Published ones and those being sent are left as they are.
        """
        now = self.clock.now()
        with self._write() as s:
            series = self._series(s, series_id)
            chosen = self._to_edit(s, series, from_key, now)
            if not chosen:
                raise ValidationError("No occurrence of this series is left to change.")
            before, after = [], []
            for post in chosen:
                before.append(snapshot_of(s, post))
                self.edits.write(s, post, data, variants)
                after.append(snapshot_of(s, post))
            label = after[0].label
        self._emit(
            ChangeSet.of(
                updated=[("post", p.post_id) for p in after] + [("series", series_id)],
                subject=after[0].post_id,
                description="edit",
            )
        )
        return SeriesEdit(series_id, label, tuple(before), tuple(after))

    def _to_edit(
        self, s: Session, series: PostSeries, from_key: str | None, now: datetime
    ) -> list[Post]:
        """The occurrences an edit of the series changes (see :meth:`update_series`)."""
        tz = repo.get_workspace(s, series.workspace_id).timezone
        order = plan.key_order(from_key) if from_key else None
        chosen: list[Post] = []
        for post in plan.series_posts(s, series.id):
            if post.status in plan.DONE:
                continue
            if order is not None:
                here = plan.key_order(post.series_key)
                if here < order or (here > order and post.series_detached):
                    continue
            elif post.series_detached or not plan.is_future(post, series, now, tz):
                continue
            try:
                self.rules.check_editable(post, None)
            except ValidationError:
                continue  # being sent: its content is fixed
            chosen.append(post)
        return chosen

    def apply_series_edit(self, edit: SeriesEdit) -> SeriesEdit:
        """Undo (pass ``edit.reversed()``) or redo an edit of a series, all or none."""
        with self._write() as s:
            done = []
            for old, new in zip(edit.before, edit.after, strict=True):
                post = repo.get_post(s, old.post_id)
                found = snapshot_of(s, post)
                if (found.data, found.variants) != (old.data, old.variants):
                    raise changed_elsewhere(found.label)
                self.rules.check_editable(post, None)
                self.edits.write(s, post, new.data, {v.channel_id: v for v in new.variants})
                done.append(snapshot_of(s, post))
        self._emit(ChangeSet.of(updated=[("post", p.post_id) for p in done], description="edit"))
        return SeriesEdit(edit.series_id, edit.label, edit.before, tuple(done))

    def change_rule(self, series_id: int, rule: RecurrenceInput) -> ChangeSet:
        """Give a series a new rule from the same start; future occurrences follow it.

        Those the rule no longer has go to the trash (unless edited on their own or gone out);
        the new ones are made.
        """
        now = self.clock.now()
        with self._write() as s:
            series = self._series(s, series_id)
            if series.kind != "recurring":
                raise ValidationError("An evergreen post has no repeat rule; change its days.")
            tz = repo.get_workspace(s, series.workspace_id).timezone
            series.rrule = check_rrule(build_rrule(rule), parse_key(series.starts_local), tz).text
            series.is_active = True
            trashed, created = plan.replan(s, self.rules, series, now)
        return self._emit(
            ChangeSet.of(
                created=[("post", i) for i in created],
                updated=[("series", series_id)],
                deleted=[("post", i) for i in trashed],
                description="repeat",
            )
        )

    # --- deleting and stopping ---------------------------------------------------------------

    def delete_occurrences(self, post_id: int, scope: DeleteScope) -> SeriesCut:
        """Trash this occurrence, this and the following ones, or all (published ones stay).

        Removed keys never come back; "following" ends the rule before this occurrence, "all"
        stops the series.
        """
        return self._cut(post_id, scope, keep_self=False)

    def stop_repeating(self, post_id: int) -> SeriesCut:
        """Keep this post; the later occurrences go to the trash and no more are made."""
        return self._cut(post_id, "following", keep_self=True)

    def _cut(self, post_id: int, scope: DeleteScope, *, keep_self: bool) -> SeriesCut:
        with self._write() as s:
            post = repo.get_post(s, post_id)
            if post.series_id is None:
                raise ValidationError(f"'{post_label(post)}' does not repeat.")
            series = self._series(s, post.series_id)
            rule_before, active_before = series.rrule, series.is_active
            here = plan.key_order(post.series_key)
            trashed: list[int] = []
            for p in plan.series_posts(s, series.id):
                order = plan.key_order(p.series_key)
                take = scope == "all" or (order == here if scope == "this" else order >= here)
                if not take or (keep_self and p.id == post.id) or p.status in plan.DONE:
                    continue
                self.rules.trash(p)
                trashed.append(p.id)
                if series.kind == "recurring" and p.series_key:
                    series.exdates = [*(series.exdates or []), p.series_key]
            if scope != "this":
                plan.cut_rule(series, post, keep_self=keep_self, everything=scope == "all")
            result = SeriesCut(
                series.id,
                post_label(post),
                tuple(trashed),
                rule_before,
                series.rrule,
                active_before,
                series.is_active,
            )
        self._emit(
            ChangeSet.of(
                deleted=[("post", i) for i in trashed],
                updated=[("series", result.series_id)] + ([("post", post_id)] if keep_self else []),
                subject=post_id,
                description="delete",
            )
        )
        return result

    def set_rule_state(self, series_id: int, rule: str, active: bool) -> ChangeSet:
        """Put back a series' rule and activity (the undo of a cut; its posts are restored apart)."""
        with self._write() as s:
            series = self._series(s, series_id)
            series.rrule, series.is_active = rule, active
        return self._emit(ChangeSet.of(updated=[("series", series_id)], description="repeat"))

    def set_active(self, series_id: int, active: bool) -> ChangeSet:
        """Pause or resume a series (an evergreen post stops or starts being re-run)."""
        with self._write() as s:
            self._series(s, series_id).is_active = active
        return self._emit(ChangeSet.of(updated=[("series", series_id)], description="repeat"))

    # --- upkeep ------------------------------------------------------------------------------

    def extend_horizons(self, now: datetime | None = None) -> ChangeSet:
        """Make the occurrences that came within the horizon (idempotent)."""
        now = now or self.clock.now()
        created: list[int] = []
        with self._write() as s:
            rows = s.scalars(
                select(PostSeries).where(
                    PostSeries.kind == "recurring", PostSeries.is_active.is_(True)
                )
            )
            for series in list(rows):
                created += plan.plan_ahead(s, self.rules, series, now)
        return self._emit(
            ChangeSet.of(created=[("post", i) for i in created], description="repeat")
        )

    def evergreen_tick(self, now: datetime | None = None) -> ChangeSet:
        """Make the next run of every evergreen series that is due (at most one each)."""
        now = now or self.clock.now()
        created: list[int] = []
        with self._write() as s:
            rows = s.scalars(
                select(PostSeries).where(
                    PostSeries.kind == "evergreen", PostSeries.is_active.is_(True)
                )
            )
            for series in list(rows):
                run = next_run(s, self.rules, series, now, self.slot_finder)
                if run is not None:
                    created.append(run.id)
        return self._emit(
            ChangeSet.of(created=[("post", i) for i in created], description="evergreen")
        )

    def upkeep(self) -> None:
        """The housekeeping tick: horizons and evergreen runs."""
        self.extend_horizons()
        self.evergreen_tick()
