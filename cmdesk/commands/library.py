"""``cmdesk hashtags list|add|remove`` and ``cmdesk template list|add|remove``: the library.

``hashtags add NAME TAGS...`` saves a group (tags with or without '#', spaces or commas between
them; cleaned as in the composer); ``template add NAME --text T`` saves a template (placeholders
such as ``{date}`` or ``{link}`` are filled when it is inserted in the composer). ``list`` prints
one line per entry in their order, ``--json`` the full entries; ``remove NAME`` deletes one.
"""

from __future__ import annotations

import argparse

from cmdesk.commands.common import context, emit_json, workspace
from cmdesk.errors import ValidationError
from cmdesk.library.templates import PLACEHOLDERS

LINE = 70


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    tags = sub.add_parser("hashtags", parents=common, help="saved hashtag groups")
    verbs = tags.add_subparsers(dest="verb", metavar="VERB", required=True)
    lst = verbs.add_parser("list", parents=common, help="list the hashtag groups")
    lst.add_argument("--workspace")
    lst.set_defaults(handler=cmd_groups)
    add = verbs.add_parser("add", parents=common, help="save a hashtag group")
    add.add_argument("name")
    add.add_argument("tags", nargs="+", help="hashtags, with or without #")
    add.add_argument("--workspace")
    add.set_defaults(handler=cmd_add_group)
    rm = verbs.add_parser("remove", parents=common, help="delete a hashtag group")
    rm.add_argument("name")
    rm.add_argument("--workspace")
    rm.set_defaults(handler=cmd_remove_group)

    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    tpl = sub.add_parser("template", parents=common, help="saved text templates")
    verbs = tpl.add_subparsers(dest="verb", metavar="VERB", required=True)
    lst = verbs.add_parser("list", parents=common, help="list the templates")
    lst.add_argument("--workspace")
    lst.set_defaults(handler=cmd_snippets)
    add = verbs.add_parser("add", parents=common, help="save a template")
    add.add_argument("name")
    add.add_argument("--text", required=True, help=f"the template; placeholders: {known}")
    add.add_argument("--workspace")
    add.set_defaults(handler=cmd_add_snippet)
    rm = verbs.add_parser("remove", parents=common, help="delete a template")
    rm.add_argument("name")
    rm.add_argument("--workspace")
    rm.set_defaults(handler=cmd_remove_snippet)


def _line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LINE else flat[: LINE - 1] + "…"


def cmd_groups(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        groups = ctx.library.list_groups(workspace(ctx, args.workspace).id)
        if args.json:
            emit_json(groups)
            return 0
        for g in groups:
            print(f"{g.name}: {_line(g.text)}")
        if not groups:
            print("No hashtag groups yet: add one with `cmdesk hashtags add NAME TAGS...`.")
    return 0


def cmd_add_group(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        group = ctx.library.add_group(workspace(ctx, args.workspace).id, args.name, args.tags)
        if args.json:
            emit_json(group)
        else:
            print(f"Hashtag group {group.name!r} saved: {group.text}")
    return 0


def cmd_remove_group(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        group = ctx.library.find_group(ws.id, args.name)
        if group is None:
            names = ", ".join(g.name for g in ctx.library.list_groups(ws.id)) or "none yet"
            raise ValidationError(f"There is no hashtag group called {args.name!r} ({names}).")
        ctx.library.remove_group(group.id)
        if not args.json:
            print(f"Hashtag group {group.name!r} removed.")
    return 0


def cmd_snippets(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        snippets = ctx.library.list_snippets(workspace(ctx, args.workspace).id)
        if args.json:
            emit_json(snippets)
            return 0
        for s in snippets:
            unknown = f"  (inserted as typed: {' '.join(s.unknown_placeholders)})"
            print(f"{s.name}: {_line(s.text)}" + (unknown if s.unknown_placeholders else ""))
        if not snippets:
            print("No templates yet: add one with `cmdesk template add NAME --text TEXT`.")
    return 0


def cmd_add_snippet(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        snippet = ctx.library.add_snippet(workspace(ctx, args.workspace).id, args.name, args.text)
        if args.json:
            emit_json(snippet)
            return 0
        print(f"Template {snippet.name!r} saved.")
        if snippet.unknown_placeholders:
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            print(
                f"Not placeholders cmdesk knows (inserted as typed): "
                f"{', '.join(snippet.unknown_placeholders)}. Known: {known}."
            )
    return 0


def cmd_remove_snippet(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        snippet = ctx.library.find_snippet(ws.id, args.name)
        if snippet is None:
            names = ", ".join(s.name for s in ctx.library.list_snippets(ws.id)) or "none yet"
            raise ValidationError(f"There is no template called {args.name!r} ({names}).")
        ctx.library.remove_snippet(snippet.id)
        if not args.json:
            print(f"Template {snippet.name!r} removed.")
    return 0
