"""Weekly posting slots: parsing them, and turning them into instants across daylight saving.

A slot is a weekday and a wall-clock time in the workspace's zone ("mon 09:00"). Week after week
it stays at that wall-clock time, so its UTC instant moves when the clocks change:

* a slot inside a spring-forward gap (02:30 on the night the clocks jump from 02:00 to 03:00)
  moves forward by the size of the gap (03:30), so the post still goes out that day: the rule
  of every wall-clock time in cmdesk (``cmdesk.timeutil``) and of RFC 5545 for recurrences;
* a slot that happens twice in an autumn fold (02:30 when 03:00 goes back to 02:00) is taken at
  its first occurrence (``fold=0``, the earlier instant);
* two slots that land on the same instant that way (02:30 in the gap and a 03:30 slot) are one
  instant: :func:`slot_instants` never yields the same instant twice.

Nothing here touches the database; :mod:`cmdesk.services.queues` reads and writes the slots.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from cmdesk.errors import ValidationError
from cmdesk.timeutil import at_wall_time, utc_to_local

#: Weekday names as typed and shown (0 = Monday, as ``date.weekday``).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: How far ahead a free slot is looked for before giving up.
HORIZON_WEEKS = 52

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_NAMES = {name: i for i, name in enumerate(WEEKDAYS)} | {
    label.lower(): i for i, label in enumerate(WEEKDAY_LABELS)
}


@dataclass(frozen=True, slots=True, order=True)
class WeeklySlot:
    """A weekday (0 = Monday) and a wall-clock time "HH:MM"."""

    weekday: int
    local_time: str

    @property
    def label(self) -> str:
        """As typed on the command line: "mon 09:00"."""
        return f"{WEEKDAYS[self.weekday]} {self.local_time}"


@dataclass(frozen=True, slots=True)
class QueueSlotDTO:
    """One weekly posting slot of a channel."""

    id: int
    channel_id: int
    weekday: int
    local_time: str
    is_active: bool

    @property
    def label(self) -> str:
        return f"{WEEKDAY_LABELS[self.weekday]} {self.local_time}"


@dataclass(frozen=True, slots=True)
class OpenSlot:
    """A free slot instant of a channel (for the week view's dashed outlines)."""

    channel_id: int
    channel_name: str
    at: datetime


def parse_time(text: str) -> str:
    """A time typed as 9:00 or 09:00, as "09:00"; anything else is a ``ValidationError``."""
    m = _TIME.match(text.strip())
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValidationError(
            f"{text.strip()!r} is not a time of day. Write it as HH:MM, such as 09:00 or 17:30.",
            field="local_time",
        )
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_weekday(value: int | str) -> int:
    """0..6, or a day's name ("mon", "Monday"), as 0 = Monday .. 6 = Sunday."""
    if isinstance(value, int):
        if 0 <= value <= 6:
            return value
    else:
        found = _NAMES.get(value.strip().lower())
        if found is not None:
            return found
    raise ValidationError(
        f"{value!r} is not a day of the week. Use mon, tue, wed, thu, fri, sat or sun.",
        field="weekday",
    )


def parse_slot(text: str) -> WeeklySlot:
    """A slot typed as "mon 09:00" (or "Monday 9:00")."""
    parts = text.split()
    if len(parts) != 2:
        raise ValidationError(
            f'{text!r} is not a posting slot. Write a day and a time, such as "mon 09:00".',
            field="slot",
        )
    return WeeklySlot(parse_weekday(parts[0]), parse_time(parts[1]))


def check_unique(slots: Iterable[WeeklySlot]) -> list[WeeklySlot]:
    """The slots sorted by day and time; a slot given twice is a ``ValidationError``."""
    seen: set[WeeklySlot] = set()
    for slot in slots:
        if slot in seen:
            raise ValidationError(
                f"{WEEKDAY_LABELS[slot.weekday]} at {slot.local_time} is given twice.",
                field="slot",
            )
        seen.add(slot)
    return sorted(seen)


def wall_to_utc(day: date, local_time: str, tz_name: str) -> datetime:
    """The instant of a slot on a day, by cmdesk's one rule for wall-clock times.

    That rule is :func:`cmdesk.timeutil.local_to_utc`: a time in a spring-forward gap moves
    forward by the size of the gap, as RFC 5545 reads such a time; one in an autumn fold is its
    first occurrence.
    """
    hh, mm = (int(x) for x in local_time.split(":"))
    return at_wall_time(day, time(hh, mm), tz_name)


def slot_instants(
    slots: Iterable[WeeklySlot],
    tz_name: str,
    after: datetime,
    *,
    weeks: int = HORIZON_WEEKS,
    until: datetime | None = None,
) -> Iterator[datetime]:
    """Every instant of ``slots`` strictly after ``after``, in order, each once.

    For ``weeks`` weeks, or until the instant ``until`` (excluded) if that comes first.
    """
    by_day: dict[int, list[str]] = {}
    for slot in slots:
        by_day.setdefault(slot.weekday, []).append(slot.local_time)
    if not by_day:
        return
    # Start a day early: the previous local day's late slots may still be after ``after``.
    first = utc_to_local(after, tz_name).date() - timedelta(days=1)
    last: datetime | None = None
    # A day past ``until``'s local date can hold no instant before it.
    stop = utc_to_local(until, tz_name).date() + timedelta(days=1) if until is not None else None
    for offset in range(weeks * 7 + 2):
        day = first + timedelta(days=offset)
        if stop is not None and day > stop:
            return
        times = by_day.get(day.weekday())
        if not times:
            continue
        for instant in sorted({wall_to_utc(day, t, tz_name) for t in times}):
            # Sorted per day and days in order; a gap slot of one day never moves past the next
            # day's slots, so "later than the last one" is enough to yield each instant once.
            if until is not None and instant >= until:
                return
            if instant > after and (last is None or instant > last):
                last = instant
                yield instant
