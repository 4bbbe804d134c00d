"""The day cell delegate: chip layout with "+N more", and what a painted cell shows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

from cmdesk.dto import PostSummary
from cmdesk.status import PostStatus
from ui.delegates.day_cell import STATUS_COLORS, TODAY_COLOR, DayCellDelegate, layout_chips
from ui.models.month import MonthModel, MonthPeriod


def test_all_chips_fit() -> None:
    layout = layout_chips(QRect(0, 0, 100, 100), 3, 20)
    assert len(layout.chips) == 3
    assert layout.hidden == 0
    assert layout.chips[1].top() > layout.chips[0].bottom()  # stacked, not overlapping


def test_a_full_cell_counts_the_posts_that_did_not_fit() -> None:
    # 3 lines fit (3 x 20 + 2 x 3 spacing = 66 <= 70), a 4th would not.
    layout = layout_chips(QRect(0, 0, 100, 70), 5, 20)
    assert len(layout.chips) == 3
    assert layout.hidden == 2
    assert layout.chips[-1].bottom() < 70


def test_a_tiny_cell_shows_no_chip_rather_than_overflowing() -> None:
    layout = layout_chips(QRect(0, 0, 100, 10), 2, 20)
    assert layout.chips == ()
    assert layout.hidden == 2


def _paint_cell(model: MonthModel, day: date) -> QImage:
    view = QTableView()  # gives the delegate a real palette and font
    view.setModel(model)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = QRect(0, 0, 180, 120)
    image = QImage(180, 120, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    DayCellDelegate().paint(painter, option, model.index_for_date(day))
    painter.end()
    return image


def _has_color(image: QImage, color: str, tolerance: int = 12) -> bool:
    want = QColor(color)
    for y in range(image.height()):
        for x in range(image.width()):
            got = image.pixelColor(x, y)
            if (
                abs(got.red() - want.red()) <= tolerance
                and abs(got.green() - want.green()) <= tolerance
                and abs(got.blue() - want.blue()) <= tolerance
            ):
                return True
    return False


def test_today_is_marked_and_status_colours_are_painted() -> None:
    model = MonthModel(MonthPeriod(2026, 3, "Europe/Madrid"))
    model.set_today(date(2026, 3, 20))
    failed = PostSummary(
        1, 1, "Launch", "", PostStatus.FAILED, datetime(2026, 3, 20, 9, tzinfo=UTC), None, (1,), 1
    )
    model.set_posts([failed])
    today = _paint_cell(model, date(2026, 3, 20))
    other = _paint_cell(model, date(2026, 3, 21))
    assert _has_color(today, TODAY_COLOR)
    assert _has_color(today, STATUS_COLORS[PostStatus.FAILED])
    assert not _has_color(other, TODAY_COLOR)
    assert not _has_color(other, STATUS_COLORS[PostStatus.FAILED])


def test_status_colours_are_distinct() -> None:
    colors = [QColor(c) for c in STATUS_COLORS.values()]
    for i, a in enumerate(colors):
        for b in colors[i + 1 :]:
            distance = (
                abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())
            )
            assert distance > 60, (a.name(), b.name())
