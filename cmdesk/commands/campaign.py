"""``cmdesk campaign list|add|edit|remove`` and ``cmdesk tag list|add|edit|remove|merge|assign``.

Campaigns and labels are named by their name (case-insensitive) or their id. Dates are
``YYYY-MM-DD``; ``--end ''`` (an empty value) takes a date away. ``tag assign`` labels posts (by
id): ``--campaign``, ``--pillar``, ``--add TAG`` and ``--remove TAG``, all in one transaction.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from cmdesk.bootstrap import AppContext
from cmdesk.campaigns.dto import CampaignInput
from cmdesk.commands.common import context, emit_json, workspace
from cmdesk.dto import CampaignDTO, TagDTO
from cmdesk.errors import ValidationError


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    _register_campaign(sub, common)
    _register_tag(sub, common)


def _campaign_fields(p: argparse.ArgumentParser, *, editing: bool) -> None:
    p.add_argument("--color", help="#RRGGBB")
    p.add_argument("--start", help="first day, YYYY-MM-DD ('' for none)")
    p.add_argument("--end", help="last day, YYYY-MM-DD ('' for none)")
    p.add_argument("--objective")
    p.add_argument("--notes")
    if editing:
        p.add_argument("--name", help="a new name")


if TYPE_CHECKING:
    _Sub = argparse._SubParsersAction[argparse.ArgumentParser]


def _register_campaign(sub: _Sub, common: list[argparse.ArgumentParser]) -> None:
    camp = sub.add_parser("campaign", parents=common, help="campaigns: dates, objective, colour")
    verbs = camp.add_subparsers(dest="verb", metavar="VERB", required=True)
    lst = verbs.add_parser("list", parents=common, help="campaigns with their post counts")
    lst.add_argument("--workspace")
    lst.set_defaults(handler=cmd_campaign_list)
    add = verbs.add_parser("add", parents=common, help="add a campaign")
    add.add_argument("name")
    add.add_argument("--workspace")
    _campaign_fields(add, editing=False)
    add.set_defaults(handler=cmd_campaign_add)
    edit = verbs.add_parser("edit", parents=common, help="change a campaign")
    edit.add_argument("campaign", help="name or id")
    edit.add_argument("--workspace")
    _campaign_fields(edit, editing=True)
    edit.set_defaults(handler=cmd_campaign_edit)
    remove = verbs.add_parser("remove", parents=common, help="remove a campaign (posts stay)")
    remove.add_argument("campaign", help="name or id")
    remove.add_argument("--workspace")
    remove.set_defaults(handler=cmd_campaign_remove)


def _register_tag(sub: _Sub, common: list[argparse.ArgumentParser]) -> None:
    tag = sub.add_parser("tag", parents=common, help="content pillars and tags")
    verbs = tag.add_subparsers(dest="verb", metavar="VERB", required=True)
    lst = verbs.add_parser("list", parents=common, help="pillars and tags with their post counts")
    lst.add_argument("--workspace")
    lst.set_defaults(handler=cmd_tag_list)
    add = verbs.add_parser("add", parents=common, help="add a tag (or a pillar with --pillar)")
    add.add_argument("name")
    add.add_argument("--pillar", action="store_true", help="a content pillar, not a tag")
    add.add_argument("--color", default="#7f8c8d", help="#RRGGBB")
    add.add_argument("--workspace")
    add.set_defaults(handler=cmd_tag_add)
    edit = verbs.add_parser("edit", parents=common, help="rename or recolour a tag or pillar")
    edit.add_argument("label", help="name or id")
    edit.add_argument("--name")
    edit.add_argument("--color")
    edit.add_argument("--workspace")
    edit.set_defaults(handler=cmd_tag_edit)
    remove = verbs.add_parser("remove", parents=common, help="remove a tag or pillar")
    remove.add_argument("label", help="name or id")
    remove.add_argument("--workspace")
    remove.set_defaults(handler=cmd_tag_remove)
    merge = verbs.add_parser("merge", parents=common, help="merge SOURCE into TARGET")
    merge.add_argument("source", help="name or id")
    merge.add_argument("target", help="name or id")
    merge.add_argument("--workspace")
    merge.set_defaults(handler=cmd_tag_merge)
    assign = verbs.add_parser("assign", parents=common, help="label posts")
    assign.add_argument("posts", type=int, nargs="+", help="post ids")
    assign.add_argument("--campaign", help="campaign name or id ('' for none)")
    assign.add_argument("--pillar", help="pillar name or id ('' for none)")
    assign.add_argument("--add", action="append", default=[], help="a tag to add")
    assign.add_argument("--remove", action="append", default=[], help="a tag to remove")
    assign.add_argument("--workspace")
    assign.set_defaults(handler=cmd_tag_assign)


# --- finding things by name ----------------------------------------------------------------------


def _day(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{what} {text!r} is not a date: write it as YYYY-MM-DD.") from None


def _campaign(ctx: AppContext, wid: int, key: str) -> CampaignDTO:
    rows = [s.campaign for s in ctx.campaigns.list_campaigns(wid)]
    found = [c for c in rows if str(c.id) == key or c.name.lower() == key.strip().lower()]
    if not found:
        known = ", ".join(c.name for c in rows) or "none yet"
        raise ValidationError(f"There is no campaign called {key!r} (campaigns: {known}).")
    return found[0]


def _label(ctx: AppContext, wid: int, key: str, kind: str | None = None) -> TagDTO:
    rows = [s.tag for s in ctx.campaigns.list_labels(wid) if kind is None or s.tag.kind == kind]
    wanted = key.strip().lstrip("#").lower()
    found = [t for t in rows if str(t.id) == key or t.name.lower() == wanted]
    if len(found) > 1:
        raise ValidationError(f"{key!r} is both a pillar and a tag: give its id instead.")
    if not found:
        what = {"pillar": "pillar", "tag": "tag"}.get(kind or "", "pillar or tag")
        known = ", ".join(t.name for t in rows) or "none yet"
        raise ValidationError(f"There is no {what} called {key!r} (known: {known}).")
    return found[0]


# --- campaigns -------------------------------------------------------------------------------------


def cmd_campaign_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        rows = ctx.campaigns.list_campaigns(workspace(ctx, args.workspace).id)
        if args.json:
            emit_json([{**_as_dict(s.campaign), "posts": s.posts, "published": s.published,
                        "scheduled": s.scheduled} for s in rows])  # fmt: skip
            return 0
        for s in rows:
            c = s.campaign
            dates = f"{c.starts_on or '…'} → {c.ends_on or '…'}"
            print(f"{c.id:>4}  {c.name}  {dates}  {c.color}  {s.published}/{s.posts} published")
        if not rows:
            print("No campaigns yet: cmdesk campaign add NAME --start YYYY-MM-DD --end YYYY-MM-DD")
    return 0


def _as_dict(c: CampaignDTO) -> dict[str, object]:
    return {
        "id": c.id,
        "name": c.name,
        "color": c.color,
        "starts_on": c.starts_on.isoformat() if c.starts_on else None,
        "ends_on": c.ends_on.isoformat() if c.ends_on else None,
        "objective": c.objective,
        "notes": c.notes,
    }


def cmd_campaign_add(args: argparse.Namespace) -> int:
    data = CampaignInput(
        name=args.name,
        color=args.color or "#8e44ad",
        starts_on=_day(args.start, "--start"),
        ends_on=_day(args.end, "--end"),
        objective=args.objective or "",
        notes=args.notes or "",
    )
    with context(args) as ctx:
        cid = ctx.campaigns.create_campaign(workspace(ctx, args.workspace).id, data).subject
        print(f"Campaign {cid} added: {ctx.campaigns.get_campaign(cid or 0).name}")
    return 0


def cmd_campaign_edit(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        c = _campaign(ctx, workspace(ctx, args.workspace).id, args.campaign)
        data = CampaignInput(c.name, c.color, c.starts_on, c.ends_on, c.objective, c.notes)
        changes: dict[str, object] = {}
        if args.name is not None:
            changes["name"] = args.name
        if args.color is not None:
            changes["color"] = args.color
        if args.start is not None:
            changes["starts_on"] = _day(args.start, "--start")
        if args.end is not None:
            changes["ends_on"] = _day(args.end, "--end")
        if args.objective is not None:
            changes["objective"] = args.objective
        if args.notes is not None:
            changes["notes"] = args.notes
        ctx.campaigns.update_campaign(c.id, replace(data, **changes))  # type: ignore[arg-type]
        print(f"Campaign {c.id} saved.")
    return 0


def cmd_campaign_remove(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        c = _campaign(ctx, workspace(ctx, args.workspace).id, args.campaign)
        ctx.campaigns.delete_campaign(c.id)
        print(f"Campaign {c.name!r} removed; its posts stay in the plan.")
    return 0


# --- labels ----------------------------------------------------------------------------------------


def cmd_tag_list(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        rows = ctx.campaigns.list_labels(workspace(ctx, args.workspace).id)
        if args.json:
            emit_json([{"id": s.tag.id, "kind": s.tag.kind, "name": s.tag.name,
                        "color": s.tag.color, "posts": s.posts} for s in rows])  # fmt: skip
            return 0
        for s in rows:
            print(f"{s.tag.id:>4}  {s.tag.kind:<6}  {s.tag.name}  {s.tag.color}  {s.posts} posts")
        if not rows:
            print("No pillars or tags yet: cmdesk tag add NAME [--pillar]")
    return 0


def cmd_tag_add(args: argparse.Namespace) -> int:
    kind = "pillar" if args.pillar else "tag"
    with context(args) as ctx:
        wid = workspace(ctx, args.workspace).id
        tid = ctx.campaigns.create_label(wid, kind, args.name, args.color).subject
        print(f"{kind.capitalize()} {tid} added: {ctx.campaigns.get_label(tid or 0).name}")
    return 0


def cmd_tag_edit(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        t = _label(ctx, workspace(ctx, args.workspace).id, args.label)
        ctx.campaigns.update_label(t.id, name=args.name, color=args.color)
        print(f"{t.kind.capitalize()} {t.id} saved.")
    return 0


def cmd_tag_remove(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        t = _label(ctx, workspace(ctx, args.workspace).id, args.label)
        ctx.campaigns.delete_label(t.id)
        print(f"{t.kind.capitalize()} {t.name!r} removed; its posts stay in the plan.")
    return 0


def cmd_tag_merge(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        wid = workspace(ctx, args.workspace).id
        source = _label(ctx, wid, args.source)
        target = _label(ctx, wid, args.target, source.kind)
        changes = ctx.campaigns.merge_labels(source.id, target.id)
        moved = len(changes.ids("post"))
        print(f"{source.name!r} merged into {target.name!r} ({moved} posts).")
    return 0


def cmd_tag_assign(args: argparse.Namespace) -> int:
    with context(args) as ctx:
        wid = workspace(ctx, args.workspace).id
        camp = _campaign(ctx, wid, args.campaign).id if args.campaign else None
        pillar = _label(ctx, wid, args.pillar, "pillar").id if args.pillar else None
        ctx.campaigns.label_posts(
            args.posts,
            campaign_id=camp,
            pillar_id=pillar,
            add_tag_ids=[_label(ctx, wid, t, "tag").id for t in args.add],
            remove_tag_ids=[_label(ctx, wid, t, "tag").id for t in args.remove],
            clear_campaign=args.campaign == "",
            clear_pillar=args.pillar == "",
        )
        print(f"{len(set(args.posts))} posts labelled.")
    return 0
