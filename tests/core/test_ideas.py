"""The ideas bin: typed-in ideas, their states and filters, and an idea made into a draft."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.errors import NotFoundError, UserError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.models import Idea, Post
from cmdesk.planning.ideas_dto import IdeaFilter, IdeaState
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time, utc_to_local
from tests.core.helpers import channel, madrid, workspace

ANY = IdeaFilter(states=frozenset())


def test_add_checks_title_and_link(ctx: AppContext) -> None:
    wid = workspace(ctx)
    with pytest.raises(ValidationError, match="needs a title"):
        ctx.ideas.add(wid, "   ")
    with pytest.raises(ValidationError, match="http"):
        ctx.ideas.add(wid, "Recipe", link="javascript:alert(1)")
    with pytest.raises(ValidationError, match="at most 300"):
        ctx.ideas.add(wid, "x" * 301)
    with pytest.raises(NotFoundError):
        ctx.ideas.add(wid + 99, "Nowhere")
    assert ctx.ideas.list_ideas(wid, ANY).total == 0
    iid = ctx.ideas.add(wid, " Rye\x07 week ", "Bake\x00 it", "example.com/rye")
    idea = ctx.ideas.get_idea(iid)
    assert (idea.title, idea.text, idea.link) == ("Rye week", "Bake it", "https://example.com/rye")
    assert idea.state is IdeaState.NEW and idea.feed_id is None and idea.feed_title == ""


def test_edit_refuses_bad_input_and_changes_nothing(ctx: AppContext) -> None:
    wid = workspace(ctx)
    iid = ctx.ideas.add(wid, "Rye", link="https://example.com")
    with pytest.raises(ValidationError):
        ctx.ideas.edit(iid, "Rye", link="ftp://example.com")
    assert ctx.ideas.get_idea(iid).link == "https://example.com"
    ctx.ideas.edit(iid, "Rye bread", "Dark", "")
    assert (ctx.ideas.get_idea(iid).title, ctx.ideas.get_idea(iid).link) == ("Rye bread", "")


def test_list_filters_by_state_feed_and_text_newest_first_in_pages(
    ctx: AppContext, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    ids = []
    for n in range(5):
        ids.append(ctx.ideas.add(wid, f"Idea {n}", "about 100% rye" if n == 3 else ""))
        clock.advance(timedelta(minutes=1))
    ctx.ideas.discard([ids[0]])
    page = ctx.ideas.list_ideas(wid, offset=1, limit=2)
    assert page.total == 4 and [i.title for i in page.items] == ["Idea 3", "Idea 2"]
    assert [i.id for i in ctx.ideas.list_ideas(wid, IdeaFilter(text="100%")).items] == [ids[3]]
    assert ctx.ideas.list_ideas(wid, IdeaFilter(text="10_")).total == 0  # no wildcards
    gone = IdeaFilter(states=frozenset({IdeaState.DISCARDED}))
    assert [i.id for i in ctx.ideas.list_ideas(wid, gone).items] == [ids[0]]
    assert ctx.ideas.list_ideas(wid, IdeaFilter(feed_id=0)).total == 4  # typed in
    assert ctx.ideas.list_ideas(wid, IdeaFilter(feed_id=12345)).total == 0
    ctx.ideas.restore([ids[0]])
    assert ctx.ideas.list_ideas(wid).total == 5
    other = workspace(ctx, "Other")
    assert ctx.ideas.list_ideas(other, ANY).total == 0


def test_to_draft_makes_a_draft_and_marks_the_idea_used(
    ctx: AppContext, events: list[ChangeSet]
) -> None:
    wid = workspace(ctx)
    iid = ctx.ideas.add(wid, "Rye week", "Our rye is back.", "https://example.com/rye")
    events.clear()
    post_id = ctx.ideas.to_draft(iid)
    post = ctx.plan.get_post(post_id)
    assert post.title == "Rye week" and post.status is PostStatus.DRAFT
    assert post.text == "Our rye is back.\n\nhttps://example.com/rye"
    assert post.notes == "From the ideas bin" and post.scheduled_at is None
    idea = ctx.ideas.get_idea(iid)
    assert idea.state is IdeaState.USED and idea.post_id == post_id
    assert len(events) == 1
    assert events[0].ids("post", "created") == {post_id} and events[0].ids("idea") == {iid}
    with pytest.raises(ValidationError, match="already the post"):
        ctx.ideas.to_draft(iid)


def test_to_draft_at_a_time_and_with_channels(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    iid = ctx.ideas.add(wid, "Rye week")
    when = madrid(date(2026, 3, 30), 9)  # the day after Madrid's spring change
    post = ctx.plan.get_post(ctx.ideas.to_draft(iid, at=when, channel_ids=[cid]))
    assert post.scheduled_at == when and post.status is PostStatus.DRAFT
    assert [t.channel_id for t in post.targets] == [cid]


def test_to_draft_is_one_transaction(ctx: AppContext, clock: FakeClock) -> None:
    wid = workspace(ctx)
    other = workspace(ctx, "Other")
    foreign = channel(ctx, other)
    iid = ctx.ideas.add(wid, "Rye week")
    with pytest.raises(UserError, match="passed"):
        ctx.ideas.to_draft(iid, at=clock.now() - timedelta(days=1))
    with pytest.raises(UserError):
        ctx.ideas.to_draft(iid, channel_ids=[foreign])
    assert ctx.ideas.get_idea(iid).state is IdeaState.NEW
    with ctx.db.session() as s:
        assert s.query(Post).count() == 0
    with pytest.raises(NotFoundError):
        ctx.ideas.to_draft(9999)


def test_a_used_idea_whose_post_was_deleted_can_become_a_draft_again(ctx: AppContext) -> None:
    wid = workspace(ctx)
    iid = ctx.ideas.add(wid, "Rye week")
    first = ctx.ideas.to_draft(iid)
    ctx.plan.delete_post(first)
    second = ctx.ideas.to_draft(iid)
    assert second != first and ctx.ideas.get_idea(iid).post_id == second


def test_restored_idea_can_be_drafted_again(ctx: AppContext) -> None:
    wid = workspace(ctx)
    iid = ctx.ideas.add(wid, "Rye week")
    ctx.ideas.to_draft(iid)
    ctx.ideas.restore([iid])
    assert ctx.ideas.to_draft(iid) > 0


def test_long_idea_title_is_cut_for_the_post(ctx: AppContext) -> None:
    wid = workspace(ctx)
    iid = ctx.ideas.add(wid, "word " * 59 + "end")
    post = ctx.plan.get_post(ctx.ideas.to_draft(iid))
    assert len(post.title) <= 200 and post.title.endswith("…")


def test_feed_subscription_checks_the_address(ctx: AppContext) -> None:
    wid = workspace(ctx)
    for bad in ("", "not a url", "ftp://example.com/feed", "https://"):
        with pytest.raises(ValidationError):
            ctx.ideas.subscribe(wid, bad)
    fid = ctx.ideas.subscribe(wid, "feed://example.com/rss")
    assert ctx.ideas.get_feed(fid).url == "https://example.com/rss"
    with pytest.raises(ValidationError, match="already follows"):
        ctx.ideas.subscribe(wid, "https://example.com/rss")
    assert len(ctx.ideas.list_feeds(wid)) == 1


def test_feed_rename_pause_resume(ctx: AppContext) -> None:
    wid = workspace(ctx)
    fid = ctx.ideas.subscribe(wid, "https://example.com/rss")
    ctx.ideas.rename(fid, "  Bakery\n news ")
    ctx.ideas.set_active(fid, False)
    feed = ctx.ideas.get_feed(fid)
    assert feed.title == "Bakery news" and not feed.is_active and feed.label == "Bakery news"
    ctx.ideas.set_active(fid, True)
    assert ctx.ideas.get_feed(fid).is_active
    ctx.ideas.remove(fid)
    with pytest.raises(NotFoundError):
        ctx.ideas.get_feed(fid)


def test_deleting_the_workspace_takes_its_ideas(ctx: AppContext) -> None:
    wid = workspace(ctx)
    ctx.ideas.add(wid, "Rye week")
    with ctx.db.session(write=True) as s:
        from cmdesk.models import Workspace

        ws = s.get(Workspace, wid)
        assert ws is not None
        s.delete(ws)
    with ctx.db.session() as s:
        assert s.query(Idea).count() == 0


def test_undo_draft_trashes_the_post_and_mark_used_redoes_it(ctx: AppContext) -> None:
    wid = workspace(ctx)
    iid = ctx.ideas.add(wid, "Rye week")
    post_id = ctx.ideas.to_draft(iid)
    ctx.ideas.undo_draft(iid, post_id)
    assert ctx.ideas.get_idea(iid).state is IdeaState.NEW
    with pytest.raises(NotFoundError):
        ctx.plan.get_post(post_id)
    ctx.history.restore([post_id])
    ctx.ideas.mark_used(iid, post_id)
    idea = ctx.ideas.get_idea(iid)
    assert idea.state is IdeaState.USED and idea.post_id == post_id


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Europe/Madrid", date(2026, 3, 29)),
        ("Europe/Madrid", date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
    ],
)
def test_a_draft_on_a_daylight_saving_day_keeps_its_wall_clock_time(
    ctx: AppContext, clock: FakeClock, zone: str, day: date
) -> None:
    clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    wid = workspace(ctx, tz=zone)
    iid = ctx.ideas.add(wid, "Clocks change")
    post = ctx.plan.get_post(ctx.ideas.to_draft(iid, at=at_wall_time(day, time(9, 0), zone)))
    assert post.scheduled_at is not None
    local = utc_to_local(post.scheduled_at, zone)
    assert (local.date(), local.hour, local.minute) == (day, 9, 0)
