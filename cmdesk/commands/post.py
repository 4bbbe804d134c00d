"""``cmdesk post add|list|confirm``: schedule posts and see how their deliveries went.

``post list`` also gives each published post's latest engagement counts (``engagement`` in the
JSON: summed over its channels, with ``by_channel``; null when none were read yet).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict

from cmdesk.bootstrap import AppContext
from cmdesk.commands.common import channel, context, emit_json, parse_when, workspace
from cmdesk.dto import PostDetail, PostFilter, PostInput
from cmdesk.errors import ValidationError
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import utc_to_local


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    post = sub.add_parser("post", parents=common, help="posts of the plan")
    verbs = post.add_subparsers(dest="verb", metavar="VERB", required=True)

    add = verbs.add_parser("add", parents=common, help="schedule a post on one or more channels")
    add.add_argument(
        "--channel",
        action="append",
        required=True,
        metavar="NAME",
        help="repeat for several channels",
    )
    add.add_argument(
        "--at",
        required=True,
        metavar="ISO-8601",
        help="when; without an offset, in the workspace's zone",
    )
    add.add_argument("--text", required=True)
    add.add_argument("--title", default="")
    add.add_argument("--media", action="append", default=[], metavar="FILE")
    add.add_argument(
        "--alt",
        action="append",
        default=[],
        metavar="TEXT",
        help="alt text of the --media before it",
    )
    add.add_argument("--draft", action="store_true", help="save without scheduling")
    add.add_argument(
        "--hand-off",
        action="store_true",
        help="hand it to the server's own scheduler where the network has one (Mastodon), so it "
        "goes out with this computer off; needs the time at least 7 minutes ahead",
    )
    add.add_argument("--workspace")
    add.set_defaults(handler=cmd_add)

    lst = verbs.add_parser("list", parents=common, help="posts with each delivery's state")
    lst.add_argument("--from", dest="start", metavar="ISO")
    lst.add_argument("--to", dest="end", metavar="ISO")
    lst.add_argument("--workspace")
    lst.set_defaults(handler=cmd_list)

    now = verbs.add_parser("now", parents=common, help="publish a post at once (also a missed one)")
    now.add_argument("post_id", type=int, metavar="ID")
    now.set_defaults(handler=cmd_now)
    move = verbs.add_parser("move", parents=common, help="give a post a new time")
    move.add_argument("post_id", type=int, metavar="ID")
    move.add_argument("--at", required=True, metavar="ISO-8601")
    move.add_argument(
        "--schedule", action="store_true", help="also schedule it (a missed or failed post)"
    )
    move.set_defaults(handler=cmd_move)
    archive = verbs.add_parser("archive", parents=common, help="archive a post (skip a missed one)")
    archive.add_argument("post_id", type=int, metavar="ID")
    archive.set_defaults(handler=cmd_archive)

    confirm = verbs.add_parser(
        "confirm", parents=common, help="say whether an uncertain post went out"
    )
    confirm.add_argument("post_id", type=int, metavar="ID")
    which = confirm.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--sent", action="store_true", help="it is on the network: mark it published"
    )
    which.add_argument("--not-sent", action="store_true", help="it is not there: send it again")
    confirm.add_argument("--channel", metavar="NAME", help="when several deliveries wait")
    confirm.add_argument("--url", help="the post's address, with --sent")
    confirm.set_defaults(handler=cmd_confirm)


def _media_with_alt(args: argparse.Namespace) -> list[tuple[str, str]]:
    if len(args.alt) > len(args.media):
        raise ValidationError(
            "Each --alt describes the --media given before it; there are more --alt."
        )
    alts = args.alt + [""] * (len(args.media) - len(args.alt))
    return list(zip(args.media, alts, strict=True))


def cmd_add(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        channel_ids = tuple(channel(ctx, name, ws.id).id for name in args.channel)
        when = parse_when(args.at, ws.timezone)
        media = [
            ctx.media.add_file(ws.id, path, alt_text=alt).id for path, alt in _media_with_alt(args)
        ]
        data = PostInput(
            title=args.title, text=args.text, channel_ids=channel_ids, media_ids=tuple(media)
        )
        # Saved first as a draft at its time: if a network's rules refuse it, it keeps its place.
        pid = ctx.plan.create_post(ws.id, data, scheduled_at=when).subject
        assert pid is not None
        if args.hand_off:
            for cid in channel_ids:
                ctx.plan.set_variant(pid, cid, text=None, options={"hand_off": True})
        problems = {
            name: [p for p in found if p.blocking]
            for name, found in ctx.connections.problems(pid).items()
        }
        blocking = {name: found for name, found in problems.items() if found}
        if blocking:
            lines = [f"  {name}: {p.message}" for name, found in blocking.items() for p in found]
            raise ValidationError(
                f"Post {pid} was saved as a draft but not scheduled:\n" + "\n".join(lines)
            )
        if not args.draft:
            ctx.plan.schedule_post(pid)
        detail = ctx.plan.get_post(pid)
        if args.json:
            emit_json(detail)
        else:
            local = utc_to_local(when, ws.timezone)
            state = "scheduled" if not args.draft else "saved as a draft"
            print(
                f"Post {pid} {state} for {local:%Y-%m-%d %H:%M} ({ws.timezone}) on {', '.join(args.channel)}."
            )
    return 0


def _describe(detail: PostDetail, names: dict[int, str], tz: str) -> list[str]:
    when = (
        f"{utc_to_local(detail.scheduled_at, tz):%Y-%m-%d %H:%M}"
        if detail.scheduled_at
        else "no time"
    )
    first_line = next((line for line in detail.text.splitlines() if line.strip()), "")
    label = detail.title or first_line[:60]
    lines = [f"{detail.id:>5}  {when}  {detail.status.value:<10} {label}"]
    for t in detail.targets:
        bits = [f"{names.get(t.channel_id, t.channel_id)}: {t.state.value}"]
        if t.remote_id:
            bits.append(f"id {t.remote_id}")
        if t.remote_url:
            bits.append(t.remote_url)
        if t.last_error and t.state != TargetState.PUBLISHED:
            bits.append(f"— {t.last_error}")
        lines.append("         " + "  ".join(bits))
    return lines


def cmd_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        start = parse_when(args.start, ws.timezone) if args.start else None
        end = parse_when(args.end, ws.timezone) if args.end else None
        if start and end and end <= start:
            raise ValidationError("--to must be after --from.")
        summaries = ctx.plan.list_posts(ws.id, PostFilter(start=start, end=end))
        details = [ctx.plan.get_post(s.id) for s in summaries]
        # The latest engagement counts of the published posts, in one query.
        published = [s.id for s in summaries if s.status == PostStatus.PUBLISHED]
        engagement = ctx.metrics.latest(published)
        if args.json:
            emit_json([{**asdict(d), "engagement": engagement.get(d.id)} for d in details])
            return 0
        names = {c.id: c.name for c in ctx.channels.list(ws.id, include_removed=True)}
        for d in details:
            print("\n".join(_describe(d, names, ws.timezone)))
            if d.id in engagement:
                print(f"         engagement: {engagement[d.id].summary()}")
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        detail = ctx.plan.get_post(args.post_id)
        waiting = [t for t in detail.targets if t.state == TargetState.NEEDS_CONFIRMATION]
        if args.channel:
            ch = channel(ctx, args.channel, detail.workspace_id)
            waiting = [t for t in waiting if t.channel_id == ch.id]
        if not waiting:
            raise ValidationError(f"Post {args.post_id} has no delivery waiting for a decision.")
        if len(waiting) > 1:
            raise ValidationError(
                "Several deliveries wait for a decision; say which with --channel."
            )
        ctx.publishing.confirm(waiting[0].id, sent=bool(args.sent), remote_url=args.url)
        after = ctx.plan.get_post(args.post_id)
        if args.json:
            emit_json(after)
        elif args.sent:
            print(f"Post {args.post_id} marked as published.")
        else:
            print(f"Post {args.post_id} will be sent again now.")
    return 0


def _report(args: argparse.Namespace, ctx: AppContext, post_id: int, message: str) -> int:
    if args.json:
        emit_json(ctx.plan.get_post(post_id))
    else:
        print(message)
    return 0


def cmd_now(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ctx.plan.publish_now(args.post_id)
        return _report(args, ctx, args.post_id, f"Post {args.post_id} will go out now.")


def cmd_move(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        detail = ctx.plan.get_post(args.post_id)
        tz = ctx.workspaces.get(detail.workspace_id).timezone
        when = parse_when(args.at, tz)
        if args.schedule:
            ctx.plan.schedule_post(args.post_id, when)
        else:
            ctx.plan.reschedule_post(args.post_id, when)
        local = utc_to_local(when, tz)
        return _report(
            args, ctx, args.post_id, f"Post {args.post_id} moved to {local:%Y-%m-%d %H:%M} ({tz})."
        )


def cmd_archive(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ctx.plan.archive_post(args.post_id)
        return _report(args, ctx, args.post_id, f"Post {args.post_id} archived.")
