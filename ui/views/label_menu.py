"""The "Labels" entries of the post context menu: campaign, pillar and tags of the selection.

Added by :func:`ui.views.post_menu.build_post_menu` (board, list, calendar). Each entry relabels
every selected post in one transaction and is one step on the window's undo stack: undo puts each
post's campaign, pillar and tags back, unless someone changed them meanwhile (then the step is
dropped and says why, like every other undo).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtWidgets import QMenu, QWidget

from cmdesk.campaigns.dto import LabelChange, PostLabels
from cmdesk.dto import PostSummary
from cmdesk.errors import UserError
from ui.actions import PlanActions
from ui.errors import show_error
from ui.undo_commands import PlanCommand

Relabel = Callable[[PostLabels], PostLabels]


class LabelCommand(PlanCommand):
    """A relabelling of posts (campaign, pillar, tags), undone and redone through the core."""

    def __init__(self, actions: PlanActions, text: str, changes: Sequence[LabelChange]) -> None:
        super().__init__(actions, text)
        self.changes = tuple(changes)

    def redo_step(self) -> None:
        self.actions.ctx.campaigns.apply_labels(self.changes)

    def undo_step(self) -> None:
        self.actions.ctx.campaigns.apply_labels([c.reversed() for c in self.changes])


def _subject(posts: Sequence[PostSummary]) -> str:
    return f"'{posts[0].label}'" if len(posts) == 1 else f"{len(posts)} posts"


def relabel(actions: PlanActions, posts: Sequence[PostSummary], what: str, make: Relabel) -> bool:
    """Apply ``make`` to the labels of ``posts`` as one undo step; False when nothing changes.

    Raises ``UserError`` (nothing changed, nothing pushed) when the core refuses.
    """
    ids = [p.id for p in posts]
    before = actions.ctx.campaigns.labels_of(ids)
    changes = [
        LabelChange(p.id, p.label, before[p.id], make(before[p.id]))
        for p in posts
        if make(before[p.id]) != before[p.id]
    ]
    if not changes:
        return False
    actions.ctx.campaigns.apply_labels(changes)
    command = LabelCommand(actions, f"{what} of {_subject(posts)}", changes)
    text = command.text()
    actions.undo_stack.push(command)
    actions.performed.emit(text)
    return True


def _run(parent: QWidget, step: Callable[[], object]) -> None:
    try:
        step()
    except UserError as exc:
        show_error(parent, exc)


def add_label_entries(
    menu: QMenu, parent: QWidget, posts: Sequence[PostSummary], actions: PlanActions
) -> None:
    """A "Labels" submenu for ``posts``: set the campaign or pillar, add or remove a tag."""
    if not posts:
        return
    wid = posts[0].workspace_id
    try:
        campaigns = actions.ctx.plan.list_campaigns(wid)
        labels = actions.ctx.plan.list_tags(wid)
    except UserError:
        return
    sub = menu.addMenu("Labels")
    sub.setAccessibleName("Labels")

    def entry(into: QMenu, text: str, what: str, make: Relabel) -> None:
        act = into.addAction(text)
        act.triggered.connect(lambda: _run(parent, lambda: relabel(actions, posts, what, make)))

    camp = sub.addMenu("Campaign")
    entry(camp, "No campaign", "Campaign", _campaign(None))
    for c in campaigns:
        entry(camp, c.name, "Campaign", _campaign(c.id))
    pillar = sub.addMenu("Pillar")
    entry(pillar, "No pillar", "Pillar", _pillar(None))
    for t in labels:
        if t.kind == "pillar":
            entry(pillar, t.name, "Pillar", _pillar(t.id))
    tags = [t for t in labels if t.kind == "tag"]
    add, remove = sub.addMenu("Add tag"), sub.addMenu("Remove tag")
    for t in tags:
        entry(add, t.name, "Tags", _tag(t.id, on=True))
        entry(remove, t.name, "Tags", _tag(t.id, on=False))
    add.setEnabled(bool(tags))
    remove.setEnabled(bool(tags))


def _campaign(campaign_id: int | None) -> Relabel:
    return lambda labels: replace(labels, campaign_id=campaign_id)


def _pillar(pillar_id: int | None) -> Relabel:
    return lambda labels: replace(labels, pillar_id=pillar_id)


def _tag(tag_id: int, *, on: bool) -> Relabel:
    def make(labels: PostLabels) -> PostLabels:
        ids = set(labels.tag_ids) | {tag_id} if on else set(labels.tag_ids) - {tag_id}
        return replace(labels, tag_ids=tuple(sorted(ids)))

    return make
