"""The month model: Qt's model contract, the grid's days, and posts placed on local days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QLocale, Qt
from pytestqt.modeltest import ModelTester

from cmdesk.dto import PostSummary
from cmdesk.status import PostStatus
from ui.models.month import CalendarRole, MonthModel, MonthPeriod, PostChip

MADRID = "Europe/Madrid"
NEW_YORK = "America/New_York"


def post(
    pid: int, when: datetime | None, *, title: str = "", campaign: int | None = None
) -> PostSummary:
    return PostSummary(
        id=pid,
        workspace_id=1,
        title=title or f"Post {pid}",
        snippet="",
        status=PostStatus.SCHEDULED,
        scheduled_at=when,
        campaign_id=campaign,
        channel_ids=(1,),
        revision=1,
    )


def test_model_passes_the_qt_model_tester_through_changes(qtmodeltester: ModelTester) -> None:
    model = MonthModel(MonthPeriod(2026, 3, MADRID))
    model.set_posts([post(1, datetime(2026, 3, 10, 8, tzinfo=UTC), campaign=3)])
    model.set_today(date(2026, 3, 20))
    qtmodeltester.check(model)
    # The tester stays attached and checks the signals of every later change.
    model.set_period(MonthPeriod(2026, 4, MADRID, week_start=6))
    model.set_posts([post(2, datetime(2026, 4, 1, 9, tzinfo=UTC))])
    model.set_campaign_colors({3: "#123456"})
    assert model.rowCount() == 6
    assert model.columnCount() == 7


def test_grid_starts_on_the_workspace_week_start() -> None:
    monday_first = MonthModel(MonthPeriod(2026, 3, MADRID, week_start=0))
    sunday_first = MonthModel(MonthPeriod(2026, 3, NEW_YORK, week_start=6))
    # 1 March 2026 is a Sunday: a Monday grid starts on 23 February, a Sunday grid on 1 March.
    assert monday_first.date_at(monday_first.index(0, 0)) == date(2026, 2, 23)
    assert sunday_first.date_at(sunday_first.index(0, 0)) == date(2026, 3, 1)
    assert sunday_first.date_at(sunday_first.index(5, 6)) == date(2026, 4, 11)
    locale = QLocale()
    short = QLocale.FormatType.ShortFormat
    assert monday_first.headerData(0, Qt.Orientation.Horizontal) == locale.dayName(1, short)
    assert sunday_first.headerData(0, Qt.Orientation.Horizontal) == locale.dayName(7, short)
    assert sunday_first.headerData(6, Qt.Orientation.Horizontal) == locale.dayName(6, short)


def test_utc_window_covers_the_grid_in_the_workspace_zone() -> None:
    start, end = MonthPeriod(2026, 3, MADRID).utc_window()
    # 23 Feb 00:00 CET (UTC+1) to 6 April 00:00 CEST (UTC+2): the window crosses the change.
    assert start == datetime(2026, 2, 22, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 4, 5, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "instant", "local_day", "local_time"),
    [
        # Europe moves to summer time on Sunday 29 March 2026: 00:30 on Monday 30 March is
        # 22:30 UTC on the 29th. With winter's offset it would wrongly land on the 29th.
        (MADRID, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), date(2026, 3, 30), "00:30"),
        # ... and back on 25 October: 00:30 on the 26th is 23:30 UTC on the 25th.
        (MADRID, datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 26), "00:30"),
        # The US moves on Sunday 8 March 2026: 00:30 on Monday 9 March is 04:30 UTC on the 9th;
        # with winter's offset (UTC-5) it would show at 23:30 on the 8th.
        (NEW_YORK, datetime(2026, 3, 9, 4, 30, tzinfo=UTC), date(2026, 3, 9), "00:30"),
        # ... and back on 1 November: 23:30 that night is already 2 November in UTC.
        (NEW_YORK, datetime(2026, 11, 2, 4, 30, tzinfo=UTC), date(2026, 11, 1), "23:30"),
        # The spring-forward day itself: 03:30 CEST on 29 March, an hour after the gap.
        (MADRID, datetime(2026, 3, 29, 1, 30, tzinfo=UTC), date(2026, 3, 29), "03:30"),
    ],
)
def test_post_lands_on_its_local_day_across_dst(
    zone: str, instant: datetime, local_day: date, local_time: str
) -> None:
    model = MonthModel(MonthPeriod.containing(local_day, zone))
    model.set_posts([post(7, instant)])
    cell = model.index_for_date(local_day)
    assert [p.id for p in cell.data(CalendarRole.POSTS)] == [7]
    chips: tuple[PostChip, ...] = cell.data(CalendarRole.CHIPS)
    assert [c.local_time for c in chips] == [local_time]
    assert model.post_count() == 1  # and on no other day


def test_posts_are_ordered_by_time_and_unscheduled_or_far_posts_ignored() -> None:
    model = MonthModel(MonthPeriod(2026, 3, MADRID))
    late = post(1, datetime(2026, 3, 10, 17, tzinfo=UTC))
    early = post(2, datetime(2026, 3, 10, 7, tzinfo=UTC))
    model.set_posts([late, early, post(3, None), post(4, datetime(2026, 6, 1, tzinfo=UTC))])
    assert [p.id for p in model.posts_on(date(2026, 3, 10))] == [2, 1]
    assert model.post_count() == 2


def test_today_and_month_roles() -> None:
    model = MonthModel(MonthPeriod(2026, 3, MADRID))
    model.set_today(date(2026, 3, 20))
    assert model.index_for_date(date(2026, 3, 20)).data(CalendarRole.IS_TODAY) is True
    assert model.index_for_date(date(2026, 3, 19)).data(CalendarRole.IS_TODAY) is False
    assert model.index_for_date(date(2026, 2, 28)).data(CalendarRole.IN_MONTH) is False
    assert model.index_for_date(date(2026, 3, 1)).data(CalendarRole.IN_MONTH) is True
    assert model.index_for_date(date(2026, 3, 1)).data(CalendarRole.DATE) == date(2026, 3, 1)
    assert not model.index_for_date(date(2026, 5, 1)).isValid()


def test_tooltip_lists_the_posts_of_the_day() -> None:
    model = MonthModel(MonthPeriod(2026, 3, MADRID))
    model.set_posts([post(1, datetime(2026, 3, 10, 8, tzinfo=UTC), title="Bread of the day")])
    tip = model.index_for_date(date(2026, 3, 10)).data(Qt.ItemDataRole.ToolTipRole)
    assert "09:00  Scheduled: Bread of the day" in tip
    spoken = model.index_for_date(date(2026, 3, 10)).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.endswith("1 post")


def test_campaign_colours_are_used_and_unknown_campaigns_get_a_stable_one() -> None:
    model = MonthModel(MonthPeriod(2026, 3, MADRID))
    model.set_posts(
        [
            post(1, datetime(2026, 3, 10, 8, tzinfo=UTC), campaign=3),
            post(2, datetime(2026, 3, 10, 9, tzinfo=UTC), campaign=4),
            post(3, datetime(2026, 3, 10, 10, tzinfo=UTC)),
        ]
    )
    model.set_campaign_colors({3: "#123456"})
    colors = [
        c.campaign_color for c in model.index_for_date(date(2026, 3, 10)).data(CalendarRole.CHIPS)
    ]
    assert colors[0] == "#123456"
    assert colors[1] is not None and colors[1].startswith("#")
    assert colors[2] is None


def test_month_period_arithmetic() -> None:
    jan = MonthPeriod(2026, 1, MADRID)
    assert jan.shifted(-1) == MonthPeriod(2025, 12, MADRID)
    assert jan.shifted(13) == MonthPeriod(2027, 2, MADRID)
    assert jan.same_day_in(jan.shifted(1), date(2026, 1, 31)) == date(2026, 2, 28)


def test_day_totals_beyond_the_loaded_posts_are_counted() -> None:
    model = MonthModel(MonthPeriod(2026, 3, "UTC"))
    busy = date(2026, 3, 10)
    loaded = [post(i, datetime(2026, 3, 10, 8, i, tzinfo=UTC)) for i in range(3)]
    model.set_posts(loaded, {busy: 40, date(2026, 3, 11): 0})
    cell = model.index_for_date(busy)
    assert cell.data(CalendarRole.POST_COUNT) == 40
    assert len(cell.data(CalendarRole.CHIPS)) == 3
    assert cell.data(Qt.ItemDataRole.ToolTipRole).endswith("… and 37 more")
    assert cell.data(Qt.ItemDataRole.AccessibleTextRole).endswith("40 posts")
    # Without totals the loaded posts are the whole day.
    model.set_posts(loaded)
    assert model.index_for_date(busy).data(CalendarRole.POST_COUNT) == 3
