"""``cmdesk workspace add|list``: brands and clients, each with its time zone."""

from __future__ import annotations

import argparse

from cmdesk.commands.common import context, emit_json


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    ws = sub.add_parser("workspace", parents=common, help="brands and clients")
    verbs = ws.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", parents=common, help="add a workspace")
    add.add_argument("name")
    add.add_argument("--timezone", required=True, help="IANA zone, e.g. Europe/Madrid")
    add.set_defaults(handler=cmd_add)
    lst = verbs.add_parser("list", parents=common, help="list the workspaces")
    lst.set_defaults(handler=cmd_list)


def cmd_add(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        wid = ctx.workspaces.create(args.name, args.timezone).subject
        assert wid is not None
        ws = ctx.workspaces.get(wid)
        if args.json:
            emit_json(ws)
        else:
            print(f"Added workspace {ws.name!r} ({ws.timezone}).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        items = ctx.workspaces.list()
        if args.json:
            emit_json(items)
        else:
            for w in items:
                print(f"{w.id:>4}  {w.name}  ({w.timezone})")
    return 0
