"""The post context menu shared by the board and the list: what it offers, and what it does."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMenu, QWidget
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, PostSummary
from cmdesk.status import PostStatus
from ui.actions import PlanActions
from ui.views import post_menu
from ui.views.post_menu import allowed_statuses, build_post_menu


def _posts(ctx: AppContext, status: PostStatus) -> list[PostSummary]:
    ws = ctx.workspaces.list()[0]
    return ctx.plan.list_posts(ws.id, PostFilter(statuses=frozenset({status})))


def _texts(menu: QMenu) -> dict[str, bool]:
    return {a.text(): a.isEnabled() for a in menu.actions() if a.text()}


def _trigger(menu: QMenu, text: str) -> None:
    next(a for a in menu.actions() if a.text() == text).trigger()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    seen: list[BaseException] = []
    monkeypatch.setattr(post_menu, "show_error", lambda _parent, exc: seen.append(exc))
    return seen


def test_a_scheduled_post_offers_unschedule_not_archive(
    qtbot: QtBot, demo_ctx: AppContext, errors: list[BaseException]
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    post = _posts(demo_ctx, PostStatus.SCHEDULED)[0]
    actions = PlanActions(demo_ctx)
    edits: list[int] = []
    menu = build_post_menu(parent, [post], actions, edits.append)
    items = _texts(menu)
    assert items["Unschedule"] and items["Publish now"] and items["Duplicate"]
    assert not items["Archive"]
    status_menu = next(a.menu() for a in menu.actions() if a.text() == "Change status")
    assert [a.text() for a in status_menu.actions()] == ["Draft", "Approved"]
    _trigger(menu, "Edit…")
    assert edits == [post.id]
    _trigger(menu, "Unschedule")
    assert demo_ctx.plan.get_post(post.id).status == PostStatus.DRAFT
    assert errors == []


def test_a_selection_changes_status_and_deletes_as_one_step(
    qtbot: QtBot, demo_ctx: AppContext, errors: list[BaseException]
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    posts = _posts(demo_ctx, PostStatus.APPROVED)[:3]
    actions = PlanActions(demo_ctx)
    menu = build_post_menu(parent, posts, actions, lambda _pid: None)
    assert "Edit…" not in _texts(menu)  # one post at a time
    assert _texts(menu)["Delete 3 posts"]
    _trigger(menu, "Archive")
    assert {demo_ctx.plan.get_post(p.id).status for p in posts} == {PostStatus.ARCHIVED}
    assert actions.undo_stack.count() == 1
    actions.undo_stack.undo()
    assert {demo_ctx.plan.get_post(p.id).status for p in posts} == {PostStatus.APPROVED}
    _trigger(menu, "Delete 3 posts")
    ws = demo_ctx.workspaces.list()[0]
    assert not {p.id for p in posts} & {p.id for p in demo_ctx.plan.list_posts(ws.id)}
    assert errors == []


def test_a_refusal_from_the_service_is_shown(
    qtbot: QtBot, demo_ctx: AppContext, errors: list[BaseException]
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    draft = next(p for p in _posts(demo_ctx, PostStatus.DRAFT) if p.scheduled_at is None)
    menu = build_post_menu(parent, [draft], PlanActions(demo_ctx), lambda _pid: None)
    status_menu = next(a.menu() for a in menu.actions() if a.text() == "Change status")
    _trigger(status_menu, "Scheduled")
    assert len(errors) == 1
    assert "Choose a date and time before scheduling." in str(errors[0])
    assert demo_ctx.plan.get_post(draft.id).status == PostStatus.DRAFT


def test_allowed_statuses_are_those_every_post_allows(demo_ctx: AppContext) -> None:
    mixed = _posts(demo_ctx, PostStatus.APPROVED)[:1] + _posts(demo_ctx, PostStatus.PUBLISHED)[:1]
    assert allowed_statuses(mixed) == [PostStatus.ARCHIVED]
    assert allowed_statuses([]) == []
