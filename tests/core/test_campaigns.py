"""Campaigns, pillars and tags: validation, counts, bands, merges, and the filters that use them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from cmdesk.bootstrap import AppContext
from cmdesk.campaigns.dto import CampaignInput
from cmdesk.clock import FakeClock
from cmdesk.dto import PostFilter, PostInput
from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time
from tests.core.helpers import channel, madrid, post, workspace


def _campaign(ctx: AppContext, wid: int, name: str = "Spring", **kw: object) -> int:
    cid = ctx.campaigns.create_campaign(wid, CampaignInput(name=name, **kw)).subject  # type: ignore[arg-type]
    assert cid is not None
    return cid


def _label(ctx: AppContext, wid: int, kind: str, name: str, color: str = "#112233") -> int:
    tid = ctx.campaigns.create_label(wid, kind, name, color).subject
    assert tid is not None
    return tid


def test_create_edit_and_delete_a_campaign(ctx: AppContext, events: list[ChangeSet]) -> None:
    wid = workspace(ctx)
    cid = _campaign(
        ctx,
        wid,
        "  Spring   launch ",
        color="#AABBCC",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
        objective="Sell 100 bundles",
    )
    assert events[-1].ids("campaign", "created") == {cid}
    got = ctx.campaigns.get_campaign(cid)
    assert (got.name, got.color, got.objective) == ("Spring launch", "#aabbcc", "Sell 100 bundles")
    ctx.campaigns.update_campaign(
        cid, CampaignInput("Spring", "#000000", date(2026, 3, 2), None, "", "notes")
    )
    got = ctx.campaigns.get_campaign(cid)
    assert (got.name, got.starts_on, got.ends_on, got.notes) == (
        "Spring",
        date(2026, 3, 2),
        None,
        "notes",
    )
    pid = ctx.plan.create_post(wid, PostInput(title="In it", campaign_id=cid)).subject
    assert pid is not None
    changes = ctx.campaigns.delete_campaign(cid)
    assert changes.ids("campaign", "deleted") == {cid}
    assert changes.ids("post", "updated") == {pid}
    assert ctx.plan.get_post(pid).campaign_id is None
    with pytest.raises(NotFoundError):
        ctx.campaigns.get_campaign(cid)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (CampaignInput(name="  "), "needs a name"),
        (CampaignInput(name="X", color="red"), "not a colour"),
        (CampaignInput(name="X", color="#12345"), "not a colour"),
        (CampaignInput(name="X", starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 4)), "before"),
        (CampaignInput(name="x" * 121), "at most 120"),
    ],
)
def test_bad_campaign_input_is_refused_and_nothing_is_written(
    ctx: AppContext, data: CampaignInput, message: str
) -> None:
    wid = workspace(ctx)
    with pytest.raises(ValidationError, match=message):
        ctx.campaigns.create_campaign(wid, data)
    assert ctx.campaigns.list_campaigns(wid) == []


def test_campaign_names_are_unique_per_workspace_ignoring_case(ctx: AppContext) -> None:
    wid, other = workspace(ctx), workspace(ctx, "Other")
    first = _campaign(ctx, wid, "Summer")
    with pytest.raises(ValidationError, match="already has a campaign"):
        _campaign(ctx, wid, "summer")
    _campaign(ctx, other, "Summer")  # another workspace may use it
    second = _campaign(ctx, wid, "Autumn")
    with pytest.raises(ValidationError, match="already has a campaign"):
        ctx.campaigns.update_campaign(second, CampaignInput("SUMMER"))
    ctx.campaigns.update_campaign(first, CampaignInput("summer"))  # its own name in another case
    assert sorted(c.campaign.name for c in ctx.campaigns.list_campaigns(wid)) == [
        "Autumn",
        "summer",
    ]


def test_campaign_counts_and_progress(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = _campaign(ctx, wid)
    ch = channel(ctx, wid)
    a = post(ctx, wid, channels=(ch,), at=madrid(date(2026, 3, 25), 9))
    b = post(ctx, wid, channels=(ch,), at=madrid(date(2026, 3, 26), 9))
    c = post(ctx, wid, channels=(ch,))
    d = post(ctx, wid, channels=(ch,))
    ctx.campaigns.label_posts([a, b, c, d], campaign_id=cid)
    ctx.plan.schedule_post(a)
    ctx.plan.change_status(d, PostStatus.ARCHIVED)
    ctx.plan.delete_post(c)
    (stats,) = ctx.campaigns.list_campaigns(wid)
    assert (stats.posts, stats.published, stats.scheduled) == (2, 0, 1)
    assert stats.progress == 0.0


def test_bands_clip_to_the_range_and_cross_the_month_edge(ctx: AppContext) -> None:
    wid = workspace(ctx)
    across = _campaign(ctx, wid, "Across", starts_on=date(2026, 2, 20), ends_on=date(2026, 3, 3))
    _campaign(ctx, wid, "Before", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31))
    _campaign(ctx, wid, "No dates")
    open_end = _campaign(ctx, wid, "Open", starts_on=date(2026, 3, 30))
    bands = ctx.campaigns.bands(wid, date(2026, 3, 1), date(2026, 4, 30))
    got = {b.campaign.id: (b.first, b.last, b.open_start, b.open_end) for b in bands}
    assert got == {
        across: (date(2026, 3, 1), date(2026, 3, 3), False, False),
        open_end: (date(2026, 3, 30), date(2026, 4, 30), False, True),
    }
    assert ctx.campaigns.bands(wid, date(2026, 3, 5), date(2026, 3, 1)) == []


def test_labels_create_rename_recolour_and_refuse_bad_input(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pillar = _label(ctx, wid, "pillar", "Product")
    tag = _label(ctx, wid, "tag", "#launch")
    assert ctx.campaigns.get_label(tag).name == "launch"
    _label(ctx, wid, "tag", "Product")  # a tag may share a pillar's name
    with pytest.raises(ValidationError, match="already has a pillar"):
        _label(ctx, wid, "pillar", "product")
    with pytest.raises(ValidationError, match="not a colour"):
        ctx.campaigns.update_label(pillar, color="blue")
    with pytest.raises(ValidationError, match="pillar or a tag"):
        _label(ctx, wid, "topic", "X")
    with pytest.raises(ValidationError, match="needs a name"):
        ctx.campaigns.update_label(pillar, name=" ")
    ctx.campaigns.update_label(pillar, name="Products", color="#ABCDEF")
    got = ctx.campaigns.get_label(pillar)
    assert (got.name, got.color, got.kind) == ("Products", "#abcdef", "pillar")
    kinds = [(s.tag.kind, s.tag.name) for s in ctx.campaigns.list_labels(wid)]
    assert kinds == [("pillar", "Products"), ("tag", "launch"), ("tag", "Product")]


def test_merge_moves_posts_without_duplicates_and_delete_keeps_posts(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a, b = _label(ctx, wid, "tag", "promo"), _label(ctx, wid, "tag", "promotion")
    p1 = ctx.plan.create_post(wid, PostInput(title="1", tag_ids=(a, b))).subject
    p2 = ctx.plan.create_post(wid, PostInput(title="2", tag_ids=(b,))).subject
    assert p1 is not None and p2 is not None
    changes = ctx.campaigns.merge_labels(b, a)
    assert changes.ids("tag", "deleted") == {b}
    assert changes.ids("post") == {p1, p2}
    assert ctx.plan.get_post(p1).tag_ids == (a,)
    assert ctx.plan.get_post(p2).tag_ids == (a,)
    counts = {s.tag.id: s.posts for s in ctx.campaigns.list_labels(wid)}
    assert counts == {a: 2}
    ctx.campaigns.delete_label(a)
    assert ctx.plan.get_post(p1).tag_ids == ()


def test_merge_refuses_different_kinds_and_moves_pillars(ctx: AppContext) -> None:
    wid = workspace(ctx)
    p, q, t = (
        _label(ctx, wid, "pillar", "A"),
        _label(ctx, wid, "pillar", "B"),
        _label(ctx, wid, "tag", "c"),
    )
    with pytest.raises(ValidationError, match="same workspace"):
        ctx.campaigns.merge_labels(t, p)
    with pytest.raises(ValidationError, match="two different"):
        ctx.campaigns.merge_labels(p, p)
    pid = ctx.plan.create_post(wid, PostInput(title="x", pillar_id=q)).subject
    assert pid is not None
    ctx.campaigns.merge_labels(q, p)
    assert ctx.plan.get_post(pid).pillar_id == p


def test_label_posts_checks_everything_before_writing(ctx: AppContext) -> None:
    wid, other = workspace(ctx), workspace(ctx, "Other")
    pillar, tag = _label(ctx, wid, "pillar", "P"), _label(ctx, wid, "tag", "t")
    foreign = _label(ctx, other, "tag", "t")
    p1, p2 = post(ctx, wid), post(ctx, wid)
    before = ctx.plan.get_post(p1).revision
    with pytest.raises(ValidationError):
        ctx.campaigns.label_posts([p1, p2], pillar_id=pillar, add_tag_ids=[foreign])
    with pytest.raises(ValidationError, match="not a content pillar"):
        ctx.campaigns.label_posts([p1], pillar_id=tag)
    assert ctx.plan.get_post(p1).pillar_id is None
    ctx.campaigns.label_posts([p1, p2], pillar_id=pillar, add_tag_ids=[tag])
    d = ctx.plan.get_post(p1)
    assert (d.pillar_id, d.tag_ids, d.revision) == (pillar, (tag,), before + 1)
    ctx.campaigns.label_posts([p1], remove_tag_ids=[tag], clear_pillar=True)
    d = ctx.plan.get_post(p1)
    assert (d.pillar_id, d.tag_ids) == (None, ())


def test_filters_by_campaign_pillar_and_tag_in_calendar_reads(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = _campaign(ctx, wid)
    pillar, tag = _label(ctx, wid, "pillar", "P"), _label(ctx, wid, "tag", "t")
    day = date(2026, 3, 25)
    a = post(ctx, wid, title="a", at=madrid(day, 9))
    b = post(ctx, wid, title="b", at=madrid(day, 10))
    c = post(ctx, wid, title="c", at=madrid(day, 11))
    ctx.campaigns.label_posts([a], campaign_id=cid)
    ctx.campaigns.label_posts([b], pillar_id=pillar)
    ctx.campaigns.label_posts([c], add_tag_ids=[tag])

    def shown(f: PostFilter) -> set[int]:
        days = ctx.plan.calendar_days(wid, day, date(2026, 3, 26), filter=f)
        week = ctx.plan.list_window(wid, madrid(day, 0), madrid(date(2026, 3, 26), 0), f)
        assert {p.id for p in week} == {p.id for p in days.posts}
        return {p.id for p in days.posts}

    assert shown(PostFilter()) == {a, b, c}
    assert shown(PostFilter(campaign_ids=frozenset({cid}))) == {a}
    assert shown(PostFilter(pillar_ids=frozenset({pillar}))) == {b}
    assert shown(PostFilter(tag_ids=frozenset({tag}))) == {c}
    assert shown(PostFilter(pillar_ids=frozenset({pillar}), tag_ids=frozenset({tag}))) == set()
    assert ctx.plan.calendar_days(
        wid, day, date(2026, 3, 26), filter=PostFilter(pillar_ids=frozenset({pillar}))
    ).day_counts == {day: 1}


@pytest.mark.parametrize(
    ("zone", "day", "early", "late"),
    [
        ("Europe/Madrid", date(2026, 3, 29), (1, 30), (3, 30)),
        ("Europe/Madrid", date(2026, 10, 25), (2, 30), (23, 30)),
        ("America/New_York", date(2026, 3, 8), (1, 30), (3, 30)),
        ("America/New_York", date(2026, 11, 1), (1, 30), (23, 30)),
    ],
)
def test_pillar_filter_counts_the_right_local_day_across_daylight_saving(
    ctx: AppContext,
    clock: FakeClock,
    zone: str,
    day: date,
    early: tuple[int, int],
    late: tuple[int, int],
) -> None:
    clock.set(datetime(2026, 1, 1, tzinfo=UTC))  # every day of the cases is still ahead
    wid = workspace(ctx, tz=zone)
    pillar = _label(ctx, wid, "pillar", "P")
    inside = [at_wall_time(day, time(*hm), zone) for hm in (early, late)]
    outside = [
        at_wall_time(day - timedelta(days=1), time(23, 30), zone),
        at_wall_time(day + timedelta(days=1), time(0, 30), zone),
    ]
    ids = [post(ctx, wid, title=f"p{i}", at=when) for i, when in enumerate(inside + outside)]
    ctx.campaigns.label_posts(ids, pillar_id=pillar)
    f = PostFilter(pillar_ids=frozenset({pillar}))
    days = ctx.plan.calendar_days(wid, day - timedelta(days=1), day + timedelta(days=2), filter=f)
    assert days.day_counts == {day - timedelta(days=1): 1, day: 2, day + timedelta(days=1): 1}


def test_unscheduled_posts_follow_the_calendar_filter(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = _campaign(ctx, wid)
    a, b = post(ctx, wid, title="in"), post(ctx, wid, title="out")
    ctx.campaigns.label_posts([a], campaign_id=cid)
    assert {p.id for p in ctx.plan.list_unscheduled(wid)} == {a, b}
    only = PostFilter(campaign_ids=frozenset({cid}))
    assert [p.id for p in ctx.plan.list_unscheduled(wid, only)] == [a]
    published = PostFilter(statuses=frozenset({PostStatus.PUBLISHED}))
    assert ctx.plan.list_unscheduled(wid, published) == []
    drafts = PostFilter(statuses=frozenset({PostStatus.DRAFT, PostStatus.PUBLISHED}))
    assert {p.id for p in ctx.plan.list_unscheduled(wid, drafts)} == {a, b}


def test_apply_labels_checks_the_before_state_and_reverses(ctx: AppContext) -> None:
    from cmdesk.campaigns.dto import LabelChange, PostLabels

    wid = workspace(ctx)
    cid = _campaign(ctx, wid)
    pillar, tag = _label(ctx, wid, "pillar", "P"), _label(ctx, wid, "tag", "t")
    p1, p2 = post(ctx, wid), post(ctx, wid)
    before = ctx.campaigns.labels_of([p1, p2])
    assert before == {p1: PostLabels(), p2: PostLabels()}
    after = PostLabels(cid, pillar, (tag,))
    changes = [LabelChange(pid, "x", before[pid], after) for pid in (p1, p2)]
    assert ctx.campaigns.apply_labels(changes).ids("post") == {p1, p2}
    assert ctx.campaigns.labels_of([p1, p2]) == {p1: after, p2: after}
    with pytest.raises(ValidationError, match="changed elsewhere"):
        ctx.campaigns.apply_labels(changes)  # the posts no longer stand at "before"
    ctx.campaigns.label_posts([p2], remove_tag_ids=[tag])  # someone changes p2 meanwhile
    with pytest.raises(ValidationError, match="changed elsewhere"):
        ctx.campaigns.apply_labels([c.reversed() for c in changes])
    assert ctx.campaigns.labels_of([p1])[p1] == after  # all or nothing: p1 kept its labels
    ctx.campaigns.apply_labels([changes[0].reversed()])
    assert ctx.campaigns.labels_of([p1])[p1] == PostLabels()
