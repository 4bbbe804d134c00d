"""Engagement in the UI: the List page's column, the calendar tooltip, the composer's line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cmdesk.adapters.metrics import Metrics
from cmdesk.bootstrap import AppContext
from cmdesk.dto import MetricsDTO, PostSummary
from cmdesk.models import Post, Target
from cmdesk.services.metrics import DueTarget
from cmdesk.status import PostStatus, TargetState
from ui.actions import PlanActions
from ui.bridge import EventBridge
from ui.models.month import MonthModel, MonthPeriod
from ui.models.post_table import PostColumn, PostTableModel, PostTableRole
from ui.views import list_page
from ui.views.composer.channel_tab import ChannelTab
from ui.views.list_page import ListPage

TAKEN = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def snap(ctx: AppContext, post_id: int, likes: int, reposts: int, replies: int) -> None:
    """Store a snapshot for each published target of the post through the service."""
    with ctx.db.session(write=False) as s:
        rows = s.execute(
            select(Target.id, Target.channel_id, Target.remote_id, Target.published_at).where(
                Target.post_id == post_id, Target.state == TargetState.PUBLISHED.value
            )
        ).all()
    due = [DueTarget(tid, cid, rid or f"r{tid}", at) for tid, cid, rid, at in rows]
    answer = {t.remote_id: Metrics(likes=likes, reposts=reposts, replies=replies) for t in due}
    assert ctx.metrics._store(due, answer) == len(due)


def published_post(ctx: AppContext) -> PostSummary:
    ws = ctx.workspaces.list()[0]
    with ctx.db.session(write=False) as s:
        pid = s.scalars(
            select(Post.id)
            .join(Target, Target.post_id == Post.id)
            .where(Post.workspace_id == ws.id, Post.status == PostStatus.PUBLISHED.value)
            .order_by(Post.scheduled_at.desc())
            .limit(1)
        ).one()
    return next(p for p in ctx.plan.list_posts(ws.id) if p.id == pid)


def _summary(pid: int, status: PostStatus, at: datetime | None = TAKEN) -> PostSummary:
    return PostSummary(pid, 1, f"Post {pid}", "", status, at, None, (1,), 1)


def test_the_table_model_shows_sorts_and_explains_the_counts(qtbot: QtBot) -> None:
    model = PostTableModel()
    model.set_posts([_summary(1, PostStatus.PUBLISHED), _summary(2, PostStatus.DRAFT)])
    tester = ModelTester(qtbot)
    tester.check(model)
    one = MetricsDTO(12, 3, 2, None, None, TAKEN, {1: MetricsDTO(12, 3, 2, None, None, TAKEN)})
    with qtbot.waitSignal(model.dataChanged):
        model.set_engagement({1: one})
    tester.check(model)
    first = model.index(0, PostColumn.ENGAGEMENT)
    second = model.index(1, PostColumn.ENGAGEMENT)
    assert first.data() == "12 likes · 3 reposts · 2 replies"
    assert second.data() == ""
    assert first.data(PostTableRole.SORT) == 17 and second.data(PostTableRole.SORT) == -1
    assert first.data(PostTableRole.METRICS) == one
    assert "#1: 12 likes" in first.data(Qt.ItemDataRole.ToolTipRole)
    header = model.headerData(PostColumn.ENGAGEMENT, Qt.Orientation.Horizontal)
    assert header == "Engagement"


@pytest.fixture
def page(qtbot: QtBot, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> Iterator[ListPage]:
    def fail(_parent: object, exc: BaseException) -> None:
        raise AssertionError(f"unexpected error dialog: {exc}")

    monkeypatch.setattr(list_page, "show_error", fail)
    page = ListPage(demo_ctx, PlanActions(demo_ctx))
    bridge = EventBridge(demo_ctx.hub, page)
    bridge.changed.connect(page.on_changes)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.set_workspace(demo_ctx.workspaces.list()[0])
    page.show()
    qtbot.waitExposed(page)
    yield page
    bridge.close()


def _engagement_text(page: ListPage, post_id: int) -> str:
    row = page.model.row_of(post_id)
    assert row is not None
    return str(page.model.index(row, PostColumn.ENGAGEMENT).data())


def test_the_list_page_shows_the_latest_counts_and_follows_new_snapshots(
    qtbot: QtBot, page: ListPage, demo_ctx: AppContext
) -> None:
    post = published_post(demo_ctx)
    assert _engagement_text(page, post.id) == ""
    snap(demo_ctx, post.id, 4, 1, 0)
    qtbot.waitUntil(lambda: _engagement_text(page, post.id) != "")
    with demo_ctx.db.session(write=False) as s:
        channels = len(
            s.scalars(
                select(Target.id).where(
                    Target.post_id == post.id, Target.state == TargetState.PUBLISHED.value
                )
            ).all()
        )
    assert _engagement_text(page, post.id) == (
        f"{4 * channels} likes · {channels} repost{'s' if channels > 1 else ''} · 0 replies"
    )
    calls: list[list[int]] = []
    real = demo_ctx.metrics.latest

    def counted(ids: list[int]) -> dict[int, MetricsDTO]:
        calls.append(list(ids))
        return real(ids)

    page.ctx.metrics.latest = counted  # type: ignore[method-assign]
    page.reload()
    assert len(calls) == 1  # one call a reload, for the published rows only
    shown = {p.id: p.status for p in page.model.posts()}
    assert calls[0] and all(shown[i] is PostStatus.PUBLISHED for i in calls[0])


def test_the_calendar_tooltip_gives_the_counts_of_published_posts(qtbot: QtBot) -> None:
    day = datetime(2026, 3, 10, 8, tzinfo=UTC)
    model = MonthModel(MonthPeriod(2026, 3, "Europe/Madrid"))
    model.set_posts(
        [_summary(1, PostStatus.PUBLISHED, day), _summary(2, PostStatus.SCHEDULED, day)]
    )
    assert model.published_ids() == [1]
    cell = model.index_for_date(day.date())
    assert "likes" not in cell.data(Qt.ItemDataRole.ToolTipRole)
    metrics = MetricsDTO(12, 3, 2, None, None, TAKEN)
    with qtbot.waitSignal(model.dataChanged):
        model.set_engagement({1: metrics, 2: metrics})
    lines = cell.data(Qt.ItemDataRole.ToolTipRole).splitlines()
    assert any("Post 1 — 12 likes · 3 reposts · 2 replies" in line for line in lines)
    assert not any("Post 2 —" in line for line in lines)  # only published posts
    ModelTester(qtbot).check(model)


def test_the_composer_tab_shows_the_channels_counts(qtbot: QtBot, demo_ctx: AppContext) -> None:
    channel = demo_ctx.channels.list(demo_ctx.workspaces.list()[0].id)[0]
    tab = ChannelTab(demo_ctx, channel)
    qtbot.addWidget(tab)
    tab.show()
    assert tab.engagement.isHidden()
    tab.set_engagement(MetricsDTO(5, 1, 1, 2, None, TAKEN), "Europe/Madrid")
    assert tab.engagement.isVisible()
    assert tab.engagement.text() == "Engagement: 5 likes · 1 repost · 1 reply · 2 quotes"
    assert "10:00" in tab.engagement.toolTip()  # counted at 09:00 UTC, shown in Madrid time
    tab.set_engagement(None)
    assert tab.engagement.isHidden()
