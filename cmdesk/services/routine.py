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
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet
from cmdesk.models import AppSetting, RoutineCompletion, RoutineTask, Workspace
from cmdesk.planning import routine_periods as rp
from cmdesk.planning import routine_store as store
from cmdesk.planning.routine_dto import (
    Checklist,
    ChecklistItem,
    History,
    HistoryRow,
    ReminderDue,
    RoutineTaskDTO,
    RoutineTaskInput,
)
from cmdesk.planning.routine_templates import (
    BY_KEY,
    CUSTOM_PREFIX,
    DEFAULT_KEYS,
    TEMPLATES,
    RoutineTemplate,
)
from cmdesk.services.base import Service
from cmdesk.timeutil import utc_to_local


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
            return [
                store.to_dto(t) for t in store.tasks_of(s, workspace_id, active_only=active_only)
            ]

    def get(self, task_id: int) -> RoutineTaskDTO:
        with self._read() as s:
            return store.to_dto(store.get_task(s, task_id))

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
                for t in store.tasks_of(s, workspace_id, active_only=False)
                if store.period_cadence(t.cadence) == cadence
            ]
            done = store.completions(s, [t.id for t in tasks], [p.key for p in periods])
        rows = tuple(
            HistoryRow(
                store.to_dto(t), tuple(store.history_cell(t, p, today, done) for p in periods)
            )
            for t in tasks
        )
        return History(cadence, tuple(p.key for p in periods), rows)

    # --- changing tasks ------------------------------------------------------------------------

    def ensure_defaults(self, workspace_id: int) -> ChangeSet:
        """Give the workspace the default tasks, once in its life; later calls change nothing."""
        with self._read() as s:
            # The usual case (already given) costs a read, not the write lock, at each page load.
            row = s.get(AppSetting, store.SEEDED_KEY)
            if row is not None and workspace_id in store.id_set(row.value):
                return ChangeSet()
        with self._write() as s:
            ws = repo.get_workspace(s, workspace_id)
            row = store.locked_setting(s, store.SEEDED_KEY, "")
            seeded = store.id_set(row.value)
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
        title, description, rule = store.check_input(data)
        with self._write() as s:
            ws = repo.get_workspace(s, workspace_id)
            since = self._start_day(ws)
            task = RoutineTask(
                workspace_id=ws.id,
                title=title,
                description=description,
                cadence=data.cadence,
                rrule=rp.with_start(rule, since),
                position=store.next_position(s, ws.id),
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
        title, description, rule = store.check_input(data)
        with self._write() as s:
            task = store.get_task(s, task_id)
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
            s.delete(store.get_task(s, task_id))
        return self._emit(ChangeSet.of(deleted=[("routine_task", task_id)], description="routine"))

    def move_task(self, task_id: int, offset: int) -> ChangeSet:
        """Move a task up (-1) or down (+1) among the tasks of its cadence."""
        with self._write() as s:
            task = store.get_task(s, task_id)
            same = [
                t
                for t in store.tasks_of(s, task.workspace_id, active_only=False)
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
        if len(note) > store.MAX_DESCRIPTION:
            raise ValidationError(f"A note has at most {store.MAX_DESCRIPTION} characters.")
        with self._write() as s:
            task = store.get_task(s, task_id)
            ws = repo.get_workspace(s, task.workspace_id)
            local = day or utc_to_local(self.clock.now(), ws.timezone).date()
            key = rp.period_of(store.period_cadence(task.cadence), local, ws.week_start).key
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
            due = store.reminders_due(s, now - older_than)
            if not due:
                return []
            row = store.locked_setting(s, store.REMINDED_KEY, "[]")
            given = store.json_list(row.value)
            seen = set(given)
            fresh = [d for d in due if f"{d.task_id}@{d.period}" not in seen]
            if fresh:
                given.extend(f"{d.task_id}@{d.period}" for d in fresh)
                row.value = json.dumps(given[-store.REMINDED_MEMORY :])
        return fresh

    def release_reminders(self, items: Iterable[ReminderDue]) -> None:
        """Hand reminders back (they could not be shown): a later look gives them again."""
        drop = {f"{d.task_id}@{d.period}" for d in items}
        if not drop:
            return
        with self._write() as s:
            row = store.locked_setting(s, store.REMINDED_KEY, "[]")
            row.value = json.dumps([k for k in store.json_list(row.value) if k not in drop])

    # --- internals -----------------------------------------------------------------------------

    def _items(self, s: Session, ws: Workspace, today: date) -> list[ChecklistItem]:
        tasks = store.tasks_of(s, ws.id, active_only=True)
        periods = {
            t.id: rp.period_of(store.period_cadence(t.cadence), today, ws.week_start) for t in tasks
        }
        done = store.completions(s, [t.id for t in tasks], list({p.key for p in periods.values()}))
        items = []
        for t in tasks:
            p = periods[t.id]
            due_on = next(iter(rp.due_days(t.rrule, p)), None)
            completion = done.get((t.id, p.key))
            items.append(
                ChecklistItem(
                    task=store.to_dto(t),
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

    def _add_templates(self, s: Session, ws: Workspace, keys: Iterable[str]) -> list[int]:
        present = set(
            s.scalars(select(RoutineTask.template_key).where(RoutineTask.workspace_id == ws.id))
        )
        position = store.next_position(s, ws.id)
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
