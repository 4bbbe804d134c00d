"""Queries and rules of the routine service on a given session (they never commit).

Turning rows into DTOs, checking a form's input, the ``app_setting`` rows that keep which
workspaces got their defaults and which reminders were given, which reminders are due, and one
history cell; plus the wording of a reminder notification.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.models import AppSetting, RoutineCompletion, RoutineTask, Workspace
from cmdesk.planning import routine_periods as rp
from cmdesk.planning.routine_dto import (
    CellState,
    HistoryCell,
    ReminderDue,
    RoutineTaskDTO,
    RoutineTaskInput,
)
from cmdesk.planning.routine_templates import ACTIONS, action_of
from cmdesk.services.workspaces import check_hhmm
from cmdesk.timeutil import at_wall_time, utc_to_local

SEEDED_KEY = "routine_seeded"
REMINDED_KEY = "routine_reminded"
#: How many reminded (task, period) pairs are remembered; older ones can never be due again.
REMINDED_MEMORY = 500
CADENCE_ORDER = {"daily": 0, "weekly": 1, "monthly": 2, "custom": 3}
MAX_TITLE = 200
MAX_DESCRIPTION = 4000


def period_cadence(cadence: str) -> str:
    return cadence if cadence in ("weekly", "monthly") else "daily"


def to_dto(t: RoutineTask) -> RoutineTaskDTO:
    weekday, month_day, weekdays = rp.rule_fields(t.rrule)
    return RoutineTaskDTO(
        id=t.id,
        workspace_id=t.workspace_id,
        title=t.title,
        description=t.description or "",
        cadence=t.cadence,
        rule=t.rrule,
        schedule=rp.describe_rule(t.cadence, t.rrule),
        position=t.position,
        is_active=t.is_active,
        remind_at=t.remind_at,
        template_key=t.template_key,
        action=action_of(t.template_key),
        weekday=weekday if t.cadence == "weekly" else None,
        month_day=month_day if t.cadence == "monthly" else None,
        weekdays=weekdays if t.cadence == "daily" else (),
        since=rp.rule_start(t.rrule),
    )


def _insert_ignore(s: Session, key: str, value: str) -> None:
    """Create the setting row unless another process just did (no error, no overwrite)."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    s.execute(
        insert(AppSetting)
        .values(key=key, value=value)
        .on_conflict_do_nothing(index_elements=["key"])
    )


def locked_setting(s: Session, key: str, default: str) -> AppSetting:
    _insert_ignore(s, key, default)
    return s.scalars(select(AppSetting).where(AppSetting.key == key).with_for_update()).one()


def id_set(value: object) -> set[int]:
    """The ids in a comma-separated setting value ("3,7,12")."""
    return {int(x) for x in str(value or "").split(",") if x.strip().isdigit()}


def json_list(value: object) -> list[str]:
    try:
        loaded = json.loads(str(value)) if value else []
    except ValueError:
        return []  # a damaged mark: reminding again beats never reminding
    return [str(v) for v in loaded] if isinstance(loaded, list) else []


def check_input(data: RoutineTaskInput) -> tuple[str, str, str]:
    """Title, description and rule of a form's input; ``ValidationError`` says what is wrong."""
    title = " ".join(data.title.split())
    if not title:
        raise ValidationError("A routine task needs a title.", field="title")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"A title has at most {MAX_TITLE} characters.", field="title")
    description = data.description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            f"A description has at most {MAX_DESCRIPTION} characters.", field="description"
        )
    if data.remind_at is not None:
        check_hhmm(data.remind_at, "remind_at")
    if data.action is not None and data.action not in ACTIONS:
        raise ValidationError(f"Unknown action {data.action!r}.", field="action")
    rule = rp.build_rule(
        data.cadence, weekday=data.weekday, month_day=data.month_day, weekdays=data.weekdays
    )
    return title, description, rule


def reminders_due(s: Session, now: datetime) -> list[ReminderDue]:
    query = (
        select(RoutineTask, Workspace)
        .join(Workspace, Workspace.id == RoutineTask.workspace_id)
        .where(RoutineTask.is_active.is_(True), RoutineTask.remind_at.is_not(None))
        .order_by(Workspace.id, RoutineTask.position, RoutineTask.id)
    )
    candidates: list[tuple[RoutineTask, Workspace, rp.Period, date]] = []
    for task, ws in s.execute(query).tuples():
        today = utc_to_local(now, ws.timezone).date()
        period = rp.period_of(period_cadence(task.cadence), today, ws.week_start)
        due_on = next(iter(rp.due_days(task.rrule, period)), None)
        if due_on is None or due_on > today or (task.cadence == "daily" and due_on != today):
            continue
        hh, mm = (int(x) for x in (task.remind_at or "00:00").split(":"))
        if now >= at_wall_time(due_on, time(hh, mm), ws.timezone):
            candidates.append((task, ws, period, due_on))
    done = completions(s, [t.id for t, *_ in candidates], [p.key for _, _, p, _ in candidates])
    return [
        ReminderDue(t.id, ws.id, ws.name, t.title, p.key, t.remind_at or "")
        for t, ws, p, _ in candidates
        if (t.id, p.key) not in done
    ]


def history_cell(
    t: RoutineTask,
    p: rp.Period,
    today: date,
    done: dict[tuple[int, str], RoutineCompletion],
) -> HistoryCell:
    completion = done.get((t.id, p.key))
    if completion is not None:
        return HistoryCell(p.key, p.start, CellState.DONE, completion.done_at, completion.note)
    since = rp.rule_start(t.rrule)
    if since is not None and p.last_day < since:
        return HistoryCell(p.key, p.start, CellState.BEFORE)
    due = [d for d in rp.due_days(t.rrule, p) if since is None or d >= since]
    if not due:
        return HistoryCell(p.key, p.start, CellState.NOT_DUE)
    if today in p:
        return HistoryCell(p.key, p.start, CellState.OPEN)
    return HistoryCell(p.key, p.start, CellState.MISSED)


def completions(
    s: Session, task_ids: Sequence[int], periods: Sequence[str]
) -> dict[tuple[int, str], RoutineCompletion]:
    if not task_ids or not periods:
        return {}
    rows = s.scalars(
        select(RoutineCompletion).where(
            RoutineCompletion.task_id.in_(set(task_ids)),
            RoutineCompletion.period.in_(set(periods)),
        )
    )
    return {(r.task_id, r.period or ""): r for r in rows}


def tasks_of(s: Session, workspace_id: int, *, active_only: bool) -> list[RoutineTask]:
    query = select(RoutineTask).where(RoutineTask.workspace_id == workspace_id)
    if active_only:
        query = query.where(RoutineTask.is_active.is_(True))
    rows = list(s.scalars(query))
    rows.sort(key=lambda t: (CADENCE_ORDER.get(t.cadence, 9), t.position, t.id))
    return rows


def get_task(s: Session, task_id: int) -> RoutineTask:
    task = s.get(RoutineTask, task_id)
    if task is None:
        raise NotFoundError("That routine task no longer exists.")
    return task


def next_position(s: Session, workspace_id: int) -> int:
    positions = s.scalars(
        select(RoutineTask.position).where(RoutineTask.workspace_id == workspace_id)
    )
    return max(positions, default=-1) + 1


def group_by_workspace(items: Iterable[ReminderDue]) -> dict[int, list[ReminderDue]]:
    out: dict[int, list[ReminderDue]] = defaultdict(list)
    for item in items:
        out[item.workspace_id].append(item)
    return dict(out)


def describe_reminders(items: Sequence[ReminderDue], *, limit: int = 3) -> tuple[str, str]:
    """Title and message of one reminder notification ("Routine: 2 tasks waiting", names)."""
    n = len(items)
    title = f"Routine: {n} task{'s' if n != 1 else ''} waiting"
    names = ", ".join(i.title for i in items[:limit])
    more = f" and {n - limit} more" if n > limit else ""
    workspaces = {i.workspace_name for i in items}
    where = f" ({next(iter(workspaces))})" if len(workspaces) == 1 else ""
    return title, f"{names}{more}{where}."
