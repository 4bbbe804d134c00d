"""Occurrences of recurring and evergreen series, made and removed inside a caller's transaction.

An occurrence is a real post, a copy of a template occurrence (content, variants, media, tags,
campaign, channels), with ``series_id`` and ``series_key``. The unique (series_id, series_key)
index and the keys already present (trash included) make planning idempotent; a key in
``PostSeries.exdates`` was removed on purpose and is never made again.

Nothing here opens or commits a transaction: every function gets the caller's ``Session``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.dto import PostSnapshot, VariantInput
from cmdesk.errors import ValidationError
from cmdesk.models import Post, PostSeries
from cmdesk.planning.recurrence import (
    Rule,
    check_rrule,
    occurrences_between,
    parse_key,
    wall_instant,
)
from cmdesk.services.plan_rules import PlanRules
from cmdesk.services.snapshots import snapshot_of
from cmdesk.status import PostStatus

#: Occurrences of a recurring series are made this far ahead.
HORIZON = timedelta(days=90)
_KEEP_STATUS = frozenset(
    {PostStatus.IDEA, PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED}
)
#: Occurrences in these statuses are history: a re-plan or an edit of the series leaves them.
DONE = frozenset({PostStatus.PUBLISHED.value, PostStatus.FAILED.value, PostStatus.MISSED.value})


def key_order(key: str | None) -> tuple[int, str]:
    """Sort keys in time order: wall-clock keys as text, evergreen "e12" by number."""
    if key and key[0] == "e" and key[1:].isdigit():
        return (int(key[1:]), "")
    return (0, key or "")


def series_posts(s: Session, series_id: int, *, trashed: bool = False) -> list[Post]:
    """The occurrences of a series in key order (trashed ones too with ``trashed``)."""
    q = select(Post).where(Post.series_id == series_id)
    if not trashed:
        q = q.where(Post.trashed_at.is_(None))
    return sorted(s.scalars(q), key=lambda p: key_order(p.series_key))


def rule_of(series: PostSeries, tz: str) -> Rule:
    return check_rrule(series.rrule, parse_key(series.starts_local), tz, new=False)


def copy_status(template: Post) -> PostStatus:
    """The status an occurrence starts with: the template's, scheduled if it went out."""
    status = PostStatus(template.status)
    if status in _KEEP_STATUS:
        return status
    if status in (PostStatus.SCHEDULED, PostStatus.PUBLISHED):
        return PostStatus.SCHEDULED
    return PostStatus.DRAFT


def make_occurrence(
    s: Session,
    rules: PlanRules,
    series: PostSeries,
    template: Post,
    key: str,
    when: datetime,
    *,
    text: str | None = None,
) -> Post:
    """A copy of ``template`` at ``when`` under ``key``; scheduled only if its checks pass.

    ``text`` replaces the master text (an evergreen variation); the per-channel texts are then
    dropped so that the variation is what goes out everywhere.
    """
    snap = snapshot_of(s, template)
    data = snap.data
    variants = _variants_for(snap, keep_text=text is None)
    if text is not None:
        data = replace(data, text=text)
    post = rules.new_post(s, series.workspace_id, data, PostStatus.DRAFT, when)
    post.series_id, post.series_key, post.series_detached = series.id, key, False
    rules.write_variants(s, post, variants)
    status = copy_status(template)
    try:
        rules.set_status(s, post, status, check=False)
    except ValidationError:
        # No channel (or a check of scheduling refused it): the occurrence waits as a draft.
        post.status = PostStatus.DRAFT.value
    s.flush()
    return post


def _variants_for(snap: PostSnapshot, *, keep_text: bool) -> Mapping[int, VariantInput]:
    live = set(snap.data.channel_ids)
    out: dict[int, VariantInput] = {}
    for v in snap.variants:
        if v.channel_id not in live:
            continue
        if not keep_text:
            v = VariantInput(v.channel_id, None, None, v.media_ids, v.options)
        out[v.channel_id] = v
    return out


def template_of(s: Session, series: PostSeries) -> Post | None:
    """The occurrence new ones copy: the latest that follows the series (not edited alone)."""
    posts = series_posts(s, series.id)
    following = [p for p in posts if not p.series_detached]
    pool = following or posts
    return pool[-1] if pool else None


def plan_ahead(
    s: Session, rules: PlanRules, series: PostSeries, now: datetime, *, horizon: timedelta = HORIZON
) -> list[int]:
    """Make the missing occurrences from now to the horizon; returns the new posts' ids.

    Occurrences whose time passed while nothing ran are not made late: no burst after a sleep.
    """
    if series.kind != "recurring" or not series.is_active:
        return []
    tz = repo.get_workspace(s, series.workspace_id).timezone
    rule = rule_of(series, tz)
    # From the start when it is still to come: a series planned for next year shows its first
    # months at once.
    until = max(now, wall_instant(rule.start, tz)) + horizon
    every = series_posts(s, series.id, trashed=True)
    removed = set(series.exdates or [])
    # Deleted the ordinary way (the Delete key): remembered before the trash is purged, so the
    # date is not made again then.
    fresh = [p.series_key for p in every if p.trashed_at and p.series_key not in removed]
    if fresh:
        series.exdates = [*(series.exdates or []), *(k for k in fresh if k)]
    skip = {p.series_key for p in every} | removed
    template = template_of(s, series)
    made: list[int] = []
    if template is not None:
        for key, when in occurrences_between(rule, tz, now, until):
            if key not in skip:
                made.append(make_occurrence(s, rules, series, template, key, when).id)
    series.horizon_until = until
    return made


def key_instant(series: PostSeries, key: str | None, tz: str) -> datetime | None:
    """The planned instant of a recurring occurrence's key (None for evergreen keys)."""
    if series.kind != "recurring" or not key or key.startswith("e"):
        return None
    return wall_instant(parse_key(key), tz)


def is_future(post: Post, series: PostSeries, now: datetime, tz: str) -> bool:
    """Whether an occurrence is still to come (by its time, or by its key's time)."""
    when = post.scheduled_at or key_instant(series, post.series_key, tz)
    return when is not None and when > now


def replan(
    s: Session, rules: PlanRules, series: PostSeries, now: datetime
) -> tuple[list[int], list[int]]:
    """After a rule change: trash the future occurrences the rule no longer has and make the new.

    Occurrences edited on their own or gone out stay. Returns (trashed, created) post ids.
    """
    tz = repo.get_workspace(s, series.workspace_id).timezone
    rule = rule_of(series, tz)
    until = max(now, wall_instant(rule.start, tz)) + HORIZON
    wanted = {k for k, _ in occurrences_between(rule, tz, now, until)}
    start_key = series.starts_local
    trashed: list[int] = []
    for post in series_posts(s, series.id):
        if post.series_key == start_key or post.series_key in wanted:
            continue
        if post.series_detached or post.status in DONE or not is_future(post, series, now, tz):
            continue
        if post.scheduled_at != key_instant(series, post.series_key, tz):
            continue  # moved by hand to another time: kept like an occurrence edited alone
        rules.trash(post)
        # Out of the series: should the rule come back to this date, the date is made anew.
        post.series_id, post.series_key = None, None
        trashed.append(post.id)
    s.flush()
    return trashed, plan_ahead(s, rules, series, now)


def cut_rule(series: PostSeries, post: Post, *, keep_self: bool, everything: bool) -> None:
    """End a series at an occurrence: after it (``keep_self``) or before it; or stop it.

    A recurring rule gets an ``UNTIL`` (its ``COUNT`` is dropped); cutting at the first
    occurrence, cutting ``everything`` or cutting an evergreen series stops it.
    """
    key = post.series_key or ""
    at_start = key == series.starts_local and not keep_self
    if everything or at_start or series.kind != "recurring" or key.startswith("e") or not key:
        series.is_active = False
        return
    end = parse_key(key) if keep_self else parse_key(key) - timedelta(minutes=1)
    parts = [
        p for p in series.rrule.split(";") if p.split("=", 1)[0].upper() not in ("COUNT", "UNTIL")
    ]
    series.rrule = ";".join([*parts, f"UNTIL={end:%Y%m%dT%H%M%S}"])
