"""``cmdesk post repeat|evergreen|stop-repeating`` and ``cmdesk series list|rule|pause|resume``.

``post repeat`` makes a post the first of a recurring series (its own date and time is the start,
read in the workspace's zone); ``post evergreen`` re-runs it some days after it went out, rotating
``--variation`` texts; ``series list`` shows each series in words.
"""

from __future__ import annotations

import argparse
from datetime import date

from cmdesk.commands.common import context, emit_json, workspace
from cmdesk.errors import ValidationError
from cmdesk.planning.recurrence import RecurrenceInput


def _verbs(sub: argparse._SubParsersAction, name: str) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """The verbs of an existing command (``post``), to add ours next to them."""
    parser = sub.choices[name]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(f"the {name!r} command has no verbs")  # pragma: no cover


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    _register_post_verbs(_verbs(sub, "post"), common)
    series = sub.add_parser("series", parents=common, help="recurring and evergreen posts")
    _register_series_verbs(
        series.add_subparsers(dest="verb", metavar="VERB", required=True), common
    )


def _register_post_verbs(
    post: argparse._SubParsersAction[argparse.ArgumentParser], common: list[argparse.ArgumentParser]
) -> None:
    repeat = post.add_parser(
        "repeat", parents=common, help="repeat a post by a rule, from its own date and time"
    )
    repeat.add_argument("post_id", type=int, metavar="ID")
    repeat.add_argument(
        "--rrule",
        required=True,
        metavar="RULE",
        help='an RFC 5545 RRULE without DTSTART, e.g. "FREQ=WEEKLY;BYDAY=MO"',
    )
    end = repeat.add_mutually_exclusive_group()
    end.add_argument("--count", type=int, metavar="N", help="this many times, the post included")
    end.add_argument("--until", metavar="YYYY-MM-DD", help="up to this day (included)")
    repeat.set_defaults(handler=cmd_repeat)

    ever = post.add_parser(
        "evergreen", parents=common, help="re-run a post some days after it went out"
    )
    ever.add_argument("post_id", type=int, metavar="ID")
    ever.add_argument("--every", type=int, required=True, metavar="DAYS")
    ever.add_argument(
        "--variation",
        action="append",
        default=[],
        metavar="TEXT",
        help="another text for a later run (repeat for several; they rotate after the original)",
    )
    ever.set_defaults(handler=cmd_evergreen)

    stop = post.add_parser(
        "stop-repeating", parents=common, help="keep this post, remove the later occurrences"
    )
    stop.add_argument("post_id", type=int, metavar="ID")
    stop.set_defaults(handler=cmd_stop)


def _register_series_verbs(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    lst = verbs.add_parser("list", parents=common, help="every series of a workspace, in words")
    lst.add_argument("--workspace")
    lst.set_defaults(handler=cmd_list)
    rule = verbs.add_parser(
        "rule", parents=common, help="give a recurring series a new rule (re-plans its future)"
    )
    rule.add_argument("series_id", type=int, metavar="SERIES")
    rule.add_argument("--rrule", required=True, metavar="RULE")
    ends = rule.add_mutually_exclusive_group()
    ends.add_argument("--count", type=int, metavar="N")
    ends.add_argument("--until", metavar="YYYY-MM-DD")
    rule.set_defaults(handler=cmd_rule)
    for verb, active, text in (
        ("pause", False, "make no more occurrences or evergreen runs"),
        ("resume", True, "make them again"),
    ):
        p = verbs.add_parser(verb, parents=common, help=text)
        p.add_argument("series_id", type=int, metavar="SERIES")
        p.set_defaults(handler=cmd_active, active=active)


def _until(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"--until {text!r} is not a date like 2026-12-31.") from None


def cmd_repeat(args: argparse.Namespace) -> int:
    rule = RecurrenceInput(rrule=args.rrule, count=args.count, until=_until(args.until))
    with context(args) as ctx:
        ctx.series.make_recurring(args.post_id, rule)
        dto = ctx.series.series_of(args.post_id)
        assert dto is not None
        if args.json:
            emit_json(dto)
        else:
            print(
                f"Post {args.post_id} repeats: {dto.description} "
                f"({len(dto.post_ids)} posts planned so far)."
            )
    return 0


def cmd_evergreen(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ctx.series.make_evergreen(args.post_id, args.every, list(args.variation))
        dto = ctx.series.series_of(args.post_id)
        assert dto is not None
        if args.json:
            emit_json(dto)
        else:
            print(f"Post {args.post_id} is evergreen: {dto.description}.")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        cut = ctx.series.stop_repeating(args.post_id)
        if args.json:
            emit_json(cut)
        else:
            print(
                f"Post {args.post_id} no longer repeats; "
                f"{len(cut.trashed)} later occurrences moved to the trash."
            )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ws = workspace(ctx, args.workspace)
        found = ctx.series.list_series(ws.id)
        if args.json:
            emit_json(found)
            return 0
        if not found:
            print("No recurring or evergreen posts yet.")
        for dto in found:
            first = dto.post_ids[0] if dto.post_ids else None
            print(
                f"{dto.id}\t{dto.kind}\t{dto.description}\t"
                f"{len(dto.post_ids)} posts" + (f" (first: post {first})" if first else "")
            )
    return 0


def cmd_rule(args: argparse.Namespace) -> int:
    rule = RecurrenceInput(rrule=args.rrule, count=args.count, until=_until(args.until))
    with context(args) as ctx:
        changes = ctx.series.change_rule(args.series_id, rule)
        dto = ctx.series.get(args.series_id)
        if args.json:
            emit_json(dto)
        else:
            print(
                f"Series {dto.id}: {dto.description}; {len(changes.ids('post', 'created'))} posts "
                f"added, {len(changes.ids('post', 'deleted'))} moved to the trash."
            )
    return 0


def cmd_active(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        ctx.series.set_active(args.series_id, args.active)
        dto = ctx.series.get(args.series_id)
        if args.json:
            emit_json(dto)
        else:
            print(f"Series {dto.id}: {dto.description}.")
    return 0
