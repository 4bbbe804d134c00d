"""The context menu of selected posts on the board and in the list.

Edit, duplicate, unschedule, publish now and add to queue act on one post; change status, labels
(:mod:`ui.views.label_menu`), archive and delete act on the whole selection as one undo step.
Only steps the workflow allows for every selected post are offered, so the menu itself says what
can be done; a refusal the service still makes (no time, no channel, no posting slots) is shown
through :func:`ui.errors.show_error`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QMenu, QWidget

from cmdesk.dto import PostSummary
from cmdesk.status import USER_TRANSITIONS, PostStatus
from ui.actions import PlanActions
from ui.errors import show_error
from ui.views.label_menu import add_label_entries
from ui.views.series_menu import add_series_entries

_PUBLISHABLE = frozenset(
    {
        PostStatus.DRAFT,
        PostStatus.APPROVED,
        PostStatus.SCHEDULED,
        PostStatus.FAILED,
        PostStatus.MISSED,
    }
)

#: Statuses a post may be queued from (the workflow allows scheduling, or it is scheduled).
_QUEUEABLE = frozenset(
    {PostStatus.SCHEDULED, *(s for s, to in USER_TRANSITIONS.items() if PostStatus.SCHEDULED in to)}
)


def allowed_statuses(posts: Sequence[PostSummary]) -> list[PostStatus]:
    """Statuses every one of ``posts`` may be given by a person, in workflow order."""
    if not posts:
        return []
    common = set(PostStatus)
    for post in posts:
        common &= USER_TRANSITIONS.get(post.status, frozenset())
    return [s for s in PostStatus if s in common]


def run_action(parent: QWidget, step: Callable[[], object]) -> bool:
    """Run one PlanActions call; an error is shown and False returned."""
    try:
        step()
    except Exception as exc:  # UserErrors and bugs both take the one error path
        show_error(parent, exc)
        return False
    return True


def _status_menu(
    menu: QMenu, parent: QWidget, allowed: Sequence[PostStatus], apply: Callable[[PostStatus], None]
) -> None:
    sub = menu.addMenu("Change status")
    sub.setAccessibleName("Change status")
    for status in allowed:
        act = sub.addAction(status.label)
        act.triggered.connect(lambda _=False, s=status: run_action(parent, lambda: apply(s)))
    sub.setEnabled(bool(allowed))


def build_post_menu(
    parent: QWidget,
    posts: Sequence[PostSummary],
    actions: PlanActions,
    on_edit: Callable[[int], None],
) -> QMenu:
    """A menu for ``posts`` (the selection; the first is the one under the pointer)."""
    menu = QMenu(parent)
    menu.setAccessibleName("Post actions")
    ids = [p.id for p in posts]
    single = posts[0] if len(posts) == 1 else None

    def add(text: str, step: Callable[[], object], enabled: bool = True) -> None:
        act = menu.addAction(text)
        act.setEnabled(enabled)
        act.triggered.connect(lambda: run_action(parent, step))

    if single is not None:
        add("Edit…", lambda: on_edit(single.id))
        add("Duplicate", lambda: actions.duplicate(single.id))
        add(
            "Unschedule",
            lambda: actions.unschedule(single.id),
            single.status == PostStatus.SCHEDULED,
        )
        add("Publish now", lambda: actions.publish_now(single.id), single.status in _PUBLISHABLE)
        # Offered whenever scheduling is: a refusal (channels without slots) says what to do.
        add("Add to queue", lambda: actions.add_to_queue(single.id), single.status in _QUEUEABLE)
        add_series_entries(menu, parent, single.id, actions)  # a recurring or evergreen post
        menu.addSeparator()
    allowed = allowed_statuses(posts)
    _status_menu(menu, parent, allowed, lambda s: actions.change_status_many(ids, s))
    add_label_entries(menu, parent, posts, actions)  # campaign, pillar and tags, one undo step
    add(
        "Archive",
        lambda: actions.change_status_many(ids, PostStatus.ARCHIVED),
        PostStatus.ARCHIVED in allowed,
    )
    menu.addSeparator()
    add("Delete" if single else f"Delete {len(ids)} posts", lambda: actions.delete(ids))
    return menu
