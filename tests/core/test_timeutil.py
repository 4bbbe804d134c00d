"""Wall-clock time across daylight-saving changes, and zones east of UTC+12."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmdesk.errors import ValidationError
from cmdesk.timeutil import (
    at_wall_time,
    local_day_bounds,
    local_to_utc,
    month_grid_bounds,
    move_to_day,
    utc_to_local,
    validate_zone,
)


def test_madrid_move_across_spring_forward_keeps_wall_time() -> None:
    # Friday 27 March 2026 09:00 CET (UTC+1) -> Monday 30 March, after the change to CEST (UTC+2).
    before = at_wall_time(date(2026, 3, 27), time(9, 0), "Europe/Madrid")
    assert before == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    after = move_to_day(before, date(2026, 3, 30), "Europe/Madrid")
    assert after == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert utc_to_local(after, "Europe/Madrid").time() == time(9, 0)


def test_new_york_move_across_fall_back_keeps_wall_time() -> None:
    # Friday 30 October 2026 18:30 EDT (UTC-4) -> Monday 2 November 18:30 EST (UTC-5).
    before = at_wall_time(date(2026, 10, 30), time(18, 30), "America/New_York")
    after = move_to_day(before, date(2026, 11, 2), "America/New_York")
    assert before == datetime(2026, 10, 30, 22, 30, tzinfo=UTC)
    assert after == datetime(2026, 11, 2, 23, 30, tzinfo=UTC)


def test_time_in_spring_gap_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist in Madrid on 29 March 2026: it becomes 03:30 CEST.
    when = at_wall_time(date(2026, 3, 29), time(2, 30), "Europe/Madrid")
    assert utc_to_local(when, "Europe/Madrid").time() == time(3, 30)
    ny = at_wall_time(date(2026, 3, 8), time(2, 15), "America/New_York")
    assert utc_to_local(ny, "America/New_York").time() == time(3, 15)


def test_time_in_autumn_fold_takes_first_occurrence() -> None:
    # 02:30 happens twice in Madrid on 25 October 2026; the first one is still CEST (UTC+2).
    when = at_wall_time(date(2026, 10, 25), time(2, 30), "Europe/Madrid")
    assert when == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    ny = at_wall_time(date(2026, 11, 1), time(1, 30), "America/New_York")
    assert ny == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_zone_east_of_utc_plus_12() -> None:
    # Kiritimati is UTC+14: 09:00 local on 1 January is 19:00 UTC on 31 December.
    when = at_wall_time(date(2027, 1, 1), time(9, 0), "Pacific/Kiritimati")
    assert when == datetime(2026, 12, 31, 19, 0, tzinfo=UTC)
    moved = move_to_day(when, date(2027, 1, 5), "Pacific/Kiritimati")
    assert utc_to_local(moved, "Pacific/Kiritimati").replace(tzinfo=None) == datetime(2027, 1, 5, 9)
    # Tonga (UTC+13) and Chatham (UTC+13:45 in summer, with its own DST).
    tonga = at_wall_time(date(2026, 6, 1), time(0, 30), "Pacific/Tongatapu")
    assert tonga == datetime(2026, 5, 31, 11, 30, tzinfo=UTC)
    chatham = at_wall_time(date(2027, 1, 10), time(12, 0), "Pacific/Chatham")
    assert chatham.astimezone(UTC) == datetime(2027, 1, 9, 22, 15, tzinfo=UTC)


def test_a_day_that_does_not_exist_moves_to_the_next_one() -> None:
    # Samoa skipped 30 December 2011 when it moved across the date line.
    when = at_wall_time(date(2011, 12, 29), time(9, 0), "Pacific/Apia")
    moved = move_to_day(when, date(2011, 12, 30), "Pacific/Apia")
    local = utc_to_local(moved, "Pacific/Apia")
    assert (local.date(), local.time()) == (date(2011, 12, 31), time(9, 0))


def test_local_day_bounds_are_23_and_25_hours_on_change_days() -> None:
    start, end = local_day_bounds(date(2026, 3, 29), "Europe/Madrid")
    assert end - start == timedelta(hours=23)
    start, end = local_day_bounds(date(2026, 10, 25), "Europe/Madrid")
    assert end - start == timedelta(hours=25)


def test_month_grid_starts_on_the_workspace_week_start() -> None:
    start, end = month_grid_bounds(2026, 11, week_start=0)
    assert start == date(2026, 10, 26) and start.weekday() == 0
    assert (end - start).days == 42
    sunday_start, _ = month_grid_bounds(2026, 11, week_start=6)
    assert sunday_start == date(2026, 11, 1) and sunday_start.weekday() == 6


@pytest.mark.parametrize(
    "bad", ["Mars/Olympus", "", " Europe/Madrid", "../etc/passwd", "/etc/localtime"]
)
def test_unknown_zone_is_refused_with_a_hint(bad: str) -> None:
    with pytest.raises(ValidationError, match="IANA"):
        validate_zone(bad)


ZONES = st.sampled_from(
    ["Europe/Madrid", "America/New_York", "Pacific/Kiritimati", "Australia/Lord_Howe", "UTC"]
)


@given(
    zone=ZONES,
    instant=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
    days=st.integers(min_value=-400, max_value=400),
)
def test_move_keeps_wall_time_unless_it_does_not_exist(
    zone: str, instant: datetime, days: int
) -> None:
    start = instant.replace(second=0, microsecond=0, tzinfo=UTC)
    original = utc_to_local(start, zone)
    target_day = original.date() + timedelta(days=days)
    moved = utc_to_local(move_to_day(start, target_day, zone), zone)
    if moved.date() == target_day and moved.time() == original.time():
        return
    # Only a wall time that does not exist on the target day may shift, and only forward.
    wall = datetime.combine(target_day, original.time())
    assert moved.replace(tzinfo=None) > wall
    assert moved.replace(tzinfo=None) - wall <= timedelta(hours=24)


@given(
    zone=ZONES, local=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 1, 1))
)
def test_local_to_utc_round_trips_for_existing_times(zone: str, local: datetime) -> None:
    local = local.replace(second=0, microsecond=0)
    back = utc_to_local(local_to_utc(local, zone), zone).replace(tzinfo=None)
    assert back >= local  # equal, or pushed forward out of a gap
    assert back - local <= timedelta(hours=1)
