"""The community manager's routine: recurring tasks, check-offs per period, history, reminders.

Tasks belong to a workspace and repeat daily, weekly (on a weekday) or monthly (on a day); each is
done at most once per period (``cmdesk/planning/routine_periods.py``: periods are counted in the
workspace's zone, weeks from its ``week_start``). A workspace gets the profession's default tasks
once, the first time its routine is read through :meth:`RoutineService.ensure_defaults` (the
Routine page and ``cmdesk routine`` call it), so removing them all does not bring them back.

Reminders: a task with ``remind_at`` is announced once per period, on the first look after that
wall-clock time on a day it is due (or later in its period while it stays undone).
:meth:`RoutineService.claim_reminders` marks what it hands out in one ``app_setting`` row, in the
same locked transaction, so the window and the daemon never both remind of one task and period.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.models import AppSetting, RoutineCompletion, RoutineTask, Workspace
from cmdesk.planning import routine_periods as rp
from cmdesk.planning.routine_dto import (
    CellState,
    Checklist,
    ChecklistItem,
    History,
    HistoryCell,
    HistoryRow,
    ReminderDue,
    RoutineTaskDTO,
    RoutineTaskInput,
)
from cmdesk.planning.routine_templates import (
    ACTIONS,
    BY_KEY,
    CUSTOM_PREFIX,
    DEFAULT_KEYS,
    TEMPLATES,
    RoutineTemplate,
    action_of,
)
from cmdesk.services.base import Service
from cmdesk.services.workspaces import check_hhmm
from cmdesk.timeutil import at_wall_time, utc_to_local

SEEDED_KEY = "routine_seeded"
REMINDED_KEY = "routine_reminded"
#: How many reminded (task, period) pairs are remembered; older ones can never be due again.
REMINDED_MEMORY = 500
_CADENCE_ORDER = {"daily": 0, "weekly": 1, "monthly": 2, "custom": 3}
MAX_TITLE = 200
MAX_DESCRIPTION = 4000


def _period_cadence(cadence: str) -> str:
    return cadence if cadence in ("weekly", "monthly") else "daily"


def _to_dto(t: RoutineTask) -> RoutineTaskDTO:
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


def _locked_setting(s: Session, key: str, default: str) -> AppSetting:
    _insert_ignore(s, key, default)
    return s.scalars(select(AppSetting).where(AppSetting.key == key).with_for_update()).one()


def _json_list(value: object) -> list[str]:
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


class RoutineService(Service):
    """Recurring tasks of a workspace, their check-offs, history and reminders."""

    # --- reading -------------------------------------------------------------------------------

    def templates(self) -> tuple[RoutineTemplate, ...]:
        return TEMPLATES

    def today(self, workspace_id: int) -> date:
        """The current day in the workspace's zone."""
        with self._read() as s:
            ws = repo.get_workspace(s, workspace_id)
            return utc_to_local(self.clock.now(), ws.timezone).date()

    def tasks(self, workspace_id: int, *, active_only: bool = False) -> list[RoutineTaskDTO]:
        with self._read() as s:
            repo.get_workspace(s, workspace_id)
            return [_to_dto(t) for t in self._tasks(s, workspace_id, active_only=active_only)]

    def get(self, task_id: int) -> RoutineTaskDTO:
        with self._read() as s:
            return _to_dto(self._task(s, task_id))

    def checklist(self, workspace_id: int, view: str, *, day: date | None = None) -> Checklist:
        """The tasks of one view of the Routine page.

        ``view`` is "today" (what is due today, and undone weekly or monthly tasks already due),
        "week" (the weekly tasks) or "month" (the monthly ones).
        """
        if view not in ("today", "week", "month"):
            raise ValidationError(f"Unknown routine view {view!r}.")
        with self._read() as s:
            ws = repo.get_workspace(s, workspace_id)
            today = day or utc_to_local(self.clock.now(), ws.timezone).date()
            items = self._items(s, ws, today)
        if view == "week":
            chosen = [i for i in items if i.task.cadence == "weekly"]
            title = "This week"
        elif view == "month":
            chosen = [i for i in items if i.task.cadence == "monthly"]
            title = "This month"
        else:
            chosen = [i for i in items if i.due_on == today or (i.overdue and not i.done)]
            title = "Today"
        return Checklist(workspace_id, today, title, tuple(chosen))

    def history(
        self, workspace_id: int, cadence: str, *, count: int = 12, day: date | None = None
    ) -> History:
        """Each task of ``cadence`` against its last ``count`` periods, missed ones marked."""
        if cadence not in ("daily", "weekly", "monthly"):
            raise ValidationError(f"Unknown cadence {cadence!r}.")
        with self._read() as s:
            ws = repo.get_workspace(s, workspace_id)
            today = day or utc_to_local(self.clock.now(), ws.timezone).date()
            periods = list(reversed(rp.previous_periods(cadence, today, count, ws.week_start)))
            tasks = [
                t
                for t in self._tasks(s, workspace_id, active_only=False)
                if _period_cadence(t.cadence) == cadence
            ]
            done = self._completions(s, [t.id for t in tasks], [p.key for p in periods])
        rows = tuple(
            HistoryRow(_to_dto(t), tuple(self._cell(t, p, today, done) for p in periods))
            for t in tasks
        )
        return History(cadence, tuple(p.key for p in periods), rows)

    # --- changing tasks ------------------------------------------------------------------------

    def ensure_defaults(self, workspace_id: int) -> ChangeSet:
        """Give the workspace the default tasks, once in its life; later calls change nothing."""
        with self._write() as s:
            ws = repo.get_workspace(s, workspace_id)
            row = _locked_setting(s, SEEDED_KEY, "")
            seeded = {int(x) for x in str(row.value or "").split(",") if x.strip().isdigit()}
            if workspace_id in seeded:
                return ChangeSet()
            row.value = ",".join(str(x) for x in sorted(seeded | {workspace_id}))
            created = self._add_templates(s, ws, DEFAULT_KEYS)
        return self._emit(
            ChangeSet.of(created=[("routine_task", i) for i in created], description="routine")
        )

    def add_templates(self, workspace_id: int, keys: Sequence[str]) -> ChangeSet:
        """Add tasks from the profession's templates; ones already in the routine are skipped."""
        unknown = [k for k in keys if k not in BY_KEY]
        if unknown:
            raise ValidationError(f"Unknown routine template {unknown[0]!r}.")
        with self._write() as s:
            ws = repo.get_workspace(s, workspace_id)
            created = self._add_templates(s, ws, keys)
            if keys and not created:
                raise ValidationError("Those tasks are already in this workspace's routine.")
        return self._emit(
            ChangeSet.of(created=[("routine_task", i) for i in created], description="routine")
        )

    def add_task(self, workspace_id: int, data: RoutineTaskInput) -> ChangeSet:
        title, description, rule = check_input(data)
        with self._write() as s:
            ws = repo.get_workspace(s, workspace_id)
            since = self._start_day(ws)
            task = RoutineTask(
                workspace_id=ws.id,
                title=title,
                description=description,
                cadence=data.cadence,
                rrule=rp.with_start(rule, since),
                position=self._next_position(s, ws.id),
                is_active=data.is_active,
                remind_at=data.remind_at,
                template_key=f"{CUSTOM_PREFIX}{data.action}" if data.action else None,
            )
            s.add(task)
            s.flush()
            tid = task.id
        return self._emit(
            ChangeSet.of(created=[("routine_task", tid)], description="routine", subject=tid)
        )

    def update_task(self, task_id: int, data: RoutineTaskInput) -> ChangeSet:
        """Change a task; its start day (for the history) and its template stay."""
        title, description, rule = check_input(data)
        with self._write() as s:
            task = self._task(s, task_id)
            since = rp.rule_start(task.rrule) or self._today(s, task.workspace_id)
            task.title = title
            task.description = description
            task.cadence = data.cadence
            task.rrule = rp.with_start(rule, since)
            task.remind_at = data.remind_at
            task.is_active = data.is_active
            if task.template_key in BY_KEY and BY_KEY[task.template_key].action == data.action:
                pass  # still the template's own action: keep where it came from
            else:
                task.template_key = f"{CUSTOM_PREFIX}{data.action}" if data.action else None
        return self._emit(ChangeSet.of(updated=[("routine_task", task_id)], description="routine"))

    def remove_task(self, task_id: int) -> ChangeSet:
        """Remove a task and its history."""
        with self._write() as s:
            s.delete(self._task(s, task_id))
        return self._emit(ChangeSet.of(deleted=[("routine_task", task_id)], description="routine"))

    def move_task(self, task_id: int, offset: int) -> ChangeSet:
        """Move a task up (-1) or down (+1) among the tasks of its cadence."""
        with self._write() as s:
            task = self._task(s, task_id)
            same = [
                t
                for t in self._tasks(s, task.workspace_id, active_only=False)
                if t.cadence == task.cadence
            ]
            index = same.index(task)
            target = max(0, min(len(same) - 1, index + offset))
            if target == index:
                return ChangeSet()
            same.insert(target, same.pop(index))
            positions = sorted(t.position for t in same)
            if len(set(positions)) < len(positions):
                positions = list(range(positions[0], positions[0] + len(same)))
            for t, pos in zip(same, positions, strict=True):
                t.position = pos
            ids = [t.id for t in same]
        return self._emit(ChangeSet.of(updated=[("routine_task", i) for i in ids]))

    # --- checking off --------------------------------------------------------------------------

    def set_done(
        self, task_id: int, done: bool = True, *, note: str = "", day: date | None = None
    ) -> ChangeSet:
        """Check a task off (or un-check it) for the period that holds ``day`` (default today)."""
        if len(note) > MAX_DESCRIPTION:
            raise ValidationError(f"A note has at most {MAX_DESCRIPTION} characters.")
        with self._write() as s:
            task = self._task(s, task_id)
            ws = repo.get_workspace(s, task.workspace_id)
            local = day or utc_to_local(self.clock.now(), ws.timezone).date()
            key = rp.period_of(_period_cadence(task.cadence), local, ws.week_start).key
            row = s.scalars(
                select(RoutineCompletion).where(
                    RoutineCompletion.task_id == task_id, RoutineCompletion.period == key
                )
            ).first()
            if done and row is None:
                s.add(
                    RoutineCompletion(
                        task_id=task_id, period=key, done_at=self.clock.now(), note=note.strip()
                    )
                )
            elif done and row is not None:
                row.note = note.strip()
            elif row is not None:
                s.delete(row)
        verb = "done" if done else "not done"
        return self._emit(
            ChangeSet.of(updated=[("routine_task", task_id)], description=f"routine: {verb}")
        )

    # --- reminders -----------------------------------------------------------------------------

    def claim_reminders(self, *, older_than: timedelta = timedelta(0)) -> list[ReminderDue]:
        """Tasks whose reminder is due and not yet given, marked as given; one transaction.

        ``older_than``: only reminders whose time passed at least that long ago (the daemon
        leaves the first minutes to an open window, whose notification opens the page).
        """
        now = self.clock.now()
        with self._write() as s:
            due = self._reminders_due(s, now - older_than)
            if not due:
                return []
            row = _locked_setting(s, REMINDED_KEY, "[]")
            given = _json_list(row.value)
            seen = set(given)
            fresh = [d for d in due if f"{d.task_id}@{d.period}" not in seen]
            if fresh:
                given.extend(f"{d.task_id}@{d.period}" for d in fresh)
                row.value = json.dumps(given[-REMINDED_MEMORY:])
        return fresh

    def release_reminders(self, items: Iterable[ReminderDue]) -> None:
        """Hand reminders back (they could not be shown): a later look gives them again."""
        drop = {f"{d.task_id}@{d.period}" for d in items}
        if not drop:
            return
        with self._write() as s:
            row = _locked_setting(s, REMINDED_KEY, "[]")
            row.value = json.dumps([k for k in _json_list(row.value) if k not in drop])

    # --- internals -----------------------------------------------------------------------------

    def _reminders_due(self, s: Session, now: datetime) -> list[ReminderDue]:
        query = (
            select(RoutineTask, Workspace)
            .join(Workspace, Workspace.id == RoutineTask.workspace_id)
            .where(RoutineTask.is_active.is_(True), RoutineTask.remind_at.is_not(None))
            .order_by(Workspace.id, RoutineTask.position, RoutineTask.id)
        )
        candidates: list[tuple[RoutineTask, Workspace, rp.Period, date]] = []
        for task, ws in s.execute(query).tuples():
            today = utc_to_local(now, ws.timezone).date()
            period = rp.period_of(_period_cadence(task.cadence), today, ws.week_start)
            due_on = next(iter(rp.due_days(task.rrule, period)), None)
            if due_on is None or due_on > today or (task.cadence == "daily" and due_on != today):
                continue
            hh, mm = (int(x) for x in (task.remind_at or "00:00").split(":"))
            if now >= at_wall_time(due_on, time(hh, mm), ws.timezone):
                candidates.append((task, ws, period, due_on))
        done = self._completions(
            s, [t.id for t, *_ in candidates], [p.key for _, _, p, _ in candidates]
        )
        return [
            ReminderDue(t.id, ws.id, ws.name, t.title, p.key, t.remind_at or "")
            for t, ws, p, _ in candidates
            if (t.id, p.key) not in done
        ]

    def _items(self, s: Session, ws: Workspace, today: date) -> list[ChecklistItem]:
        tasks = self._tasks(s, ws.id, active_only=True)
        periods = {
            t.id: rp.period_of(_period_cadence(t.cadence), today, ws.week_start) for t in tasks
        }
        done = self._completions(s, [t.id for t in tasks], list({p.key for p in periods.values()}))
        items = []
        for t in tasks:
            p = periods[t.id]
            due_on = next(iter(rp.due_days(t.rrule, p)), None)
            completion = done.get((t.id, p.key))
            items.append(
                ChecklistItem(
                    task=_to_dto(t),
                    period=p.key,
                    period_start=p.start,
                    period_end=p.end,
                    due_on=due_on,
                    done=completion is not None,
                    done_at=completion.done_at if completion else None,
                    note=completion.note if completion else "",
                    overdue=due_on is not None and due_on < today and completion is None,
                )
            )
        return items

    @staticmethod
    def _cell(
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

    @staticmethod
    def _completions(
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

    @staticmethod
    def _tasks(s: Session, workspace_id: int, *, active_only: bool) -> list[RoutineTask]:
        query = select(RoutineTask).where(RoutineTask.workspace_id == workspace_id)
        if active_only:
            query = query.where(RoutineTask.is_active.is_(True))
        rows = list(s.scalars(query))
        rows.sort(key=lambda t: (_CADENCE_ORDER.get(t.cadence, 9), t.position, t.id))
        return rows

    @staticmethod
    def _task(s: Session, task_id: int) -> RoutineTask:
        task = s.get(RoutineTask, task_id)
        if task is None:
            raise NotFoundError("That routine task no longer exists.")
        return task

    def _today(self, s: Session, workspace_id: int) -> date:
        ws = repo.get_workspace(s, workspace_id)
        return utc_to_local(self.clock.now(), ws.timezone).date()

    def _start_day(self, ws: Workspace) -> date:
        """Where a new task's history starts: the day it is added, in the workspace's zone.

        A weekly task due on Monday that is added on Tuesday is first due next Monday: a routine
        that starts with overdue tasks would greet the person with red (they can still check it
        off this week).
        """
        return utc_to_local(self.clock.now(), ws.timezone).date()

    @staticmethod
    def _next_position(s: Session, workspace_id: int) -> int:
        positions = s.scalars(
            select(RoutineTask.position).where(RoutineTask.workspace_id == workspace_id)
        )
        return max(positions, default=-1) + 1

    def _add_templates(self, s: Session, ws: Workspace, keys: Iterable[str]) -> list[int]:
        present = set(
            s.scalars(select(RoutineTask.template_key).where(RoutineTask.workspace_id == ws.id))
        )
        position = self._next_position(s, ws.id)
        made: list[RoutineTask] = []
        for key in dict.fromkeys(keys):
            if key in present:
                continue
            tpl = BY_KEY[key]
            made.append(
                RoutineTask(
                    workspace_id=ws.id,
                    title=tpl.title,
                    description=tpl.description,
                    cadence=tpl.cadence,
                    rrule=rp.with_start(tpl.rule, self._start_day(ws)),
                    position=position + len(made),
                    is_active=True,
                    remind_at=tpl.remind_at,
                    template_key=tpl.key,
                )
            )
        s.add_all(made)
        s.flush()
        return [t.id for t in made]


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
