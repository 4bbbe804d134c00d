"""What the routine service hands out: tasks, checklists, history and reminders (frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class RoutineTaskInput:
    """A task as typed in a form.

    ``weekday`` for weekly, ``month_day`` for monthly tasks; ``weekdays`` narrows a daily task
    (empty: every day).
    """

    title: str
    description: str = ""
    cadence: str = "daily"
    weekday: int | None = None
    month_day: int | None = None
    weekdays: tuple[int, ...] = ()
    remind_at: str | None = None
    action: str | None = None
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class RoutineTaskDTO:
    """A task of a workspace's routine."""

    id: int
    workspace_id: int
    title: str
    description: str
    cadence: str
    rule: str
    schedule: str  #: "every day", "Mondays", "on day 1"
    position: int
    is_active: bool
    remind_at: str | None
    template_key: str | None
    action: str | None
    weekday: int | None
    month_day: int | None
    weekdays: tuple[int, ...]
    since: date | None


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One task in the current period: when it is due, and whether and when it was done."""

    task: RoutineTaskDTO
    period: str
    period_start: date
    period_end: date  #: last day plus one
    due_on: date | None  #: None when the rule skips this period
    done: bool
    done_at: datetime | None
    note: str
    overdue: bool  #: due on an earlier day of this period and still not done


@dataclass(frozen=True, slots=True)
class Checklist:
    """A list of tasks for one view (today, this week, this month), with its progress."""

    workspace_id: int
    today: date
    title: str
    items: tuple[ChecklistItem, ...]

    @property
    def done_count(self) -> int:
        return sum(1 for i in self.items if i.done)

    @property
    def total(self) -> int:
        return len(self.items)


class CellState(StrEnum):
    """What happened to a task in one period of the history."""

    DONE = "done"
    MISSED = "missed"  #: due in a period that is over, never done
    OPEN = "open"  #: the current period, not done yet
    NOT_DUE = "not_due"  #: the rule skipped this period
    BEFORE = "before"  #: before the task was added


@dataclass(frozen=True, slots=True)
class HistoryCell:
    """One task in one period of the history."""

    period: str
    start: date
    state: CellState
    done_at: datetime | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One task's history."""

    task: RoutineTaskDTO
    cells: tuple[HistoryCell, ...]  #: oldest first, one per column of ``History.periods``


@dataclass(frozen=True, slots=True)
class History:
    """Tasks of one cadence against their last periods (oldest first)."""

    cadence: str
    periods: tuple[str, ...]
    rows: tuple[HistoryRow, ...]


@dataclass(frozen=True, slots=True)
class ReminderDue:
    """A task whose reminder time has come today and that is still not done."""

    task_id: int
    workspace_id: int
    workspace_name: str
    title: str
    period: str
    remind_at: str
