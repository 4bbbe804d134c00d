"""UTC storage, workspace time zones and DST-safe wall-clock conversion.

Times are stored in UTC and shown in the workspace's IANA zone. A person thinks in wall-clock time
("Tuesday at 09:00 in Madrid"), so moving a post keeps the wall-clock time, not the UTC offset, and
wall-clock times that do not exist or happen twice on a daylight-saving change are resolved the
same way everywhere:

* a time inside a spring-forward gap moves forward by the size of the gap (02:30 -> 03:30), the way
  calendar applications do, so the post still goes out on the chosen day;
* a time that happens twice in an autumn fold takes its first occurrence (the earlier instant).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cmdesk.errors import ValidationError


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name, or a ``ValidationError`` that says how to fix it."""
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        raise ValidationError(
            f"Unknown time zone {name!r}. Use an IANA name such as Europe/Madrid.", field="timezone"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError, OSError):
        raise ValidationError(
            f"Unknown time zone {name!r}. Use an IANA name such as Europe/Madrid "
            "or America/New_York.",
            field="timezone",
        ) from None


def validate_zone(name: str) -> str:
    """Return the name if it is a known IANA zone; raise ``ValidationError`` otherwise."""
    zone(name)
    return name


def common_zones() -> list[str]:
    """Zone names for a picker: UTC first, then the IANA regional names without legacy aliases."""
    regional = sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    return ["UTC", *regional]


def ensure_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused because its meaning is unknown."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: say which zone it is in")
    return value.astimezone(UTC)


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    """Whether a naive wall-clock time exists in the zone (it round-trips through UTC)."""
    aware = local.replace(tzinfo=tz)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back == local


def local_to_utc(local: datetime, tz_name: str) -> datetime:
    """Convert a naive wall-clock time in the zone to UTC, resolving gaps and folds (see module)."""
    if local.tzinfo is not None:
        return ensure_utc(local)
    tz = zone(tz_name)
    if _exists(local, tz):
        # fold=0 picks the first of two occurrences in an autumn fold.
        return local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    # In a gap: the offset before the gap applied to this wall time lands after the gap, which is
    # exactly "move forward by the size of the gap". zoneinfo gives that with fold=0 as well, but
    # saying it here keeps the rule independent of that detail.
    before = local.replace(tzinfo=tz, fold=0).utcoffset()
    after = local.replace(tzinfo=tz, fold=1).utcoffset()
    assert before is not None and after is not None
    offset = min(before, after)
    return (local - offset).replace(tzinfo=UTC)


def utc_to_local(value: datetime, tz_name: str) -> datetime:
    """The aware local time in the zone for a UTC instant."""
    return ensure_utc(value).astimezone(zone(tz_name))


def move_to_day(value: datetime, new_day: date, tz_name: str) -> datetime:
    """The UTC instant on ``new_day`` with the same wall-clock time in the zone as ``value``."""
    local = utc_to_local(value, tz_name)
    return local_to_utc(datetime.combine(new_day, local.time().replace(tzinfo=None)), tz_name)


def at_wall_time(day: date, wall: time, tz_name: str) -> datetime:
    """The UTC instant of a wall-clock time on a day in the zone."""
    return local_to_utc(datetime.combine(day, wall.replace(tzinfo=None)), tz_name)


def local_day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """UTC instants of the start of ``day`` and of the next day, in the zone."""
    return at_wall_time(day, time(0), tz_name), at_wall_time(
        day + timedelta(days=1), time(0), tz_name
    )


def month_grid_bounds(year: int, month: int, *, week_start: int = 0) -> tuple[date, date]:
    """First and last-plus-one local day of the six-week grid that shows a month.

    The days are calendar dates; turn them into instants with ``local_day_bounds`` in the
    workspace's zone. ``week_start`` is 0 for Monday (as in most of Europe and Latin America)
    and 6 for Sunday.
    """
    first = date(year, month, 1)
    lead = (first.weekday() - week_start) % 7
    start = first - timedelta(days=lead)
    return start, start + timedelta(days=42)


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
