"""``cmdesk import csv`` and ``cmdesk export csv|ics``: the plan in and out as files.

A refused import prints every problem on its own line as ``line:column: message`` (the column as
its number and name, ``12:3 (time): ...``) on standard error and exits with status 1; nothing is
written. ``--dry-run`` checks and shows what would be created.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from cmdesk.commands.common import context, workspace
from cmdesk.exchange.csv_import import ImportPlan

EXIT_PROBLEMS = 1


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    imp = sub.add_parser("import", parents=common, help="import posts from a file")
    ikinds = imp.add_subparsers(dest="format", metavar="FORMAT", required=True)
    icsv = ikinds.add_parser("csv", parents=common, help="posts from a CSV file (see README)")
    icsv.add_argument("file", type=Path)
    icsv.add_argument("--workspace")
    icsv.add_argument("--dry-run", action="store_true", help="check and preview; write nothing")
    icsv.add_argument(
        "--create-missing",
        action="store_true",
        help="create campaigns, pillars and tags the file names but the workspace lacks",
    )
    icsv.set_defaults(handler=cmd_import_csv)

    exp = sub.add_parser("export", parents=common, help="export posts to a file")
    ekinds = exp.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name, handler, what in (
        ("csv", cmd_export_csv, "posts as CSV (the import's columns)"),
        ("ics", cmd_export_ics, "scheduled and published posts as an iCalendar file"),
    ):
        p = ekinds.add_parser(name, parents=common, help=what)
        p.add_argument("file", help="where to write ('-' for standard output)")
        p.add_argument("--workspace")
        p.add_argument("--from", dest="start", type=_day, help="first day (YYYY-MM-DD)")
        p.add_argument("--to", dest="end", type=_day, help="last day, included (YYYY-MM-DD)")
        p.set_defaults(handler=handler)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def cmd_import_csv(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        plan = ctx.exchange.check_csv(ws.id, args.file, create_missing=args.create_missing)
        if not plan.ok:
            _print_problems(args, plan)
            return EXIT_PROBLEMS
        if args.dry_run:
            _print_preview(args, plan)
            return 0
        changes = ctx.exchange.import_csv(ws.id, plan)
        created = len(changes.ids("post", "created"))
        if args.json:
            print(json.dumps({"ok": True, "created": created, "skipped": len(plan.skipped)}))
        else:
            print(_summary(plan, created, done=True))
    return 0


def _print_problems(args: argparse.Namespace, plan: ImportPlan) -> None:
    if args.json:
        rows = [
            {"line": p.line, "column": p.column, "column_name": p.column_name, "message": p.message}
            for p in plan.problems
        ]
        print(json.dumps({"ok": False, "problems": rows}, ensure_ascii=False, indent=2))
        return
    for problem in plan.problems:
        print(str(problem), file=sys.stderr)
    n = len(plan.problems)
    print(
        f"{args.file}: {n} problem{'s' if n != 1 else ''}; nothing was imported.", file=sys.stderr
    )


def _print_preview(args: argparse.Namespace, plan: ImportPlan) -> None:
    if args.json:
        rows = [
            {
                "line": p.line,
                "when": p.when_local,
                "channels": list(p.channel_names),
                "status": p.status.value,
                "text": p.snippet,
                "already_in_plan": p.existing_id,
            }
            for p in plan.posts
        ]
        print(json.dumps({"ok": True, "posts": rows}, ensure_ascii=False, indent=2))
        return
    for p in plan.posts:
        mark = f"  (already in the plan as post {p.existing_id})" if p.existing_id else ""
        channels = ", ".join(p.channel_names) or "no channel"
        when = p.when_local or "no date"
        print(f"{p.line}: {when} · {channels} · {p.status.label} · {p.snippet}{mark}")
    print(_summary(plan, len(plan.to_create), done=False))


def _summary(plan: ImportPlan, created: int, *, done: bool) -> str:
    verb = "Imported" if done else "Would import"
    text = f"{verb} {created} post{'s' if created != 1 else ''}"
    if plan.skipped:
        text += f"; {len(plan.skipped)} already in the plan"
    new = [*plan.new_campaigns, *plan.new_pillars, *plan.new_tags]
    if new:
        text += f"; {'created' if done else 'would create'} {', '.join(new)}"
    return text + "."


def cmd_export_csv(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        if args.file == "-":
            text, count = ctx.exchange.render_csv(ws.id, args.start, args.end)
            sys.stdout.write(text)
        else:
            count = ctx.exchange.export_csv(ws.id, Path(args.file), args.start, args.end)
            _done(args, count, "post", args.file)
    return 0


def cmd_export_ics(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        if args.file == "-":
            data, count = ctx.exchange.render_ics(ws.id, args.start, args.end)
            sys.stdout.write(data.decode("utf-8"))
        else:
            count = ctx.exchange.export_ics(ws.id, Path(args.file), args.start, args.end)
            _done(args, count, "event", args.file)
    return 0


def _done(args: argparse.Namespace, count: int, noun: str, file: str) -> None:
    if args.json:
        print(json.dumps({"ok": True, "count": count, "file": file}))
    else:
        print(f"Wrote {count} {noun}{'s' if count != 1 else ''} to {file}.")
