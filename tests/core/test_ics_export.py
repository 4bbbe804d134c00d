"""iCalendar export read back with the icalendar library; the subscribed file kept current."""

from __future__ import annotations

import time as systime
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, PostInput
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet
from cmdesk.exchange import upkeep
from cmdesk.housekeeping import Housekeeper
from cmdesk.models import Campaign, Tag, Target
from cmdesk.status import PostStatus
from tests.core.helpers import channel, madrid, workspace


def _plan(ctx: AppContext) -> tuple[int, int, dict[str, int]]:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    with ctx.db.session(write=True) as s:
        camp = Campaign(workspace_id=wid, name="Spring")
        tag = Tag(workspace_id=wid, kind="tag", name="promo")
        s.add_all([camp, tag])
        s.flush()
        camp_id, tag_id = camp.id, tag.id
    ids: dict[str, int] = {}
    for key, day, status, extra in (
        ("march", date(2026, 3, 30), PostStatus.SCHEDULED, {"campaign_id": camp_id}),
        ("april", date(2026, 4, 15), PostStatus.SCHEDULED, {"tag_ids": (tag_id,)}),
        ("draft", date(2026, 4, 16), PostStatus.DRAFT, {}),
    ):
        data = PostInput(title=key.title(), text=f"About {key}", channel_ids=(cid,), **extra)  # type: ignore[arg-type]
        pid = ctx.plan.create_post(wid, data, status=status, scheduled_at=madrid(day, 9)).subject
        assert pid is not None
        ids[key] = pid
    return wid, cid, ids


def _events(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_scheduled_posts_become_events_with_stable_uids(ctx: AppContext, tmp_path: Path) -> None:
    wid, _cid, ids = _plan(ctx)
    out = tmp_path / "plan.ics"
    assert ctx.exchange.export_ics(wid, out) == 2
    events = _events(out.read_bytes())
    assert set(events) == {f"post-{ids['march']}@cmdesk", f"post-{ids['april']}@cmdesk"}
    march = events[f"post-{ids['march']}@cmdesk"]
    assert march["DTSTART"].dt == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # type: ignore[index]
    assert str(march["SUMMARY"]) == "March"  # type: ignore[index]
    description = str(march["DESCRIPTION"])  # type: ignore[index]
    assert "About march" in description and "Channels: Masto" in description
    assert "Status: Scheduled" in description
    assert march["CATEGORIES"].cats == ["Spring"]  # type: ignore[index]
    april = events[f"post-{ids['april']}@cmdesk"]
    assert april["CATEGORIES"].cats == ["promo"]  # type: ignore[index]


def test_a_range_and_a_filter_select_events(ctx: AppContext) -> None:
    wid, _cid, ids = _plan(ctx)
    data, n = ctx.exchange.render_ics(wid, date(2026, 4, 1), date(2026, 4, 30))
    assert n == 1 and set(_events(data)) == {f"post-{ids['april']}@cmdesk"}
    data, n = ctx.exchange.render_ics(wid, filter=PostFilter(text="march"))
    assert n == 1 and set(_events(data)) == {f"post-{ids['march']}@cmdesk"}
    with pytest.raises(ValidationError, match="end date is before"):
        ctx.exchange.render_ics(wid, date(2026, 4, 2), date(2026, 4, 1))


def test_a_posts_url_and_revision_become_url_and_sequence(ctx: AppContext) -> None:
    wid, cid, ids = _plan(ctx)
    pid = ids["april"]
    ctx.plan.reschedule_post(pid, madrid(date(2026, 4, 15), 10))
    with ctx.db.session(write=True) as s:
        target = s.query(Target).filter_by(post_id=pid, channel_id=cid).one()
        target.remote_url = "https://example.social/@brand/1"
    event = _events(ctx.exchange.render_ics(wid)[0])[f"post-{pid}@cmdesk"]
    assert str(event["URL"]) == "https://example.social/@brand/1"  # type: ignore[index]
    assert int(event["SEQUENCE"]) == 1  # type: ignore[index]
    assert event["DTSTART"].dt == datetime(2026, 4, 15, 8, 0, tzinfo=UTC)  # type: ignore[index]


def test_the_file_is_the_same_bytes_for_the_same_plan(ctx: AppContext) -> None:
    wid, _cid, _ids = _plan(ctx)
    assert ctx.exchange.render_ics(wid)[0] == ctx.exchange.render_ics(wid)[0]


def test_csv_export_writes_newlines_and_quotes_that_read_back(
    ctx: AppContext, tmp_path: Path
) -> None:
    wid = workspace(ctx)
    ctx.plan.create_post(wid, PostInput(text='He said "hi",\nthen; left | \\ ok'))
    out = tmp_path / "plan.csv"
    assert ctx.exchange.export_csv(wid, out) == 1
    other = workspace(ctx, "Other")
    plan = ctx.exchange.check_csv(other, out)
    assert plan.ok and plan.posts[0].text == 'He said "hi",\nthen; left | \\ ok'


# --- the subscription file ----------------------------------------------------------------------


def test_subscription_written_only_when_the_plan_changed(ctx: AppContext, tmp_path: Path) -> None:
    _wid, _cid, ids = _plan(ctx)
    assert upkeep.write_subscriptions(ctx) == []  # off by default
    ctx.settings.set("ics_folder", str(tmp_path))
    path = tmp_path / "Brand.ics"
    assert upkeep.write_subscriptions(ctx) == [path]
    assert len(_events(path.read_bytes())) == 2
    stamp = path.stat().st_mtime_ns
    systime.sleep(0.01)
    assert upkeep.write_subscriptions(ctx) == []
    assert path.stat().st_mtime_ns == stamp
    ctx.plan.unschedule_post(ids["march"])
    assert upkeep.write_subscriptions(ctx) == [path]
    assert set(_events(path.read_bytes())) == {f"post-{ids['april']}@cmdesk"}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_subscription_names_are_safe_file_names(tmp_path: Path) -> None:
    assert upkeep.subscription_path(tmp_path, "A/B: c?") == tmp_path / "A-B- c.ics"
    assert upkeep.subscription_path(tmp_path, "..") == tmp_path / "workspace.ics"


def test_plan_changes_ask_for_an_early_write() -> None:
    assert upkeep.concerns_calendar(ChangeSet.of(updated=[("post", 1)]))
    assert upkeep.concerns_calendar(
        ChangeSet.of(updated=[("setting", 0)], description="setting:ics_folder")
    )
    assert not upkeep.concerns_calendar(
        ChangeSet.of(updated=[("setting", 0)], description="setting:theme")
    )
    assert not upkeep.concerns_calendar(ChangeSet.of(created=[("idea", 3)]))


def test_through_a_real_housekeeper(ctx: AppContext, tmp_path: Path) -> None:
    wid, _cid, ids = _plan(ctx)
    ctx.settings.set("ics_folder", str(tmp_path))
    keeper = Housekeeper()
    upkeep.register_upkeep(keeper, ctx)
    assert upkeep.TASK in keeper.names
    keeper.start()
    try:
        path = tmp_path / "Brand.ics"
        assert keeper.run_now(upkeep.TASK) and path.is_file()
        ctx.plan.unschedule_post(ids["april"])  # a change asks for a write a moment later
        deadline = systime.monotonic() + 10
        while f"post-{ids['april']}@cmdesk" in _events(path.read_bytes()):
            assert systime.monotonic() < deadline, "the early write never came"
            systime.sleep(0.1)
    finally:
        keeper.stop()
    assert wid and timedelta(0) < upkeep.EVERY
