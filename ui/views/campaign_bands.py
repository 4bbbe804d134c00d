"""Campaigns painted as coloured bands across the days they run, on the month and week grids.

In the month grid each week row gives its bands lanes just under the day numbers; the row's cells
lay their chips out below the lanes (:func:`ui.delegates.day_cell.cell_chip_layout` takes the
space), so a band never covers a post. The week and day views show the bands in a strip under the
day names (:class:`BandHeader`, the time grid's horizontal header), aligned with the day columns.
Each band carries the campaign's name; its tooltip gives the dates and the objective, and the
grid's (or header's) accessible description names the campaigns shown for screen readers. A band's
ends are rounded where the campaign really starts or ends and square where it runs on beyond the
row or the range shown.

The calendar page reads the bands of the shown range with one ``ctx.campaigns.bands`` call per
reload and hands them to :func:`show_bands`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QToolTip, QWidget

from cmdesk.campaigns.dto import CampaignBand
from ui.delegates.chip import chip_font
from ui.delegates.day_cell import PADDING, header_rect
from ui.models.calendar_grid import CalendarRole
from ui.models.campaigns import short_date

#: Space between two lanes and around the strip.
LANE_GAP = 2
BAND_RADIUS = 4.0


def lane_height(font: QFont) -> int:
    """The height of one band: a line of the chips' font and a little air."""
    return QFontMetrics(chip_font(font)).height() + 2


def assign_lanes(bands: Sequence[CampaignBand]) -> list[int]:
    """A lane for each band (in the order given) so that bands sharing a day get different lanes.

    Longer and earlier bands take the lower lanes, which keeps the picture steady as days pass.
    """
    order = sorted(range(len(bands)), key=lambda i: (bands[i].first, -_length(bands[i])))
    lane_ends: list[date] = []
    lanes = [0] * len(bands)
    for i in order:
        band = bands[i]
        lane = next((n for n, end in enumerate(lane_ends) if end < band.first), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(band.last)
        else:
            lane_ends[lane] = band.last
        lanes[i] = lane
    return lanes


def _length(band: CampaignBand) -> int:
    return (band.last - band.first).days


def band_tooltip(band: CampaignBand) -> str:
    c = band.campaign
    start = short_date(c.starts_on) if c.starts_on else "no start date"
    end = short_date(c.ends_on) if c.ends_on else "no end date"
    lines = [f"<b>{_escape(c.name)}</b>", f"{start} – {end}"]
    if c.objective:
        lines.append(f"Objective: {_escape(c.objective)}")
    return "<br>".join(lines)


def bands_description(bands: Sequence[CampaignBand]) -> str:
    """What a screen reader hears about the bands shown: each campaign and its dates."""
    if not bands:
        return ""
    parts = [
        f"{b.campaign.name} ({short_date(b.first, year=False)} to {short_date(b.last, year=False)})"
        for b in bands
    ]
    return "Campaigns shown: " + "; ".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_color(fill: QColor) -> QColor:
    """Black or white, whichever reads better on ``fill``."""
    luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF()
    return QColor("#1f1f1f") if luminance > 0.6 else QColor("#ffffff")


@dataclass(frozen=True, slots=True)
class PlacedBand:
    """One painted piece of a band (a week row of the month, or the week strip)."""

    band: CampaignBand
    rect: QRect
    round_left: bool
    round_right: bool


def paint_band(painter: QPainter, piece: PlacedBand, font: QFont) -> None:
    """A filled bar with the campaign's name, rounded only where the campaign starts or ends."""
    fill = QColor(piece.band.campaign.color or "#8e44ad")
    if not fill.isValid():
        fill = QColor("#8e44ad")
    rect = QRectF(piece.rect)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, BAND_RADIUS, BAND_RADIUS)
    # Square off the ends that continue beyond this piece.
    half = min(BAND_RADIUS, rect.width() / 2)
    if not piece.round_left:
        painter.drawRect(QRectF(rect.left(), rect.top(), half, rect.height()))
    if not piece.round_right:
        painter.drawRect(QRectF(rect.right() - half, rect.top(), half, rect.height()))
    painter.setFont(chip_font(font))
    painter.setPen(text_color(fill))
    text_rect = piece.rect.adjusted(6 if piece.round_left else 3, 0, -4, 0)
    name = piece.band.campaign.name
    elided = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, text_rect.width())
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
    painter.restore()


# --- the month grid ------------------------------------------------------------------------------


class MonthBands(QObject):
    """The bands of a month grid: lanes per week row, the space they take, painting, tooltips.

    Install with ``MonthBands(grid)``; the grid calls :meth:`space_on` when it lays out a cell's
    chips and :meth:`paint` from its overlay.
    """

    def __init__(self, grid: QTableView) -> None:
        super().__init__(grid)
        self._grid = grid
        self._bands: tuple[CampaignBand, ...] = ()
        self._lanes: list[int] = []
        self._row_lanes: dict[date, int] = {}  # day -> lanes its week row reserves
        self._key: tuple[tuple[CampaignBand, ...], date | None] = ((), None)
        self._height_for: tuple[QFont, int] | None = None
        self._placed: tuple[tuple[QSize, QFont], list[PlacedBand]] | None = None
        grid.viewport().installEventFilter(self)

    @property
    def bands(self) -> tuple[CampaignBand, ...]:
        return self._bands

    def set_bands(self, bands: Sequence[CampaignBand]) -> None:
        """Show ``bands``; each week row reserves as many lanes as it needs.

        Unchanged bands on the same days change nothing: a reload after a drop repaints only
        the cells it must, and a full repaint of the grid would cost more than the drop.
        """
        rows = self._rows()
        key = (tuple(bands), rows[0][0] if rows else None)
        if key == self._key:
            return
        self._key = key
        self._placed = None
        self._bands = tuple(bands)
        self._lanes = assign_lanes(self._bands)
        self._row_lanes = {}
        for row_days in rows:
            used = [
                lane
                for band, lane in zip(self._bands, self._lanes, strict=True)
                if band.first <= row_days[-1] and band.last >= row_days[0]
            ]
            for day in row_days:
                self._row_lanes[day] = max(used) + 1 if used else 0
        self._grid.setAccessibleDescription(bands_description(self._bands))
        self._grid.viewport().update()

    def lanes_on(self, day: date | None) -> int:
        return self._row_lanes.get(day, 0) if day is not None else 0

    def space_on(self, day: date | None) -> int:
        """Pixels the bands take at the top of ``day``'s chip area (0 when none runs that week)."""
        lanes = self.lanes_on(day)
        return lanes * (self._lane_height() + LANE_GAP) if lanes else 0

    def _lane_height(self) -> int:
        # Asked for every cell painted: the font metrics are measured once per font.
        font = self._grid.font()
        if self._height_for is None or self._height_for[0] != font:
            self._height_for = (QFont(font), lane_height(font))
        return self._height_for[1]

    def placed(self) -> list[PlacedBand]:
        """Every band piece with its rectangle in the viewport, one per week row it crosses.

        Kept until the bands or the grid's size change: every paint of the grid (a selection,
        a drag over it) asks for them.
        """
        size = (self._grid.viewport().size(), self._grid.font())
        if self._placed is None or self._placed[0] != size:
            self._placed = (size, self._place())
        return self._placed[1]

    def _place(self) -> list[PlacedBand]:
        model = self._grid.model()
        pieces: list[PlacedBand] = []
        height = self._lane_height()
        for row, row_days in enumerate(self._rows()):
            top = 0
            for band, lane in zip(self._bands, self._lanes, strict=True):
                lo, hi = max(band.first, row_days[0]), min(band.last, row_days[-1])
                if lo > hi:
                    continue
                left = self._grid.visualRect(model.index(row, row_days.index(lo)))
                right = self._grid.visualRect(model.index(row, row_days.index(hi)))
                top = top or header_rect(left, self._grid.font()).bottom() + 4
                rect = QRect(
                    left.left() + PADDING,
                    top + lane * (height + LANE_GAP),
                    right.right() - PADDING - left.left() - PADDING,
                    height,
                )
                starts = lo == band.first and not band.open_start and lo == band.campaign.starts_on
                ends = hi == band.last and not band.open_end and hi == band.campaign.ends_on
                pieces.append(PlacedBand(band, rect, starts, ends))
        return pieces

    def band_at(self, pos: QPoint) -> CampaignBand | None:
        return next((p.band for p in self.placed() if p.rect.contains(pos)), None)

    def paint(self, painter: QPainter) -> None:
        font = self._grid.font()
        for piece in self.placed():
            paint_band(painter, piece, font)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            band = self.band_at(event.pos())
            if band is not None:
                QToolTip.showText(event.globalPos(), band_tooltip(band), self._grid.viewport())
                return True
        return super().eventFilter(watched, event)

    def _rows(self) -> list[list[date]]:
        """The days of each week row of the grid, left to right."""
        model = self._grid.model()
        rows: list[list[date]] = []
        for row in range(model.rowCount()):
            days = [
                model.index(row, col).data(CalendarRole.DATE) for col in range(model.columnCount())
            ]
            if days and all(isinstance(d, date) for d in days):
                rows.append(days)
        return rows


# --- the week and day grids ----------------------------------------------------------------------


class BandHeader(QHeaderView):
    """The time grid's day names with a strip of campaign bands under them.

    The strip is as tall as the lanes the shown bands need (nothing when no campaign runs).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setAccessibleName("Days and campaigns")
        self._bands: tuple[CampaignBand, ...] = ()
        self._lanes: list[int] = []

    @property
    def bands(self) -> tuple[CampaignBand, ...]:
        return self._bands

    def set_bands(self, bands: Sequence[CampaignBand]) -> None:
        if tuple(bands) == self._bands:
            return  # no relayout or repaint of the header for the same bands
        self._bands = tuple(bands)
        self._lanes = assign_lanes(self._bands)
        self.setAccessibleDescription(bands_description(self._bands))
        self.updateGeometry()
        parent = self.parentWidget()
        if isinstance(parent, QTableView):
            parent.updateGeometries()  # the table re-reads the header's height
        self.viewport().update()

    def strip_height(self) -> int:
        lanes = max(self._lanes) + 1 if self._lanes else 0
        return lanes * (lane_height(self.font()) + LANE_GAP) + LANE_GAP if lanes else 0

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setHeight(hint.height() + self.strip_height())
        return hint

    def paintSection(self, painter: QPainter, rect: QRect, logical_index: int) -> None:
        # The day name keeps its usual place; the strip below it belongs to the bands.
        super().paintSection(painter, rect.adjusted(0, 0, 0, -self.strip_height()), logical_index)

    def placed(self) -> list[PlacedBand]:
        model = self.model()
        if model is None or not self._bands:
            return []
        days = {
            model.headerData(c, Qt.Orientation.Horizontal, CalendarRole.DATE): c
            for c in range(model.columnCount())
        }
        shown = sorted(d for d in days if isinstance(d, date))
        if not shown:
            return []
        height = lane_height(self.font())
        top = self.height() - self.strip_height() + LANE_GAP
        pieces: list[PlacedBand] = []
        for band, lane in zip(self._bands, self._lanes, strict=True):
            lo, hi = max(band.first, shown[0]), min(band.last, shown[-1])
            if lo > hi:
                continue
            first, last = days[lo], days[hi]
            x1 = self.sectionViewportPosition(first) + 2
            x2 = self.sectionViewportPosition(last) + self.sectionSize(last) - 3
            rect = QRect(x1, top + lane * (height + LANE_GAP), x2 - x1, height)
            starts = lo == band.campaign.starts_on
            ends = hi == band.campaign.ends_on
            pieces.append(PlacedBand(band, rect, starts, ends))
        return pieces

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._bands:
            return
        painter = QPainter(self.viewport())
        for piece in self.placed():
            paint_band(painter, piece, self.font())
        painter.end()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            band = next((p.band for p in self.placed() if p.rect.contains(event.pos())), None)
            if band is not None:
                QToolTip.showText(event.globalPos(), band_tooltip(band), self.viewport())
                return True
        return super().viewportEvent(event)


def show_bands(grid: QTableView, bands: Sequence[CampaignBand]) -> None:
    """Hand ``bands`` to a month grid's :class:`MonthBands` or a time grid's :class:`BandHeader`."""
    header = grid.horizontalHeader()
    if isinstance(header, BandHeader):
        header.set_bands(bands)
    holder = getattr(grid, "bands", None)
    if isinstance(holder, MonthBands):
        holder.set_bands(bands)
