"""The status bar's words: engine state, the next post in the workspace's zone, what needs attention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from cmdesk.status import PostStatus
from ui.status_bar import (
    OK_COLOR,
    WARN_COLOR,
    Attention,
    SchedulerStatus,
    attention_from_counts,
    attention_text,
    engine_text,
    next_due_text,
)

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)  # a Friday, 11:00 in Madrid


@dataclass
class Status:
    running: bool = True
    paused: bool = False
    waiting_for_network: bool = False
    next_due: datetime | None = None


def test_engine_state_in_words() -> None:
    assert engine_text(Status()) == ("Publishing", OK_COLOR)
    assert engine_text(Status(paused=True)) == ("Publishing paused", WARN_COLOR)
    assert engine_text(Status(waiting_for_network=True)) == ("Waiting for network", WARN_COLOR)
    assert engine_text(Status(running=False))[0] == "Publishing off in this window"
    assert engine_text(None)[0] == "Publishing off in this window"


def test_next_post_is_told_in_the_workspace_zone() -> None:
    madrid = "Europe/Madrid"
    assert next_due_text(None, NOW, madrid) == "No post queued"
    assert next_due_text(datetime(2026, 3, 20, 13, 30, tzinfo=UTC), NOW, madrid) == (
        "Next post at 14:30"
    )
    # 23:30 UTC is already Saturday in Madrid.
    assert next_due_text(datetime(2026, 3, 20, 23, 30, tzinfo=UTC), NOW, madrid) == (
        "Next post tomorrow at 00:30"
    )
    assert next_due_text(datetime(2026, 3, 24, 8, 0, tzinfo=UTC), NOW, madrid) == (
        "Next post Tuesday at 09:00"
    )
    assert next_due_text(datetime(2026, 4, 20, 8, 0, tzinfo=UTC), NOW, madrid) == (
        "Next post 20 Apr at 10:00"  # summer time by then
    )
    assert next_due_text(datetime(2026, 3, 20, 9, 0, tzinfo=UTC), NOW, madrid) == (
        "Next post due now"
    )


def test_attention_counts_and_words() -> None:
    counts = {PostStatus.FAILED: 2, PostStatus.MISSED: 0, PostStatus.SCHEDULED: 9}
    attention = attention_from_counts(counts, to_confirm=1)
    assert attention == Attention(failed=2, missed=0, to_confirm=1)
    assert attention.total == 3
    assert attention_text(attention) == "2 failed · 1 to confirm"
    assert attention_text(Attention()) == ""


def test_widget_shows_the_link_only_when_something_needs_attention(qtbot: QtBot) -> None:
    widget = SchedulerStatus()
    qtbot.addWidget(widget)
    widget.show()
    widget.show_state(Status(), Attention(), NOW, "UTC")
    assert not widget.attention_button.isVisible()
    assert widget.engine_label.accessibleDescription() == "Publishing"
    widget.show_state(Status(waiting_for_network=True), Attention(missed=1), NOW, "UTC")
    assert widget.attention_button.isVisible()
    assert widget.attention_button.accessibleDescription() == "1 missed"
    with qtbot.waitSignal(widget.attention_clicked, timeout=1000):
        widget.attention_button.click()
