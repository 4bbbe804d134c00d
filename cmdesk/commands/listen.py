"""``cmdesk listen add|list|sync|remove``: saved searches (listening) from the command line.

``add`` saves a hashtag or a text query read through one channel; ``list`` shows the saved
searches (with ``--results``, the newest posts they found); ``sync`` reads every saved search once
(or one, by id); ``remove`` forgets one and its posts.
"""

from __future__ import annotations

import argparse

from cmdesk.commands.common import channel, context, emit_json, workspace
from cmdesk.errors import ValidationError
from cmdesk.listening.dto import SearchKind

SNIPPET = 70


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    listen = sub.add_parser("listen", parents=common, help="saved searches and what they found")
    verbs = listen.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", parents=common, help="save a hashtag or text search")
    add.add_argument("--channel", required=True, help="the channel to search through (by name)")
    add.add_argument("--workspace")
    what = add.add_mutually_exclusive_group(required=True)
    what.add_argument("--hashtag", help="a hashtag, with or without #")
    what.add_argument("--query", help="words to search for")
    add.set_defaults(handler=cmd_add)
    lst = verbs.add_parser("list", parents=common, help="list saved searches")
    lst.add_argument("--workspace")
    lst.add_argument("--results", action="store_true", help="list the posts found instead")
    lst.add_argument("--limit", type=int, default=50, help="at most this many posts (default 50)")
    lst.set_defaults(handler=cmd_list)
    sync = verbs.add_parser("sync", parents=common, help="read every saved search once")
    sync.add_argument("id", type=int, nargs="?", help="only this saved search")
    sync.add_argument("--workspace")
    sync.set_defaults(handler=cmd_sync)
    remove = verbs.add_parser("remove", parents=common, help="forget a saved search")
    remove.add_argument("id", type=int)
    remove.set_defaults(handler=cmd_remove)


def cmd_add(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        ch = channel(ctx, args.channel, ws.id)
        kind = SearchKind.HASHTAG if args.hashtag is not None else SearchKind.QUERY
        sid = ctx.listening.add(ws.id, ch.id, kind, args.hashtag or args.query or "")
        search = ctx.listening.get_search(sid)
        if args.json:
            emit_json(search)
        else:
            print(f"{sid}: listening for {search.label} on {ch.name}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise ValidationError("--limit must be at least 1.")
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        if args.results:
            posts = ctx.listening.list_results(ws.id, limit=args.limit)
            if args.json:
                emit_json(posts)
                return 0
            for p in posts:
                text = " ".join(p.text.split())
                text = text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"
                when = p.created_at.strftime("%Y-%m-%d %H:%M")
                print(f"{when}  {p.search_label}  {p.author_handle}: {text}")
            if not posts:
                print("No listened posts yet: run `cmdesk listen sync`.")
            return 0
        searches = ctx.listening.list_searches(ws.id)
        if args.json:
            emit_json(searches)
            return 0
        for s in searches:
            line = f"{s.id:>4}  {s.label}  on {s.channel_name}  {s.result_count} posts"
            print(line + (f"\n      {s.note}" if s.note else ""))
        if not searches:
            print("No saved searches: add one with `cmdesk listen add`.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws_id = workspace(ctx, args.workspace).id if args.workspace else None
        counts = ctx.listening.sync(args.id, workspace_id=ws_id)
        if args.json:
            emit_json({str(sid): n for sid, n in counts.items()})
            return 0
        labels = {s.id: s for w in ctx.workspaces.list() for s in ctx.listening.list_searches(w.id)}
        if not counts:
            print(
                "No saved search here can be read (demo channels and channels without a sign-in are not)."
            )
        for sid, n in counts.items():
            search = labels.get(sid)
            name = f"{search.label} on {search.channel_name}" if search else str(sid)
            print(f"{name}: {n} new" + (f" ({search.note})" if search and search.note else ""))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ctx.listening.remove(args.id)
        if not args.json:
            print(f"Saved search {args.id} removed.")
    return 0
