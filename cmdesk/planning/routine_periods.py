"""Periods of the community manager's routine and the days a task is due in them.

A task is done once per *period*: a day (``2026-11-24``), a week (``2026-W48``) or a month
(``2026-11``), always counted in the workspace's zone, so a task done at 23:30 in Madrid counts for
that Madrid day whatever the UTC date.

Weeks follow the workspace's ``week_start`` (0 Monday .. 6 Sunday) and are named by ISO week:
a week is given the ISO number of its fourth day. With a Monday start that is the Thursday, which
is exactly ISO 8601's rule; with a Sunday start the week Sun 22 - Sat 28 Nov 2026 is the
Wednesday's week, ``2026-W48``. Consecutive weeks get consecutive names and never share one.

When a task is due inside its period comes from its recurrence rule (RFC 5545, read with
dateutil): ``FREQ=WEEKLY;BYDAY=MO`` is due on the Monday of each week,
``FREQ=MONTHLY;BYMONTHDAY=31,-1;BYSETPOS=1`` on the 31st or the month's last day. The rule's
``DTSTART`` is the day the task was added, so periods before it are never "missed".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.rrule import rrule, rrulestr

from cmdesk.errors import ValidationError

CADENCES = ("daily", "weekly", "monthly", "custom")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DTSTART = re.compile(r"^DTSTART:(\d{8})(T\d{6})?\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Period:
    """One period of a cadence: its key and its first and last-plus-one local days."""

    key: str
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def week_start_of(day: date, week_start: int = 0) -> date:
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def period_of(cadence: str, day: date, week_start: int = 0) -> Period:
    """The period of ``cadence`` that holds the local ``day``."""
    if cadence == "weekly":
        first = week_start_of(day, week_start)
        year, week, _ = (first + timedelta(days=3)).isocalendar()
        return Period(f"{year}-W{week:02d}", first, first + timedelta(days=7))
    if cadence == "monthly":
        first = day.replace(day=1)
        days = calendar.monthrange(day.year, day.month)[1]
        return Period(f"{day.year}-{day.month:02d}", first, first + timedelta(days=days))
    return Period(day.isoformat(), day, day + timedelta(days=1))


def previous_periods(cadence: str, day: date, count: int, week_start: int = 0) -> list[Period]:
    """The period holding ``day`` and the ``count - 1`` before it, newest first."""
    out: list[Period] = []
    current = period_of(cadence, day, week_start)
    for _ in range(max(0, count)):
        out.append(current)
        current = period_of(cadence, current.start - timedelta(days=1), week_start)
    return out


# --- rules -----------------------------------------------------------------------------------


def build_rule(
    cadence: str,
    *,
    weekday: int | None = None,
    month_day: int | None = None,
    weekdays: tuple[int, ...] | None = None,
) -> str:
    """The RRULE (without DTSTART) of a standard cadence; a ``ValidationError`` when it is wrong."""
    if cadence == "daily":
        if weekdays and len(set(weekdays)) < 7:
            days = ",".join(WEEKDAY_CODES[d] for d in sorted(set(weekdays)) if 0 <= d < 7)
            return f"FREQ=DAILY;BYDAY={days}"
        return "FREQ=DAILY"
    if cadence == "weekly":
        if weekday is None or not 0 <= weekday < 7:
            raise ValidationError("A weekly task needs a weekday (Monday to Sunday).")
        return f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[weekday]}"
    if cadence == "monthly":
        if month_day is None or not 1 <= month_day <= 31:
            raise ValidationError("A monthly task needs a day of the month from 1 to 31.")
        # The day itself, or the month's last day when the month is shorter (the 31st in April).
        return f"FREQ=MONTHLY;BYMONTHDAY={month_day},-1;BYSETPOS=1"
    raise ValidationError(f"Unknown cadence {cadence!r}: use daily, weekly or monthly.")


def with_start(rule: str, since: date) -> str:
    """``rule`` (an RRULE, maybe with a DTSTART line) starting on ``since``."""
    body = strip_start(rule)
    return f"DTSTART:{since:%Y%m%d}T000000\nRRULE:{body}"


def strip_start(rule: str) -> str:
    """The bare RRULE body of a stored rule."""
    lines = [ln.strip() for ln in rule.strip().splitlines() if ln.strip()]
    body = [ln for ln in lines if not ln.upper().startswith("DTSTART")]
    text = body[0] if body else "FREQ=DAILY"
    return text[6:] if text.upper().startswith("RRULE:") else text


def rule_start(rule: str) -> date | None:
    found = _DTSTART.search(rule.strip())
    if not found:
        return None
    return datetime.strptime(found.group(1), "%Y%m%d").date()


def parse_rule(rule: str) -> rrule:
    """The dateutil rule of a stored rule; ``ValidationError`` says why it cannot be read."""
    start = rule_start(rule) or date(2000, 1, 3)
    try:
        parsed = rrulestr(
            f"RRULE:{strip_start(rule)}", dtstart=datetime.combine(start, datetime.min.time())
        )
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            f"The repeat rule {strip_start(rule)!r} cannot be read: {exc}."
        ) from None
    if not isinstance(parsed, rrule):
        raise ValidationError("The repeat rule must be a single RRULE.")
    return parsed


def due_days(rule: str, period: Period) -> list[date]:
    """The local days of ``period`` on which the rule makes the task due."""
    parsed = parse_rule(rule)
    begin = datetime.combine(period.start, datetime.min.time())
    stop = datetime.combine(period.last_day, datetime.max.time())
    return [d.date() for d in parsed.between(begin, stop, inc=True)]


def describe_rule(cadence: str, rule: str) -> str:
    """A short phrase for a person: "every day", "Mondays", "on the 1st"."""
    body = strip_start(rule).upper()
    parts = dict(p.split("=", 1) for p in body.split(";") if "=" in p)
    names = dict(zip(WEEKDAY_CODES, calendar.day_name, strict=True))
    if cadence == "weekly" and parts.get("BYDAY") in names:
        return f"{names[parts['BYDAY']]}s"
    if cadence == "monthly" and "BYMONTHDAY" in parts:
        day = parts["BYMONTHDAY"].split(",")[0]
        return "on the last day" if day == "-1" else f"on day {day}"
    if cadence == "daily":
        if "BYDAY" in parts:
            days = parts["BYDAY"].split(",")
            if days == ["MO", "TU", "WE", "TH", "FR"]:
                return "on weekdays"
            return ", ".join(names[d][:3] for d in days if d in names)
        return "every day"
    return strip_start(rule)


def rule_fields(rule: str) -> tuple[int | None, int | None, tuple[int, ...]]:
    """(weekday, month day, daily weekdays) read back from a standard rule, for an edit form."""
    body = strip_start(rule).upper()
    parts = dict(p.split("=", 1) for p in body.split(";") if "=" in p)
    byday = [
        WEEKDAY_CODES.index(d) for d in parts.get("BYDAY", "").split(",") if d in WEEKDAY_CODES
    ]
    month_day = None
    if "BYMONTHDAY" in parts:
        first = parts["BYMONTHDAY"].split(",")[0]
        month_day = int(first) if first.lstrip("-").isdigit() else None
    return (byday[0] if len(byday) == 1 else None), month_day, tuple(byday)
