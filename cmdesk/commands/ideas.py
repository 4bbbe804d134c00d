"""``cmdesk idea ...`` and ``cmdesk feed ...``: the ideas bin and its feeds from the command line.

``idea add TITLE [--text] [--link]`` puts an idea in the bin; ``idea list [--state S] [--feed ID]
[--search WORDS]`` lists them (new ones by default); ``idea draft ID [--at WHEN] [--channel NAME]``
makes a draft post of one; ``idea discard ID`` / ``idea restore ID`` set it aside or bring it back.
``feed add URL`` subscribes (and reads it once, here, since the command line may wait on the
network); ``feed list`` shows each feed's last read and error; ``feed refresh [ID]`` reads one feed
or every active one; ``feed pause|resume|remove ID``.
"""

from __future__ import annotations

import argparse

from cmdesk.commands.common import channel, context, emit_json, parse_when, workspace
from cmdesk.errors import ValidationError
from cmdesk.planning.ideas_dto import FeedRefresh, IdeaFilter, IdeaState

SNIPPET = 60


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    _register_idea(sub, common)
    _register_feed(sub, common)


def _register_idea(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    idea = sub.add_parser("idea", parents=common, help="the ideas bin")
    verbs = idea.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", parents=common, help="put an idea in the bin")
    add.add_argument("title")
    add.add_argument("--text", default="")
    add.add_argument("--link", default="", help="an http(s) address")
    add.add_argument("--workspace")
    add.set_defaults(handler=cmd_idea_add)
    lst = verbs.add_parser("list", parents=common, help="list ideas, newest first")
    lst.add_argument(
        "--state", choices=[*(s.value for s in IdeaState), "all"], default="new", help="new"
    )
    lst.add_argument("--feed", type=int, help="only ideas from this feed id (0: typed in)")
    lst.add_argument("--search", default="", help="words in the title, text or link")
    lst.add_argument("--limit", type=int, default=100)
    lst.add_argument("--workspace")
    lst.set_defaults(handler=cmd_idea_list)
    draft = verbs.add_parser("draft", parents=common, help="make a draft post of an idea")
    draft.add_argument("id", type=int)
    draft.add_argument("--at", help="a time for the draft, e.g. 2026-12-01T09:30")
    draft.add_argument("--channel", action="append", default=[], help="a channel (repeatable)")
    draft.set_defaults(handler=cmd_idea_draft)
    for verb, text in (("discard", "set an idea aside"), ("restore", "bring an idea back")):
        cmd = verbs.add_parser(verb, parents=common, help=text)
        cmd.add_argument("id", type=int, nargs="+")
        cmd.set_defaults(handler=cmd_idea_state, state_verb=verb)


def _register_feed(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    feed = sub.add_parser("feed", parents=common, help="RSS and Atom feeds that bring ideas")
    verbs = feed.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", parents=common, help="subscribe to a feed and read it")
    add.add_argument("url")
    add.add_argument("--title", default="")
    add.add_argument("--workspace")
    add.set_defaults(handler=cmd_feed_add)
    lst = verbs.add_parser("list", parents=common, help="list feeds")
    lst.add_argument("--workspace")
    lst.set_defaults(handler=cmd_feed_list)
    refresh = verbs.add_parser("refresh", parents=common, help="read feeds now")
    refresh.add_argument("id", type=int, nargs="?", help="only this feed")
    refresh.add_argument("--workspace")
    refresh.set_defaults(handler=cmd_feed_refresh)
    for verb in ("pause", "resume", "remove"):
        cmd = verbs.add_parser(verb, parents=common, help=f"{verb} a feed")
        cmd.add_argument("id", type=int)
        cmd.set_defaults(handler=cmd_feed_change, feed_verb=verb)


def cmd_idea_add(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        iid = ctx.ideas.add(ws.id, args.title, args.text, args.link)
        if args.json:
            emit_json(ctx.ideas.get_idea(iid))
        else:
            print(f"{iid}: {ctx.ideas.get_idea(iid).title}")
    return 0


def cmd_idea_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise ValidationError("--limit must be at least 1.")
    states = frozenset() if args.state == "all" else frozenset({IdeaState(args.state)})
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        flt = IdeaFilter(states=states, feed_id=args.feed, text=args.search)
        page = ctx.ideas.list_ideas(ws.id, flt, limit=args.limit)
        if args.json:
            emit_json(list(page.items))
            return 0
        for i in page.items:
            title = i.title if len(i.title) <= SNIPPET else i.title[: SNIPPET - 1] + "…"
            source = i.feed_title or "typed in"
            print(f"{i.id:>5}  {i.date:%Y-%m-%d}  {i.state.value:<9}  {title}  ({source})")
            if i.link:
                print(f"       {i.link}")
        if not page.items:
            print("No ideas here: add one with `cmdesk idea add TITLE`, or a feed.")
        elif page.total > len(page.items):
            print(f"... {page.total - len(page.items)} more (use --limit).")
    return 0


def cmd_idea_draft(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        idea = ctx.ideas.get_idea(args.id)
        ws = next(w for w in ctx.workspaces.list() if w.id == idea.workspace_id)
        at = parse_when(args.at, ws.timezone) if args.at else None
        channel_ids = [channel(ctx, name, ws.id).id for name in args.channel]
        post_id = ctx.ideas.to_draft(args.id, at=at, channel_ids=channel_ids)
        if args.json:
            emit_json({"post_id": post_id, "idea_id": args.id})
        else:
            print(f"Draft post {post_id} made from idea {args.id}.")
    return 0


def cmd_idea_state(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        if args.state_verb == "discard":
            ctx.ideas.discard(args.id)
        else:
            ctx.ideas.restore(args.id)
        if not args.json:
            done = "discarded" if args.state_verb == "discard" else "restored"
            print(f"Idea {', '.join(str(i) for i in args.id)} {done}.")
    return 0


def cmd_feed_add(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        fid = ctx.ideas.subscribe(ws.id, args.url, args.title)
        result = ctx.ideas.refresh_feed(fid)
        if args.json:
            emit_json({"feed": ctx.ideas.get_feed(fid), "refresh": result})
        else:
            print(f"{fid}: following {ctx.ideas.get_feed(fid).label}")
            _print_refresh(result, ctx.ideas.get_feed(fid).label)
    return 0 if result.ok else 1


def cmd_feed_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        feeds = ctx.ideas.list_feeds(ws.id)
        if args.json:
            emit_json(feeds)
            return 0
        for f in feeds:
            when = f"{f.last_fetched_at:%Y-%m-%d %H:%M} UTC" if f.last_fetched_at else "never"
            paused = "  (paused)" if not f.is_active else ""
            print(f"{f.id:>4}  {f.label}{paused}  read {when}  {f.new_count} new")
            print(f"      {f.url}")
            if f.last_error:
                print(f"      ! {f.last_error}")
        if not feeds:
            print("No feeds: subscribe with `cmdesk feed add URL`.")
    return 0


def cmd_feed_refresh(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        if args.id is not None:
            results = [ctx.ideas.refresh_feed(args.id)]
        else:
            ws_ids = [workspace(ctx, args.workspace).id] if args.workspace else None
            targets = [
                f.id
                for w in ctx.workspaces.list()
                if ws_ids is None or w.id in ws_ids
                for f in ctx.ideas.list_feeds(w.id)
                if f.is_active
            ]
            results = [ctx.ideas.refresh_feed(fid) for fid in targets]
        if args.json:
            emit_json(results)
        else:
            for r in results:
                _print_refresh(r, ctx.ideas.get_feed(r.feed_id).label)
            if not results:
                print("No active feeds to read.")
    return 0 if all(r.ok for r in results) else 1


def cmd_feed_change(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        if args.feed_verb == "remove":
            ctx.ideas.remove(args.id)
        else:
            ctx.ideas.set_active(args.id, args.feed_verb == "resume")
        if not args.json:
            print(f"Feed {args.id}: {args.feed_verb}d.")
    return 0


def _print_refresh(result: FeedRefresh, label: str) -> None:
    if result.error:
        print(f"{label}: {result.error}")
    elif result.not_modified:
        print(f"{label}: nothing new (not modified)")
    else:
        print(
            f"{label}: {result.new_ideas} new ideas"
            + (f" ({result.problem})" if result.problem else "")
        )
