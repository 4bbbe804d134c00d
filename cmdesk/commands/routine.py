"""``cmdesk routine [today|week|month|history|done|undo]``: the CM routine from the command line.

``today`` (the default), ``week`` and ``month`` print that checklist (``[x]`` done, ``!`` past its
day); ``done ID [--note TEXT]`` checks a task off for the current period and ``undo ID``
un-checks it; ``history [--cadence weekly] [--count 12]`` prints the grid of past periods. The
first use in a workspace gives it the default tasks, as the Routine page does.
"""

from __future__ import annotations

import argparse

from cmdesk.commands.common import context, emit_json, workspace
from cmdesk.errors import ValidationError
from cmdesk.planning.routine_dto import CellState

MARKS = {
    CellState.DONE: "x",
    CellState.MISSED: "!",
    CellState.OPEN: ".",
    CellState.NOT_DUE: "-",
    CellState.BEFORE: " ",
}


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    routine = sub.add_parser(
        "routine", parents=common, help="the daily, weekly and monthly routine"
    )
    routine.add_argument(
        "view",
        nargs="?",
        default="today",
        choices=("today", "week", "month", "history", "done", "undo"),
        help="what to show or do (default: today)",
    )
    routine.add_argument("task", nargs="?", type=int, help="the task id (done, undo)")
    routine.add_argument("--workspace")
    routine.add_argument("--note", default="", help="a note kept with the check-off")
    routine.add_argument("--cadence", default="weekly", choices=("daily", "weekly", "monthly"))
    routine.add_argument("--count", type=int, default=12, help="periods in the history")
    routine.set_defaults(handler=cmd_routine)


def cmd_routine(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        ctx.routine.ensure_defaults(ws.id)
        if args.view in ("done", "undo"):
            if args.task is None:
                raise ValidationError(f"Say which task: cmdesk routine {args.view} TASK_ID.")
            task = ctx.routine.get(args.task)
            if task.workspace_id != ws.id:
                raise ValidationError(f"Task {args.task} belongs to another workspace.")
            ctx.routine.set_done(args.task, args.view == "done", note=args.note)
            print(f"{task.title}: {'done' if args.view == 'done' else 'not done'}.")
            return 0
        if args.view == "history":
            if not 1 <= args.count <= 120:
                raise ValidationError("--count must be from 1 to 120.")
            history = ctx.routine.history(ws.id, args.cadence, count=args.count)
            if args.json:
                emit_json(history)
                return 0
            print("  ".join(history.periods))
            for row in history.rows:
                print("".join(MARKS[c.state] for c in row.cells), f" {row.task.title}")
            return 0
        checklist = ctx.routine.checklist(ws.id, args.view)
        if args.json:
            emit_json(checklist)
            return 0
        print(
            f"{checklist.title} ({checklist.today}): {checklist.done_count}/{checklist.total} done"
        )
        for item in checklist.items:
            mark = "x" if item.done else "!" if item.overdue else " "
            due = f"  due {item.due_on}" if item.due_on and not item.done else ""
            print(f"[{mark}] {item.task.id:>4}  {item.task.title}{due}")
    return 0
