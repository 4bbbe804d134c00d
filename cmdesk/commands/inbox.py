"""``cmdesk inbox sync|list|reply|done``: the replies, mentions and messages waiting for an answer.

``sync`` polls every channel once (or one, with ``--channel``); ``list`` shows the newest items,
filtered by state; ``reply`` answers an item on its network (once, even when run again after a
failure); ``done`` marks items dealt with.
"""

from __future__ import annotations

import argparse

from cmdesk.commands.common import channel, context, emit_json, workspace
from cmdesk.dto import InboxFilter, InboxItemDTO
from cmdesk.errors import ValidationError
from cmdesk.status import InboxState

SNIPPET = 70


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    inbox = sub.add_parser("inbox", parents=common, help="replies, mentions and messages")
    verbs = inbox.add_subparsers(dest="verb", metavar="VERB", required=True)
    sync = verbs.add_parser("sync", parents=common, help="fetch what is new from every channel")
    sync.add_argument("--channel", help="only this channel (by name)")
    sync.add_argument("--workspace")
    sync.set_defaults(handler=cmd_sync)
    lst = verbs.add_parser("list", parents=common, help="list inbox items, newest first")
    lst.add_argument("--workspace")
    lst.add_argument(
        "--state", action="append", choices=[s.value for s in InboxState], help="repeatable"
    )
    lst.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    lst.set_defaults(handler=cmd_list)
    reply = verbs.add_parser("reply", parents=common, help="answer an item on its network")
    reply.add_argument("id", type=int)
    reply.add_argument("--text", required=True)
    reply.set_defaults(handler=cmd_reply)
    done = verbs.add_parser("done", parents=common, help="mark items done")
    done.add_argument("ids", type=int, nargs="+", metavar="ID")
    done.set_defaults(handler=cmd_done)


def cmd_sync(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        only = None
        if args.channel:
            ws_id = workspace(ctx, args.workspace).id if args.workspace else None
            only = channel(ctx, args.channel, ws_id).id
        counts = ctx.inbox.sync(only)
        names = {c.id: c.name for c in ctx.channels.list(None)}
        if args.json:
            emit_json({str(cid): n for cid, n in counts.items()})
        elif not counts:
            print("No channel here can be read for replies and mentions.")
        else:
            for cid, n in counts.items():
                print(f"{names.get(cid, cid)}: {n} new")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise ValidationError("--limit must be at least 1.")
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        states = frozenset(InboxState(s) for s in args.state or ())
        items = ctx.inbox.list_items(ws.id, InboxFilter(states=states), limit=args.limit)
        if args.json:
            emit_json(items)
        else:
            names = {c.id: c.name for c in ctx.channels.list(ws.id)}
            for item in items:
                print(_line(item, names.get(item.channel_id, "?")))
            if not items:
                print("Nothing in the inbox" + (" with that state." if states else "."))
    return 0


def _line(item: InboxItemDTO, channel_name: str) -> str:
    text = " ".join(item.text.split())
    if len(text) > SNIPPET:
        text = text[: SNIPPET - 1] + "…"
    when = item.received_at.strftime("%Y-%m-%d %H:%M")
    return (
        f"{item.id:>6}  {when}  {item.state.value:<7}  {item.kind:<7}  {channel_name}  "
        f"{item.author_handle}: {text}"
    )


def cmd_reply(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ctx.inbox.reply(args.id, args.text)
        item = ctx.inbox.get_item(args.id)
        if args.json:
            emit_json(item)
        else:
            print(f"Replied to {item.author_handle}.")
    return 0


def cmd_done(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        changes = ctx.inbox.set_state(args.ids, InboxState.DONE)
        if args.json:
            emit_json(sorted(changes.ids("inbox_item")))
        else:
            print(f"{changes.description}.")
    return 0
