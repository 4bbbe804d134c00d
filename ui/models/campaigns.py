"""The campaigns of a workspace and its pillars or tags, as list models for the Campaigns page.

Both models hold DTOs only (:class:`~cmdesk.campaigns.dto.CampaignStats`,
:class:`~cmdesk.campaigns.dto.LabelStats`); the page asks ``ctx.campaigns`` and hands the rows
over. Display text, tooltips, accessible text and a colour swatch come from the models, so a
screen reader hears what the card delegate paints.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from cmdesk.campaigns.dto import CampaignStats, LabelStats
from cmdesk.dto import CampaignDTO

_Index = QModelIndex | QPersistentModelIndex


class CampaignRole(IntEnum):
    """Data roles of :class:`CampaignListModel` and :class:`LabelListModel`, beyond Qt's own."""

    ID = Qt.ItemDataRole.UserRole + 1  # int: the campaign's or label's id
    STATS = Qt.ItemDataRole.UserRole + 2  # CampaignStats or LabelStats
    DATES = Qt.ItemDataRole.UserRole + 3  # str: "16 Nov – 26 Dec 2026"
    PHASE = Qt.ItemDataRole.UserRole + 4  # str: "Running · 32 days left", "Upcoming", ...
    PROGRESS = Qt.ItemDataRole.UserRole + 5  # str: "8 of 27 published · 12 scheduled"


def short_date(day: date, *, year: bool = True) -> str:
    """E.g. "3 Mar 2026" in the user's language (``year=False``: "3 Mar")."""
    return QLocale().toString(
        QDate(day.year, day.month, day.day), "d MMM yyyy" if year else "d MMM"
    )


def date_range(c: CampaignDTO) -> str:
    """E.g. "16 Nov – 26 Dec 2026", "From 3 Mar 2026", "No dates"."""
    start, end = c.starts_on, c.ends_on
    if start and end:
        return f"{short_date(start, year=start.year != end.year)} – {short_date(end)}"
    if start:
        return f"From {short_date(start)}"
    if end:
        return f"Until {short_date(end)}"
    return "No dates"


def phase(c: CampaignDTO, today: date) -> str:
    """Where the campaign stands on ``today``: upcoming, running (and days left) or ended."""
    if c.starts_on and today < c.starts_on:
        days = (c.starts_on - today).days
        return f"Starts in {days} day{'s' if days != 1 else ''}"
    if c.ends_on and today > c.ends_on:
        return "Ended"
    if c.ends_on:
        left = (c.ends_on - today).days
        return "Last day" if left == 0 else f"Running · {left} day{'s' if left != 1 else ''} left"
    return "Running" if c.starts_on else "Not dated"


def progress_text(s: CampaignStats) -> str:
    if not s.posts:
        return "No posts yet"
    return f"{s.published} of {s.posts} published · {s.scheduled} scheduled"


class CampaignListModel(QAbstractListModel):
    """One row per campaign, in the order the service gives (newest start first)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CampaignStats] = []
        self._today = date.today()

    def set_rows(self, rows: Sequence[CampaignStats], today: date) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._today = today
        self.endResetModel()

    def rows(self) -> list[CampaignStats]:
        return list(self._rows)

    def row_of(self, campaign_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.campaign.id == campaign_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        for role in CampaignRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column():
            return None
        s = self._rows[index.row()]
        c = s.campaign
        values: dict[int, Any] = {
            Qt.ItemDataRole.DisplayRole: c.name,
            Qt.ItemDataRole.DecorationRole: QColor(c.color),
            CampaignRole.ID: c.id,
            CampaignRole.STATS: s,
            CampaignRole.DATES: date_range(c),
            CampaignRole.PHASE: phase(c, self._today),
            CampaignRole.PROGRESS: progress_text(s),
        }
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            parts = [c.name, date_range(c), phase(c, self._today), progress_text(s)]
            if c.objective:
                parts.append(f"Objective: {c.objective}")
            return ". ".join(parts)
        return values.get(role)


class LabelListModel(QAbstractListModel):
    """One row per pillar or tag, with its colour and how many posts carry it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LabelStats] = []

    def set_rows(self, rows: Sequence[LabelStats]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[LabelStats]:
        return list(self._rows)

    def row_of(self, tag_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.tag.id == tag_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names[int(CampaignRole.ID)] = QByteArray(b"id")
        names[int(CampaignRole.STATS)] = QByteArray(b"stats")
        return names

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column():
            return None
        s = self._rows[index.row()]
        count = f"{s.posts} post{'s' if s.posts != 1 else ''}"
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{s.tag.name}  ·  {count}"
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(s.tag.color)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            kind = "Pillar" if s.tag.kind == "pillar" else "Tag"
            return f"{kind} {s.tag.name}, {count}, colour {s.tag.color}"
        if role == CampaignRole.ID:
            return s.tag.id
        if role == CampaignRole.STATS:
            return s
        return None
