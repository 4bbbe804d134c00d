"""Evergreen series: the next run of a post that went out, ``every_days`` later, in a free slot.

A run is made only when the latest run was published and its days have passed, so a series never
has two runs waiting, and a tick after months asleep makes one run, not one per missed period.
Runs rotate through the variations (variation 0 is the original text).

Nothing here opens or commits a transaction: every function gets the caller's ``Session``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.errors import UserError
from cmdesk.models import Post, PostSeries
from cmdesk.planning.recurrence import parse_key
from cmdesk.planning.series import key_order, make_occurrence, series_posts
from cmdesk.services.plan_rules import PlanRules
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import at_wall_time, utc_to_local

#: ``ctx.queues.next_free_slots``: the next free queue slot per channel (aware UTC).
SlotFinder = Callable[..., dict[int, datetime]]
#: A run is placed at least this far ahead, so that it is not due the moment it is made.
LEAD = timedelta(minutes=5)


def run_number(post: Post) -> int:
    return key_order(post.series_key)[0]


def due_at(series: PostSeries, runs: Sequence[Post]) -> datetime | None:
    """When the next run may be made: the latest run's publication plus ``every_days``."""
    if not runs or not series.is_active or not series.every_days:
        return None
    latest = runs[-1]
    if latest.status != PostStatus.PUBLISHED.value:
        return None  # a run is waiting (or failed and waits for the person): never two
    went_out = latest.published_at or latest.scheduled_at
    if went_out is None:
        return None
    return went_out + timedelta(days=series.every_days)


def _fallback_time(series: PostSeries, after: datetime, tz: str) -> datetime:
    """The series' own wall-clock time on the first day it is later than ``after``."""
    wall = parse_key(series.starts_local).time() if series.starts_local else time(9, 0)
    day = utc_to_local(after, tz).date()
    for offset in range(3):
        when = at_wall_time(day + timedelta(days=offset), wall, tz)
        if when > after:
            return when
    return after


def place_run(
    series: PostSeries, template: Post, after: datetime, tz: str, finder: SlotFinder | None
) -> datetime:
    """The next free queue slot of the template's channels, or the series' own time."""
    channels = [t.channel_id for t in template.targets if t.state != TargetState.CANCELLED.value]
    if finder is not None and channels:
        try:
            slots = finder(channels, after=after)
        except UserError:
            slots = {}
        if slots:
            return min(slots.values())
    return _fallback_time(series, after, tz)


def next_run(
    s: Session, rules: PlanRules, series: PostSeries, now: datetime, finder: SlotFinder | None
) -> Post | None:
    """Make the series' next run if it is due; None when it is not (or nothing to copy)."""
    runs = series_posts(s, series.id)
    due = due_at(series, runs)
    if due is None or due > now:
        return None
    every = series_posts(s, series.id, trashed=True)
    number = max(run_number(p) for p in every) + 1
    original = next((p for p in runs if p.series_key == "e0"), None)
    template = original or runs[-1]
    variations = list(series.variations or [template.text])
    index = series.next_variation % len(variations)
    # The original with its own per-channel texts when its turn comes; a variation everywhere.
    text = None if index == 0 and original is not None else variations[index]
    tz = repo.get_workspace(s, series.workspace_id).timezone
    when = place_run(series, template, max(now, due) + LEAD, tz, finder)
    post = make_occurrence(s, rules, series, template, f"e{number}", when, text=text)
    series.next_variation = (index + 1) % len(variations)
    return post
