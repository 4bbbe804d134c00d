"""The status bar: is publishing on, when the next post goes out, and what needs attention.

A community manager glances here in the morning: a green "Publishing" with the next post's time
means all is well; "Waiting for network" or "Paused" says why nothing goes out; "2 failed · 1 to
confirm" is a link to those posts. The texts are built by plain functions so they are tested
without painting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QToolButton, QWidget

from cmdesk.status import PostStatus
from cmdesk.timeutil import utc_to_local

OK_COLOR = "#1e8e3e"
WARN_COLOR = "#b06000"
OFF_COLOR = "#80868b"


class EngineStatusLike(Protocol):
    """What the status bar reads of ``PublishingEngine.status()``."""

    @property
    def running(self) -> bool: ...
    @property
    def paused(self) -> bool: ...
    @property
    def waiting_for_network(self) -> bool: ...
    @property
    def next_due(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Attention:
    """Posts that need the person: failed, missed, or sent-or-not that only they can settle."""

    failed: int = 0
    missed: int = 0
    to_confirm: int = 0

    @property
    def total(self) -> int:
        return self.failed + self.missed + self.to_confirm


def engine_text(status: EngineStatusLike | None) -> tuple[str, str]:
    """The engine's state in words, and its colour."""
    if status is None or not status.running:
        return "Publishing off in this window", OFF_COLOR
    if status.paused:
        return "Publishing paused", WARN_COLOR
    if status.waiting_for_network:
        return "Waiting for network", WARN_COLOR
    return "Publishing", OK_COLOR


def next_due_text(next_due: datetime | None, now: datetime, time_zone: str) -> str:
    """When the next post goes out, in the workspace's zone: "Next post 14:30", "... tomorrow"."""
    if next_due is None:
        return "No post queued"
    local = utc_to_local(next_due, time_zone)
    today = utc_to_local(now, time_zone).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"Next post at {clock}" if next_due > now else "Next post due now"
    if local.date() == today + timedelta(days=1):
        return f"Next post tomorrow at {clock}"
    if local.date() < today + timedelta(days=7):
        return f"Next post {local.strftime('%A')} at {clock}"
    return f"Next post {local.strftime('%d %b')} at {clock}"


def attention_text(attention: Attention) -> str:
    """The words for what needs attention ("2 failed · 1 to confirm"); empty if nothing."""
    parts = [
        f"{attention.failed} failed" if attention.failed else "",
        f"{attention.missed} missed" if attention.missed else "",
        f"{attention.to_confirm} to confirm" if attention.to_confirm else "",
    ]
    return " · ".join(p for p in parts if p)


def attention_from_counts(counts: Mapping[PostStatus, int], to_confirm: int) -> Attention:
    return Attention(counts.get(PostStatus.FAILED, 0), counts.get(PostStatus.MISSED, 0), to_confirm)


class SchedulerStatus(QWidget):
    """The left part of the status bar: engine state, next post, and the attention link.

    Signals:
        attention_clicked(): the person wants to see the failed, missed and to-confirm posts.
    """

    attention_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(14)
        self.engine_label = QLabel()
        self.engine_label.setObjectName("engineState")
        self.engine_label.setAccessibleName("Publishing state")
        self.next_label = QLabel()
        self.next_label.setObjectName("nextDue")
        self.next_label.setAccessibleName("Next post due")
        self.attention_button = QToolButton()
        self.attention_button.setObjectName("attentionLink")
        self.attention_button.setAccessibleName("Posts that need attention")
        self.attention_button.setToolTip(
            "Show the posts that failed, were missed or need a decision"
        )
        self.attention_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.attention_button.setAutoRaise(True)
        self.attention_button.clicked.connect(self.attention_clicked)
        self.attention_button.hide()
        for widget in (self.engine_label, self.next_label, self.attention_button):
            layout.addWidget(widget)

    def show_state(
        self,
        status: EngineStatusLike | None,
        attention: Attention,
        now: datetime,
        time_zone: str,
    ) -> None:
        text, color = engine_text(status)
        self.engine_label.setText(f'<span style="color:{color}">●</span>&nbsp;{text}')
        self.engine_label.setAccessibleDescription(text)
        next_due = status.next_due if status is not None else None
        self.next_label.setText(next_due_text(next_due, now, time_zone))
        self.next_label.setVisible(status is not None and status.running)
        words = attention_text(attention)
        self.attention_button.setText(f"⚠ {words}" if words else "")
        self.attention_button.setAccessibleDescription(words)
        self.attention_button.setVisible(bool(words))


def install(status_bar: QStatusBar, widget: SchedulerStatus, summary: QLabel) -> None:
    """Place the scheduler state and the status summary on the right, always visible.

    Both are permanent widgets, so the short messages after an action ("Move of 'Launch
    teaser'") take the left part without hiding whether publishing is on.
    """
    status_bar.setSizeGripEnabled(False)
    status_bar.addPermanentWidget(widget)
    status_bar.addPermanentWidget(summary)
