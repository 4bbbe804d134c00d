"""The composer's "Repeat…" button and what a save does with a repeat or with an occurrence.

* A post that does not repeat yet: the button opens :class:`RepeatDialog`; its text then says the
  choice ("↻ Every Monday at 09:00"). Saving makes the post repeat in the same step
  (``PlanActions.save_repeating``: one call, one transaction, one undo step).
* An occurrence of a series: the button says the series' rule; saving asks "Only this post" (the
  ordinary save, which detaches it from its series) or "This and all following"
  (``PlanActions.save_series``; a new time or status of this post is then applied to it alone).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from PySide6.QtWidgets import QBoxLayout, QMessageBox, QPushButton, QWidget

from cmdesk.errors import UserError
from cmdesk.planning.recurrence import RecurrenceInput
from cmdesk.planning.series_dto import EvergreenInput, SeriesDTO
from cmdesk.status import PostStatus
from ui.views.composer.repeat_panel import Repeat, RepeatDialog, RepeatPanel
from ui.views.composer.saving import SaveKind, commit, placement_for
from ui.views.composer.series_rule import change_rule, explain_series
from ui.views.composer.state import content_of

if TYPE_CHECKING:
    from ui.views.composer.dialog import ComposerDialog

Scope = Literal["this", "following"]


class RepeatButton(QPushButton):
    """The "Repeat…" button of the composer; it keeps the chosen repeat."""

    def __init__(self, dialog: ComposerDialog) -> None:
        super().__init__("Repeat…", dialog)
        # A weak link: a strong one would tie the dialog's Python object to this one in a
        # cycle that outlives the dialog's deletion until the collector runs.
        self._dialog_ref = weakref.ref(dialog)
        self.choice: Repeat | None = None
        post = dialog.post
        self.series: SeriesDTO | None = dialog.ctx.series.series_of(post.id) if post else None
        self.panel = RepeatPanel(dialog.ctx, dialog.workspace)
        #: Asks "only this post or all following" (tests replace it).
        self.ask_scope: Callable[[QWidget], Scope | None] = ask_scope
        self.setAccessibleName("Repeat")
        self.setToolTip("Repeat this post by a rule, or post it again now and then (evergreen)")
        self.clicked.connect(self.open)
        self._show()

    @property
    def dialog(self) -> ComposerDialog:
        target = self._dialog_ref()
        if target is None:
            raise RuntimeError("the composer is gone")
        return target

    def open(self) -> None:
        """Choose the repeat (or, for an occurrence, say which series it belongs to)."""
        if self.series is not None:
            if explain_series(self, self.series) and change_rule(
                self, self.dialog.ctx, self.dialog.workspace, self.series
            ):
                self.series = self.dialog.ctx.series.get(self.series.id)
                self._show()
            return
        self.panel.set_start(self.dialog.schedule.value())
        dialog = RepeatDialog(self.panel, self)
        if dialog.exec() == RepeatDialog.DialogCode.Accepted:
            try:
                self.choice = self.panel.request()
            except UserError:
                self.choice = None
            self.dialog.mark_dirty()
        self.panel.setParent(None)  # kept for the next time; the dialog goes
        dialog.deleteLater()
        self._show()

    def refresh(self) -> None:
        """Say the choice again (the post's time changed: the rule's words follow it)."""
        self._show()

    def _show(self) -> None:
        if self.series is not None:
            sign = "♻" if self.series.kind == "evergreen" else "↻"
            text = f"{sign} {self.series.description}"
            self.setText(text if len(text) <= 40 else text[:39] + "…")
            self.setToolTip(f"This post is one of a series: {self.series.description}")
        elif self.choice is None:
            self.setText("Repeat…")
        elif isinstance(self.choice, EvergreenInput):
            self.setText(f"♻ Evergreen, every {self.choice.every_days} days")
        else:
            self._show_rule(self.choice)

    def _show_rule(self, rule: RecurrenceInput) -> None:
        start = self.dialog.schedule.value()
        if start is None:
            self.setText("↻ Repeats: give it a time")
            self.setToolTip("A repeat starts from the post's date and time: tick Time.")
            return
        try:
            words, _ = self.dialog.ctx.series.preview(self.dialog.workspace.id, start, rule)
        except UserError as exc:
            self.setText("↻ Repeat rule not valid")
            self.setToolTip(exc.message)
            return
        text = f"↻ {words}"
        self.setText(text if len(text) <= 40 else text[:39] + "…")
        self.setToolTip(text)


def ask_scope(parent: QWidget) -> Scope | None:
    """Only this post, or this and all following ones; None when the person cancels."""
    box = QMessageBox(parent)
    box.setWindowTitle("Save a repeating post")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText("This post is one of a series. Save the change to:")
    only = box.addButton("Only this post", QMessageBox.ButtonRole.AcceptRole)
    following = box.addButton("This and all following", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(only)
    box.exec()
    clicked = box.clickedButton()
    if clicked is only:
        return "this"
    if clicked is following:
        return "following"
    return None


def save(dialog: ComposerDialog, kind: SaveKind) -> int | None:
    """The composer's save with its repeat; None when the person cancelled. Raises UserError."""
    button: RepeatButton = dialog.repeat
    post, content = dialog.post, content_of(dialog)
    actions = dialog.plan_actions
    if button.series is not None and post is not None:
        scope = button.ask_scope(dialog)
        if scope is None:
            return None
        if scope == "this":
            return commit(actions, dialog.workspace.id, post, content, kind)
        key = dialog.ctx.series.occurrence_key(post.id)
        actions.save_series(button.series.id, content.data, content.variants, from_key=key)
        _place_alone(dialog, kind)
        return post.id
    if button.choice is None:
        return commit(actions, dialog.workspace.id, post, content, kind)
    if kind is not SaveKind.DRAFT and not content.data.channel_ids:
        raise UserError("Choose at least one channel to post to.")
    if kind is SaveKind.SCHEDULE and content.when is None:
        raise UserError("Choose a time to schedule the post: tick Time and pick when.")
    post_id = actions.save_repeating(
        dialog.workspace.id,
        post.id if post else None,
        content.data,
        content.variants,
        placement=placement_for(post, content.when, kind),
        repeat=button.choice,
        expected_revision=post.revision if post else None,
    )
    # The composer stays open after some saves: from now on it edits a post of the series.
    button.choice, button.series = None, dialog.ctx.series.series_of(post_id)
    button.refresh()
    return post_id


def _place_alone(dialog: ComposerDialog, kind: SaveKind) -> None:
    """After "This and all following": this post's own new time or status, if any."""
    post, actions = dialog.post, dialog.plan_actions
    assert post is not None
    when = dialog.schedule.value()
    if kind is SaveKind.PUBLISH:
        actions.publish_now(post.id)
        return
    if when is not None and when != post.scheduled_at:
        actions.reschedule(post.id, when)
    if kind is SaveKind.SCHEDULE and post.status is not PostStatus.SCHEDULED:
        actions.change_status(post.id, PostStatus.SCHEDULED)


def install(dialog: ComposerDialog, bar: QWidget) -> RepeatButton:
    """Put the Repeat button into the composer's bottom row, right after the time."""
    button = RepeatButton(dialog)
    row = bar.layout()
    assert isinstance(row, QBoxLayout)
    row.insertWidget(1, button)
    dialog.schedule.changed.connect(button.refresh)
    return button
