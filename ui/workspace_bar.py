"""Small pieces of the window's chrome: workspace colour swatches and the status summary text."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from cmdesk.status import PostStatus
from ui.delegates.day_cell import STATUS_COLORS

#: The order of the status-bar summary: what needs attention first, then the plan's flow.
SUMMARY_ORDER = (
    PostStatus.FAILED,
    PostStatus.MISSED,
    PostStatus.SCHEDULED,
    PostStatus.APPROVED,
    PostStatus.IN_REVIEW,
    PostStatus.DRAFT,
    PostStatus.IDEA,
    PostStatus.PUBLISHED,
)
_PLURALS = {PostStatus.IDEA: "ideas", PostStatus.DRAFT: "drafts"}


def status_phrase(status: PostStatus, count: int) -> str:
    """A count and its status in words: 3 drafts, 1 idea, 12 scheduled."""
    word = _PLURALS[status] if count != 1 and status in _PLURALS else status.label.lower()
    return f"{count} {word}"


def status_summary(counts: Mapping[PostStatus, int]) -> str:
    """The non-zero counts, e.g. "1 failed · 1 missed · 12 scheduled", or "No posts yet"."""
    parts = [status_phrase(s, counts.get(s, 0)) for s in SUMMARY_ORDER if counts.get(s, 0)]
    return " · ".join(parts) if parts else "No posts yet"


def summary_html(counts: Mapping[PostStatus, int]) -> str:
    """The same summary with a coloured dot per status, for a rich-text label."""
    parts = [
        f'<span style="color:{STATUS_COLORS[s]}">●</span>&nbsp;{status_phrase(s, counts[s])}'
        for s in SUMMARY_ORDER
        if counts.get(s, 0)
    ]
    return "&nbsp;&nbsp;&nbsp;".join(parts) if parts else status_summary(counts)


def color_dot(color: str, size: int = 12) -> QIcon:
    """A round swatch, for the workspace switcher."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)
