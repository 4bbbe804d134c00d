"""Recurrence rules of recurring posts: built, checked, expanded and told in words.

A rule is an RFC 5545 RRULE without DTSTART, read from a wall-clock start in the workspace's
zone (``PostSeries.starts_local``, "YYYY-MM-DDTHH:MM"). ``dateutil.rrule`` expands it into naive
wall-clock times; each becomes an instant with :func:`cmdesk.timeutil.local_to_utc`, so 09:00
stays 09:00 across daylight-saving changes, and a time inside a spring-forward gap moves forward by
the size of the gap (the RFC 5545 rule, the one every other part of cmdesk follows).

As in RFC 5545 the start always counts as the first occurrence, also when it does not match the
rule (a post on a Tuesday repeating every Monday), and ``COUNT`` includes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from dateutil.rrule import rrule, rrulestr

from cmdesk.errors import ValidationError
from cmdesk.planning.queues import wall_to_utc
from cmdesk.timeutil import utc_to_local

KEY_FORMAT = "%Y-%m-%dT%H:%M"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_KNOWN = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "BYHOUR",
    "BYMINUTE",
    "BYYEARDAY",
    "BYWEEKNO",
    "WKST",
}
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
#: At most this many occurrences are made in one go (a rule gone wild makes no thousand posts).
MAX_AHEAD = 400

Frequency = Literal["daily", "weekly", "monthly", "yearly"]
MonthlyBy = Literal["day", "first_weekday", "last_weekday", "nth"]


@dataclass(frozen=True, slots=True)
class RecurrenceInput:
    """A repeat as the composer or the command line asks for it.

    Either the structured fields or ``rrule`` (a raw RRULE, which wins when given); ``until`` (a
    local date, inclusive) or ``count`` end it, also a raw rule without its own end.
    ``monthly_by``: the start's day of the month, the first or last weekday (Monday to Friday),
    or the ``nth`` ``nth_weekday`` (``nth`` 1..4 or -1 for the last).
    """

    frequency: Frequency = "weekly"
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    monthly_by: MonthlyBy = "day"
    nth: int = 1
    nth_weekday: int = 0
    until: date | None = None
    count: int | None = None
    rrule: str | None = None


def key_of(local: datetime) -> str:
    """The occurrence key of a wall-clock start."""
    return local.strftime(KEY_FORMAT)


def parse_key(key: str) -> datetime:
    return datetime.strptime(key, KEY_FORMAT)


def build_rrule(rule: RecurrenceInput) -> str:
    """The RRULE text of a structured or raw input (not yet checked: see :func:`check_rrule`)."""
    if rule.count is not None and rule.until is not None:
        raise ValidationError("End the repeat either on a date or after a number of times.")
    if rule.rrule is not None:
        text = rule.rrule.strip().removeprefix("RRULE:")
        parts = [p for p in text.split(";") if p.strip()]
    else:
        parts = _structured_parts(rule)
    names = {p.split("=", 1)[0].strip().upper() for p in parts}
    if rule.count is not None and not names & {"COUNT", "UNTIL"}:
        parts.append(f"COUNT={rule.count}")
    if rule.until is not None and not names & {"COUNT", "UNTIL"}:
        parts.append(f"UNTIL={rule.until:%Y%m%d}T235959")
    return ";".join(parts)


def _structured_parts(rule: RecurrenceInput) -> list[str]:
    if rule.interval < 1 or rule.interval > 366:
        raise ValidationError("Repeat every 1 to 366 days, weeks, months or years.")
    parts = [f"FREQ={rule.frequency.upper()}"]
    if rule.interval != 1:
        parts.append(f"INTERVAL={rule.interval}")
    if rule.frequency == "weekly" and rule.weekdays:
        if any(d not in range(7) for d in rule.weekdays):
            raise ValidationError("Weekdays go from 0 (Monday) to 6 (Sunday).")
        parts.append("BYDAY=" + ",".join(WEEKDAYS[d] for d in sorted(set(rule.weekdays))))
    if rule.frequency == "monthly":
        if rule.monthly_by in ("first_weekday", "last_weekday"):
            pos = 1 if rule.monthly_by == "first_weekday" else -1
            parts += ["BYDAY=MO,TU,WE,TH,FR", f"BYSETPOS={pos}"]
        elif rule.monthly_by == "nth":
            if rule.nth not in (1, 2, 3, 4, -1) or rule.nth_weekday not in range(7):
                raise ValidationError("Choose the 1st to 4th or the last weekday of the month.")
            parts.append(f"BYDAY={rule.nth}{WEEKDAYS[rule.nth_weekday]}")
    return parts


@dataclass(frozen=True, slots=True)
class Rule:
    """A checked rule: its text (UNTIL in local wall-clock time) and its parts."""

    text: str
    parts: dict[str, str]
    start: datetime

    def expand(self, *, after: datetime | None = None) -> Iterator[datetime]:
        """Wall-clock starts (naive), the start first; only those later than ``after`` if given."""
        count = int(self.parts["COUNT"]) if "COUNT" in self.parts else None
        base = _parse(self.text, self.start).replace(count=None)
        made = 0
        if count is not None and count < 1:
            return
        if after is None or self.start > after:
            yield self.start
        made = 1
        for local in base:
            if local <= self.start:
                continue
            if count is not None and made >= count:
                return
            made += 1
            if after is None or local > after:
                yield local


def _parse(text: str, start: datetime) -> rrule:
    parsed = rrulestr(text, dtstart=start)
    assert isinstance(parsed, rrule)
    return parsed


def _parts(text: str) -> dict[str, str]:
    """NAME=VALUE parts of a rule, upper-cased; a ``ValidationError`` for a malformed one."""
    text = text.strip().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for raw in (p for p in text.split(";") if p.strip()):
        name, sep, value = raw.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not value:
            raise _bad(f"{raw!r} is not NAME=VALUE")
        if name == "DTSTART":
            raise _bad("leave DTSTART out: the post's own date and time is the start")
        if name not in _KNOWN:
            raise _bad(f"{name} is not a recurrence rule part")
        if name in parts:
            raise _bad(f"{name} is given twice")
        parts[name] = value
    return parts


def check_rrule(text: str, start: datetime, tz: str, *, new: bool = True) -> Rule:
    """Check an RRULE read from a naive wall-clock ``start``; a ``ValidationError`` says why not.

    A UTC ``UNTIL`` (ending in Z) is turned into the workspace's wall-clock time. A ``new`` rule
    must give a date after the start; a stored one may have been cut down to the start alone.
    """
    parts = _parts(text)
    if "FREQ" not in parts:
        raise _bad("it needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)")
    if parts["FREQ"] not in _FREQS:
        raise _bad(f"FREQ={parts['FREQ']}: posts repeat daily, weekly, monthly or yearly")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _bad("give COUNT or UNTIL, not both")
    if "COUNT" in parts and (not parts["COUNT"].isdigit() or not 1 <= int(parts["COUNT"]) <= 999):
        raise _bad("COUNT is a number from 1 to 999")
    if parts.get("UNTIL", "").endswith("Z"):
        parts["UNTIL"] = _local_until(parts["UNTIL"], tz)
    normal = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        parsed = _parse(normal, start)
    except (ValueError, TypeError) as exc:
        raise _bad(str(exc)) from None
    if new and parsed.replace(count=None).after(start) is None and parts.get("COUNT") != "1":
        raise ValidationError(
            "This repeat rule gives no date after the post's own: check the days, the end date "
            "or the count."
        )
    return Rule(normal, parts, start)


def _local_until(value: str, tz: str) -> str:
    try:
        utc = datetime.strptime(value, "%Y%m%dT%H%M%SZ")
    except ValueError:
        raise _bad(f"UNTIL={value} is not a date and time like 20261231T230000Z") from None
    local = utc_to_local(utc.replace(tzinfo=UTC), tz)
    return local.strftime("%Y%m%dT%H%M%S")


def _bad(why: str) -> ValidationError:
    return ValidationError(
        f"The repeat rule is not valid: {why}. Example: FREQ=WEEKLY;BYDAY=MO;COUNT=10.",
        field="rrule",
    )


def wall_instant(local: datetime, tz: str) -> datetime:
    """The UTC instant of a naive wall-clock time (gap: moved on by its size; fold: the first)."""
    return wall_to_utc(local.date(), f"{local:%H:%M}", tz)


def occurrences_between(
    rule: Rule, tz: str, after: datetime, until: datetime
) -> list[tuple[str, datetime]]:
    """(key, UTC instant) of occurrences in ``(after, until]`` (UTC), at most ``MAX_AHEAD``."""
    found: list[tuple[str, datetime]] = []
    # Wall-clock and UTC differ by at most a day: expand a little wider, then filter exactly.
    local_after = utc_to_local(after, tz).replace(tzinfo=None) - timedelta(days=1)
    local_until = utc_to_local(until, tz).replace(tzinfo=None) + timedelta(days=1)
    for local in rule.expand(after=local_after):
        if local > local_until or len(found) >= MAX_AHEAD:
            break
        when = wall_instant(local, tz)
        if after < when <= until:
            found.append((key_of(local), when))
    return found
