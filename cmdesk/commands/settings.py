"""``cmdesk settings list|set``: the user settings declared in :mod:`cmdesk.settings`."""

from __future__ import annotations

import argparse

from cmdesk.commands.common import context, emit_json
from cmdesk.settings import SETTINGS


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    settings = sub.add_parser("settings", parents=common, help="show or change settings")
    verbs = settings.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("list", parents=common, help="every setting with its value").set_defaults(
        handler=cmd_list
    )
    change = verbs.add_parser("set", parents=common, help="change a setting")
    change.add_argument("name", choices=sorted(SETTINGS))
    change.add_argument("value")
    change.set_defaults(handler=cmd_set)


def cmd_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        values = ctx.settings.all()
    if args.json:
        emit_json(values)
        return 0
    for name, decl in SETTINGS.items():
        print(f"{name} = {values[name]!r}\n    {decl.description}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ctx.settings.set(args.name, args.value)
        value = ctx.settings.get(args.name)
    if args.json:
        emit_json({args.name: value})
    else:
        print(f"{args.name} = {value!r}")
    return 0
