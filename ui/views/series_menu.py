"""The context-menu entries of a post that repeats: stop repeating, delete this and following.

Added by :func:`ui.views.post_menu.build_post_menu` for a single post that is an occurrence of a
recurring or evergreen series; each entry is one undoable ``PlanActions`` call.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMenu, QWidget

from cmdesk.errors import UserError
from ui.actions import PlanActions
from ui.errors import show_error


def add_series_entries(menu: QMenu, parent: QWidget, post_id: int, actions: PlanActions) -> None:
    """Add the series entries for ``post_id`` when it repeats (nothing otherwise)."""
    try:
        series = actions.ctx.series.series_of(post_id)
    except UserError:
        return
    if series is None:
        return
    sign = "♻" if series.kind == "evergreen" else "↻"
    sub = menu.addMenu(f"{sign} Repeating")
    sub.setAccessibleName("Repeating post")
    sub.setToolTipsVisible(True)
    about = sub.addAction(series.description)
    about.setEnabled(False)
    sub.addSeparator()

    def entry(text: str, tip: str, step: Callable[[], object]) -> None:
        act = sub.addAction(text)
        act.setToolTip(tip)
        act.setEnabled(series.is_active or text.startswith("Delete"))
        act.triggered.connect(lambda: _run(parent, step))

    entry(
        "Stop repeating",
        "Keep this post; the later occurrences go to the trash and no more are made.",
        lambda: actions.stop_repeating(post_id),
    )
    entry(
        "Delete this and following",
        "This post and the later occurrences go to the trash (published ones stay).",
        lambda: actions.delete_occurrences(post_id, "following"),
    )
    entry(
        "Delete all occurrences",
        "Every occurrence that has not gone out goes to the trash; the series stops.",
        lambda: actions.delete_occurrences(post_id, "all"),
    )


def _run(parent: QWidget, step: Callable[[], object]) -> None:
    try:
        step()
    except Exception as exc:  # UserErrors and bugs both take the one error path
        show_error(parent, exc)
