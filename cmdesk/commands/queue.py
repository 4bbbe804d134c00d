"""``cmdesk queue add|slots|set``: posting slots and "Add to queue" from the command line.

``add POST_ID`` puts a post in the next free slot of each of its channels and schedules it (the
slot of each channel is printed in the workspace's zone); ``slots CHANNEL`` lists a channel's
weekly slots; ``set CHANNEL "mon 09:00" "wed 13:30" ...`` replaces them (none: no slots).
"""

from __future__ import annotations

import argparse

from cmdesk.bootstrap import AppContext
from cmdesk.commands.common import channel, context, emit_json, workspace
from cmdesk.planning.queues import WEEKDAYS
from cmdesk.timeutil import utc_to_local


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    queue = sub.add_parser("queue", parents=common, help="posting slots and Add to queue")
    verbs = queue.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser(
        "add", parents=common, help="put a post in the next free slot of each of its channels"
    )
    add.add_argument("post_id", type=int, metavar="POST_ID")
    add.set_defaults(handler=cmd_add)
    slots = verbs.add_parser("slots", parents=common, help="list a channel's weekly slots")
    slots.add_argument("channel", metavar="CHANNEL", help="the channel's name")
    slots.add_argument("--workspace")
    slots.set_defaults(handler=cmd_slots)
    put = verbs.add_parser(
        "set", parents=common, help='replace a channel\'s slots: "mon 09:00" "wed 13:30" ...'
    )
    put.add_argument("channel", metavar="CHANNEL", help="the channel's name")
    put.add_argument("slots", nargs="*", metavar="SLOT", help='a day and a time, "mon 09:00"')
    put.add_argument("--workspace")
    put.set_defaults(handler=cmd_set)


def _workspace_id(ctx: AppContext, name: str | None) -> int | None:
    """The workspace named with ``--workspace``; without it channels are looked up everywhere."""
    return workspace(ctx, name).id if name else None


def cmd_add(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ctx.queues.add_to_queue(args.post_id)
        post = ctx.plan.get_post(args.post_id)
        tz = next(w.timezone for w in ctx.workspaces.list() if w.id == post.workspace_id)
        names = {c.id: c.name for c in ctx.channels.list(post.workspace_id, include_removed=True)}
        rows = [
            {
                "channel_id": t.channel_id,
                "channel": names.get(t.channel_id, str(t.channel_id)),
                "due_at": t.due_at,
                "local": utc_to_local(t.due_at, tz).strftime("%Y-%m-%d %H:%M") if t.due_at else "",
            }
            for t in sorted(post.targets, key=lambda t: (t.due_at is None, t.due_at))
            if t.due_at is not None
        ]
        if args.json:
            emit_json({"post_id": post.id, "timezone": tz, "slots": rows})
            return 0
        print(f"Post {post.id} is scheduled:")
        for row in rows:
            print(f"  {row['channel']}: {row['local']} ({tz})")
    return 0


def cmd_slots(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ch = channel(ctx, args.channel, _workspace_id(ctx, args.workspace))
        slots = ctx.queues.list_slots(ch.id)
        if args.json:
            emit_json(
                [
                    {
                        "id": s.id,
                        "weekday": WEEKDAYS[s.weekday],
                        "time": s.local_time,
                        "active": s.is_active,
                    }
                    for s in slots
                ]
            )
            return 0
        for s in slots:
            print(f"{WEEKDAYS[s.weekday]} {s.local_time}" + ("" if s.is_active else "  (off)"))
        if not slots:
            print(
                f'{ch.name} has no posting slots: add some with `cmdesk queue set "{ch.name}" '
                '"mon 09:00" ...`.'
            )
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ch = channel(ctx, args.channel, _workspace_id(ctx, args.workspace))
        ctx.queues.set_slots(ch.id, args.slots)
        if not args.json:
            count = len(ctx.queues.list_slots(ch.id))
            print(f"{ch.name} has {count} posting slot{'s' if count != 1 else ''} a week.")
    return 0
