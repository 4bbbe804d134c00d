"""The first half of ``ctx.series``: making a post repeat (recurring or evergreen), and undoing it.

A save in the composer that also makes the post repeat is one call (:meth:`SeriesStart.save_repeating`)
and one transaction: the content, the status and time, the series and its first occurrences.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.clock import Clock
from cmdesk.db import Database
from cmdesk.dto import PlacementInput, PostInput, SaveAs, VariantInput
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import Post, PostSeries
from cmdesk.planning import series as plan
from cmdesk.planning.evergreen import SlotFinder
from cmdesk.planning.recurrence import RecurrenceInput, build_rrule, check_rrule, key_of
from cmdesk.planning.series_dto import EvergreenInput, RepeatResult
from cmdesk.services.base import Service
from cmdesk.services.edits import PostEdits
from cmdesk.services.plan_rules import PlanRules
from cmdesk.services.snapshots import post_label
from cmdesk.status import PostStatus
from cmdesk.timeutil import utc_to_local

MAX_EVERY_DAYS = 3650


class SeriesStart(Service):
    """Making posts repeat; :class:`cmdesk.services.series.SeriesService` adds the rest."""

    def __init__(
        self, db: Database, clock: Clock, hub: EventHub, *, slot_finder: SlotFinder | None = None
    ) -> None:
        super().__init__(db, clock, hub)
        self.rules = PlanRules(clock)
        self.edits = PostEdits(self.rules)
        #: ``ctx.queues.next_free_slots`` once queues exist; evergreen runs fall back to the
        #: series' own wall-clock time without it.
        self.slot_finder = slot_finder

    # --- making a post repeat ----------------------------------------------------------------

    def make_recurring(self, post_id: int, rule: RecurrenceInput) -> ChangeSet:
        """The post becomes the first occurrence of a series; the next ones are made ahead."""
        with self._write() as s:
            series, created = self._start_recurring(s, repo.get_post(s, post_id), rule)
            sid = series.id
        return self._emit(
            ChangeSet.of(
                created=[("series", sid), *(("post", i) for i in created)],
                updated=[("post", post_id)],
                subject=post_id,
                description="repeat",
            )
        )

    def _start_recurring(
        self, s: Session, post: Post, rule: RecurrenceInput
    ) -> tuple[PostSeries, list[int]]:
        self._refuse_if_in_series(post)
        if post.scheduled_at is None:
            raise ValidationError(
                "Give the post a date and time first: the repeat starts from it.",
                field="scheduled_at",
            )
        tz = repo.get_workspace(s, post.workspace_id).timezone
        start = utc_to_local(post.scheduled_at, tz).replace(tzinfo=None)
        checked = check_rrule(build_rrule(rule), start, tz)
        series = PostSeries(
            workspace_id=post.workspace_id,
            kind="recurring",
            rrule=checked.text,
            starts_local=key_of(start),
            exdates=[],
            variations=[],
            next_variation=0,
            is_active=True,
            created_at=self.clock.now(),
        )
        s.add(series)
        s.flush()
        post.series_id, post.series_key, post.series_detached = series.id, key_of(start), False
        self.rules.touch(post)
        s.flush()
        return series, plan.plan_ahead(s, self.rules, series, self.clock.now())

    def make_evergreen(self, post_id: int, every_days: int, variations: list[str]) -> ChangeSet:
        """Re-run the post ``every_days`` after it (or its latest run) went out, rotating texts."""
        with self._write() as s:
            series = self._start_evergreen(s, repo.get_post(s, post_id), every_days, variations)
            sid = series.id
        return self._emit(
            ChangeSet.of(
                created=[("series", sid)],
                updated=[("post", post_id)],
                subject=post_id,
                description="evergreen",
            )
        )

    def _start_evergreen(
        self, s: Session, post: Post, every_days: int, variations: list[str]
    ) -> PostSeries:
        self._refuse_if_in_series(post)
        if not 1 <= every_days <= MAX_EVERY_DAYS:
            raise ValidationError(
                f"Re-run an evergreen post every 1 to {MAX_EVERY_DAYS} days.", field="every_days"
            )
        texts = [v.strip() for v in variations if v.strip()]
        tz = repo.get_workspace(s, post.workspace_id).timezone
        when = post.scheduled_at or self.clock.now()
        series = PostSeries(
            workspace_id=post.workspace_id,
            kind="evergreen",
            rrule="",
            starts_local=key_of(utc_to_local(when, tz).replace(tzinfo=None)),
            exdates=[],
            every_days=every_days,
            variations=[post.text, *texts],
            next_variation=1 if texts else 0,
            is_active=True,
            created_at=self.clock.now(),
        )
        s.add(series)
        s.flush()
        post.series_id, post.series_key, post.series_detached = series.id, "e0", False
        self.rules.touch(post)
        return series

    @staticmethod
    def _refuse_if_in_series(post: Post) -> None:
        if post.series_id is not None:
            raise ValidationError(
                f"'{post_label(post)}' already repeats. Change the rule of its series, or stop "
                "repeating first."
            )

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
    ) -> RepeatResult:
        """Save a post (new when ``post_id`` is None) and make it repeat, in one transaction."""
        with self._write() as s:
            edit = None
            if post_id is None:
                post = self._create(s, workspace_id, data, variants, placement)
            else:
                post = repo.get_post(s, post_id)
                self.rules.check_editable(post, expected_revision)
                self._refuse_if_in_series(post)
                edit = self.edits.save(s, post, data, variants, placement)
            if isinstance(repeat, EvergreenInput):
                series = self._start_evergreen(s, post, repeat.every_days, list(repeat.variations))
                created: list[int] = []
            else:
                series, created = self._start_recurring(s, post, repeat)
            result = RepeatResult(post.id, series.id, post_label(post), tuple(created), edit)
        self._emit(
            ChangeSet.of(
                created=[("series", result.series_id), *(("post", i) for i in created)]
                + ([("post", result.post_id)] if edit is None else []),
                updated=[("post", result.post_id)] if edit is not None else [],
                subject=result.post_id,
                description="repeat",
            )
        )
        return result

    def _create(
        self,
        s: Session,
        workspace_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        placement: PlacementInput,
    ) -> Post:
        """A new post placed as the composer's button asks (as ``HistoryService.create_post``)."""
        now = self.clock.now()
        when = None if placement.status is SaveAs.PUBLISH_NOW else placement.scheduled_at
        post = self.rules.new_post(s, workspace_id, data, PostStatus.DRAFT, when)
        self.rules.write_variants(s, post, variants)
        if placement.status is SaveAs.PUBLISH_NOW:
            self.rules.schedule(s, post, now)
        elif placement.status is SaveAs.SCHEDULED:
            self.rules.set_status(s, post, PostStatus.SCHEDULED)
        return post

    def undo_repeat(self, result: RepeatResult) -> None:
        """Undo a :meth:`save_repeating`.

        The copies go to the trash, the series is removed and the post is put back as it was
        (a new post goes to the trash).
        """
        with self._write() as s:
            series = s.get(PostSeries, result.series_id)
            post = repo.get_post(s, result.post_id, include_trashed=True)
            trashed: list[int] = []
            for p in plan.series_posts(s, result.series_id):
                p.series_id, p.series_key = None, None
                if p.id != post.id and p.status not in plan.DONE:
                    self.rules.trash(p)
                    trashed.append(p.id)
            post.series_id, post.series_key, post.series_detached = None, None, False
            if series is not None:
                s.delete(series)
            if result.edit is None:
                self.rules.trash(post)
                trashed.append(post.id)
            else:
                self.edits.apply(s, post, result.edit.reversed())
        self._emit(
            ChangeSet.of(
                deleted=[("post", i) for i in trashed] + [("series", result.series_id)],
                updated=[("post", result.post_id)] if result.edit is not None else [],
                description="repeat",
            )
        )
