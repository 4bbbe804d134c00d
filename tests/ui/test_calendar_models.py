"""The calendar's models: Qt's model contract, slots and periods, and drops through mime data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from cmdesk.dto import ChannelDTO, PostSummary
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time
from ui.models.drops import CalendarDrops
from ui.models.mime import DraggedPosts, decode_posts, encode_posts
from ui.models.month import CalendarRole, MonthModel, MonthPeriod
from ui.models.unscheduled import UnscheduledModel, UnscheduledRole
from ui.models.week import SLOTS, DayColumnProxy, TimeGridModel, WeekPeriod, slot_of
from ui.views.week_view import place_lanes

MADRID = "Europe/Madrid"


@pytest.fixture(autouse=True)
def _app(qapp: QApplication) -> None:
    """The side list paints status dots, which needs a GUI application."""


def post(pid: int, when: datetime | None, status: PostStatus = PostStatus.SCHEDULED) -> PostSummary:
    return PostSummary(pid, 1, f"Post {pid}", "", status, when, None, (1, 2), 1)


@dataclass
class RecordingDrops:
    """A drop handler that records what it was asked to do."""

    calls: list[tuple[str, tuple[int, ...], object, bool]] = field(default_factory=list)
    accept_workspace: int = 1

    def can_accept(self, dragged: DraggedPosts) -> bool:
        return dragged.workspace_id == self.accept_workspace

    def drop_on_day(self, dragged: DraggedPosts, day: date, *, copy: bool) -> bool:
        self.calls.append(("day", dragged.post_ids, day, copy))
        return True

    def drop_at(self, dragged: DraggedPosts, when: datetime, *, copy: bool) -> bool:
        self.calls.append(("at", dragged.post_ids, when, copy))
        return True

    def unschedule(self, dragged: DraggedPosts) -> bool:
        self.calls.append(("unschedule", dragged.post_ids, None, False))
        return True


def channel(cid: int, network: str, color: str = "") -> ChannelDTO:
    return ChannelDTO(cid, 1, network, f"C{cid}", "", "", "ok", "", color, False, False, False)


WEEK = WeekPeriod.containing(date(2026, 3, 26), MADRID)  # Mon 23 .. Sun 29 March (DST on 29th)


def test_time_grid_and_day_proxy_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = TimeGridModel(WEEK)
    model.set_posts([post(1, datetime(2026, 3, 24, 8, tzinfo=UTC))])
    model.set_today(date(2026, 3, 24))
    qtmodeltester.check(model)
    proxy = DayColumnProxy()
    proxy.setSourceModel(model)
    proxy.set_day(date(2026, 3, 24))
    qtmodeltester.check(proxy)
    model.set_channels([channel(1, "mastodon"), channel(2, "bluesky", "#123456")])
    model.set_campaign_colors({})
    model.set_period(WEEK.shifted(1))
    model.set_posts([post(2, datetime(2026, 3, 31, 7, tzinfo=UTC))])
    proxy.set_day(date(2026, 4, 1))
    assert proxy.columnCount() == 1
    assert proxy.rowCount() == SLOTS
    assert proxy.headerData(0, Qt.Orientation.Horizontal, CalendarRole.DATE) == date(2026, 4, 1)


def test_unscheduled_and_month_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    side = UnscheduledModel()
    side.set_posts(1, [post(1, None, PostStatus.IDEA), post(2, None, PostStatus.DRAFT)])
    qtmodeltester.check(side)
    side.set_posts(1, [post(2, None, PostStatus.DRAFT)])
    assert side.index(0).data(UnscheduledRole.POST_ID) == 2
    month = MonthModel(MonthPeriod(2026, 3, MADRID))
    month.set_drop_handler(RecordingDrops())
    month.set_channels([channel(1, "mastodon")])
    qtmodeltester.check(month)
    month.set_posts([post(1, datetime(2026, 3, 10, 8, tzinfo=UTC))])


def test_posts_sit_in_their_local_quarter_hour_across_the_spring_change() -> None:
    model = TimeGridModel(WEEK)
    # 09:00 Madrid is 08:00 UTC before 29 March and 07:00 UTC on it.
    model.set_posts(
        [
            post(1, datetime(2026, 3, 28, 8, 0, tzinfo=UTC)),
            post(2, datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
            post(3, datetime(2026, 3, 29, 7, 14, tzinfo=UTC)),
        ]
    )
    nine = slot_of(datetime(2026, 1, 1, 9, 0))
    assert model.position_of_post(1) == (date(2026, 3, 28), nine)
    assert model.position_of_post(2) == (date(2026, 3, 29), nine)
    assert model.position_of_post(3) == (date(2026, 3, 29), nine)  # 09:14 is still the 09:00 slot
    cell = model.index(nine, model.column_of(date(2026, 3, 29)))
    assert [c.local_time for c in cell.data(CalendarRole.CHIPS)] == ["09:00", "09:14"]
    assert "09:00  Scheduled: Post 2" in cell.data(Qt.ItemDataRole.ToolTipRole)


def test_slot_times_resolve_the_gap_and_the_fold() -> None:
    spring = TimeGridModel(WEEK)
    sunday = spring.column_of(date(2026, 3, 29))
    # 02:15 does not exist on 29 March in Madrid: it becomes 03:15 CEST (01:15 UTC).
    assert spring.slot_start(spring.index(9, sunday)) == datetime(2026, 3, 29, 1, 15, tzinfo=UTC)
    autumn = TimeGridModel(WeekPeriod.containing(date(2026, 10, 25), MADRID))
    sunday = autumn.column_of(date(2026, 10, 25))
    # 02:15 happens twice on 25 October: the first (CEST, 00:15 UTC) is meant.
    assert autumn.slot_start(autumn.index(9, sunday)) == datetime(2026, 10, 25, 0, 15, tzinfo=UTC)


def test_week_period_follows_the_week_start() -> None:
    assert WeekPeriod.containing(date(2026, 3, 26), MADRID).start == date(2026, 3, 23)
    sunday_first = WeekPeriod.containing(date(2026, 3, 26), MADRID, week_start=6)
    assert sunday_first.start == date(2026, 3, 22)
    assert sunday_first.shifted(-1).start == date(2026, 3, 15)
    start, end = WEEK.utc_window()
    assert (start, end) == (
        datetime(2026, 3, 22, 23, tzinfo=UTC),
        datetime(2026, 3, 29, 22, tzinfo=UTC),  # a 167-hour week
    )


def test_mime_drops_reach_the_handler_with_day_or_slot_and_copy() -> None:
    drops = RecordingDrops()
    month = MonthModel(MonthPeriod(2026, 3, MADRID))
    month.set_drop_handler(drops)
    mime = encode_posts(1, [7])
    cell = month.index_for_date(date(2026, 3, 30))
    assert month.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, cell)
    assert month.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, cell)
    assert month.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, cell)
    grid = TimeGridModel(WEEK)
    grid.set_drop_handler(drops)
    proxy = DayColumnProxy()
    proxy.setSourceModel(grid)
    proxy.set_day(date(2026, 3, 24))
    slot = proxy.index(37, 0)  # 09:15
    assert proxy.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, slot)
    nine_fifteen = at_wall_time(date(2026, 3, 24), time(9, 15), MADRID)
    assert drops.calls == [
        ("day", (7,), date(2026, 3, 30), False),
        ("day", (7,), date(2026, 3, 30), True),
        ("at", (7,), nine_fifteen, False),
    ]


def test_foreign_or_malformed_drags_are_not_accepted() -> None:
    month = MonthModel(MonthPeriod(2026, 3, MADRID))
    month.set_drop_handler(RecordingDrops())
    cell = month.index_for_date(date(2026, 3, 30))
    other_workspace = encode_posts(2, [7])
    assert not month.canDropMimeData(other_workspace, Qt.DropAction.MoveAction, -1, -1, cell)
    plain = encode_posts(1, [7])
    plain.removeFormat("application/x-cmdesk-posts")
    assert not month.dropMimeData(plain, Qt.DropAction.MoveAction, -1, -1, cell)
    without_handler = MonthModel(MonthPeriod(2026, 3, MADRID))
    assert not without_handler.dropMimeData(
        encode_posts(1, [7]), Qt.DropAction.MoveAction, -1, -1, cell
    )


def test_side_list_drags_its_rows_and_unschedules_what_is_dropped_on_it() -> None:
    drops = RecordingDrops()
    side = UnscheduledModel()
    side.set_drop_handler(drops)
    side.set_posts(1, [post(3, None, PostStatus.IDEA)])
    dragged = decode_posts(side.mimeData([side.index(0)]))
    assert dragged == DraggedPosts(1, (3,))
    assert side.flags(side.index(0)) & Qt.ItemFlag.ItemIsDragEnabled
    # A row dropped back on its own list changes nothing; a calendar chip is unscheduled.
    assert not side.canDropMimeData(
        encode_posts(1, [3]), Qt.DropAction.MoveAction, -1, -1, QModelIndex()
    )
    assert side.dropMimeData(
        encode_posts(1, [3, 9]), Qt.DropAction.MoveAction, -1, -1, QModelIndex()
    )
    assert drops.calls == [("unschedule", (9,), None, False)]


def test_channel_badges_use_the_channel_colour_or_the_network_one() -> None:
    model = MonthModel(MonthPeriod(2026, 3, MADRID))
    model.set_channels([channel(1, "mastodon"), channel(2, "bluesky", "#123456")])
    model.set_posts([post(1, datetime(2026, 3, 10, 8, tzinfo=UTC))])
    (chip,) = model.index_for_date(date(2026, 3, 10)).data(CalendarRole.CHIPS)
    assert [(g.network, g.color) for g in chip.channels] == [
        ("mastodon", "#6364ff"),
        ("bluesky", "#123456"),
    ]


def test_a_reload_repaints_only_the_days_that_changed() -> None:
    model = MonthModel(MonthPeriod(2026, 3, MADRID))
    first = [
        post(1, datetime(2026, 3, 10, 8, tzinfo=UTC)),
        post(2, datetime(2026, 3, 12, 8, tzinfo=UTC)),
    ]
    model.set_posts(first)
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b: changed.append((a.row(), a.column())))
    moved = [first[0], post(2, datetime(2026, 3, 13, 8, tzinfo=UTC))]
    model.set_posts(moved)
    cells = {
        (i.row(), i.column()) for i in (model.index_for_date(date(2026, 3, d)) for d in (12, 13))
    }
    assert set(changed) == cells


def test_overlapping_chips_share_the_width() -> None:
    assert place_lanes([(0, 10), (0, 10), (20, 30)]) == [(0, 2), (1, 2), (0, 1)]
    assert place_lanes([(0, 10), (5, 15), (12, 20)]) == [(0, 2), (1, 2), (0, 2)]


class FakeActions:
    """Records PlanActions calls; refuses any post id in ``refuse``."""

    def __init__(self, refuse: Sequence[int] = ()) -> None:
        self.calls: list[tuple[str, int, object]] = []
        self.refuse = set(refuse)

    def _do(self, name: str, post_id: int, arg: object) -> None:
        from cmdesk.errors import ValidationError

        if post_id in self.refuse:
            raise ValidationError("This post is published; its time cannot change.")
        self.calls.append((name, post_id, arg))

    def move_to_day(self, post_id: int, day: date) -> None:
        self._do("move_to_day", post_id, day)

    def reschedule(self, post_id: int, when: datetime) -> None:
        self._do("reschedule", post_id, when)

    def move_by(self, post_id: int, delta: timedelta) -> None:
        self._do("move_by", post_id, delta)

    def duplicate(self, post_id: int, at: datetime | None = None) -> int:
        self._do("duplicate", post_id, at)
        return 100 + post_id

    def unschedule(self, post_id: int) -> None:
        self._do("unschedule", post_id, None)


def _workspace(zone: str = MADRID) -> object:
    from cmdesk.dto import WorkspaceDTO

    return WorkspaceDTO(1, "W", zone, "#000000", "", "", 0, "10:30", False)


def test_calendar_drops_turn_drops_into_plan_actions() -> None:
    from types import SimpleNamespace

    times = {
        1: datetime(2026, 3, 27, 8, tzinfo=UTC),
        2: None,
        3: datetime(2026, 3, 27, 8, tzinfo=UTC),
    }
    actions = FakeActions(refuse=[3])
    done: list[Sequence[int]] = []
    drops = CalendarDrops(
        actions, lambda pid: SimpleNamespace(scheduled_at=times[pid]), done.append
    )  # type: ignore[arg-type,return-value]
    drops.workspace = _workspace()  # type: ignore[assignment]
    monday = date(2026, 3, 30)
    assert drops.drop_on_day(DraggedPosts(1, (1,)), monday, copy=False)
    assert drops.drop_on_day(DraggedPosts(1, (1,)), monday, copy=True)
    assert drops.drop_on_day(DraggedPosts(1, (2,)), monday, copy=False)
    nine_monday = datetime(2026, 3, 30, 7, tzinfo=UTC)  # 09:00 CEST: the wall clock is kept
    ten_thirty = at_wall_time(monday, time(10, 30), MADRID)  # the workspace's default time
    assert actions.calls == [
        ("move_to_day", 1, monday),
        ("duplicate", 1, nine_monday),
        ("reschedule", 2, ten_thirty),
    ]
    assert done == [[1], [101], [2]]
    assert not drops.drop_on_day(DraggedPosts(1, (3,)), monday, copy=False)
    assert drops.last_refusal == "This post is published; its time cannot change."
    assert not drops.drop_at(DraggedPosts(2, (1,)), nine_monday, copy=False)
    assert "another workspace" in drops.last_refusal
