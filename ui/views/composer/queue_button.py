"""The composer's "Add to queue" button: save the post and put it in its channels' next free slots.

The button is enabled when every chosen channel has at least one active posting slot; otherwise
its tooltip says which channel needs slots (Channels → Posting slots…). Pressing it is one call
(``PlanActions.save_and_queue``): content, variants and the slots in one transaction and one undo
step; a refusal shows why and keeps what was typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QPushButton

from cmdesk.errors import UserError
from ui.errors import show_error
from ui.views.composer.state import content_of

if TYPE_CHECKING:
    from ui.views.composer.dialog import ComposerDialog


class QueueButton(QObject):
    """Keeps the composer's Add to queue button up to date and does what it asks.

    Signals: none (the dialog's ``saved`` is emitted after a successful queueing).
    """

    def __init__(self, dialog: ComposerDialog, button: QPushButton) -> None:
        # The dialog is reached through parent(), not kept in an attribute: the dialog keeps
        # this object, and a reference back would be a cycle that outlives the dialog's deletion.
        super().__init__(dialog)
        self.button = button
        button.clicked.connect(self.queue)
        for box in dialog.channel_boxes.values():
            box.toggled.connect(self.refresh)
        # Slots may be edited in the Channels page while the composer is open.
        dialog.installEventFilter(self)
        self.refresh()

    @property
    def dialog(self) -> ComposerDialog:
        return cast("ComposerDialog", self.parent())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.dialog and event.type() == QEvent.Type.WindowActivate:
            self.refresh()
        return False

    def refresh(self) -> None:
        """Enable the button when every chosen channel has a posting slot; say why not."""
        chosen = self.dialog.chosen_channels()
        if not chosen:
            self._set(False, "Choose the channels to post to first.")
            return
        try:
            ready = self.dialog.ctx.queues.channels_with_slots([c.id for c in chosen])
        except UserError as exc:
            self._set(False, exc.message)
            return
        missing = [c.name for c in chosen if c.id not in ready]
        if missing:
            self._set(
                False,
                f"Give {', '.join(missing)} posting slots in Channels → Posting slots… first.",
            )
        else:
            self._set(True, "Save and put the post in the next free slot of each channel.")

    def _set(self, enabled: bool, tip: str) -> None:
        self.button.setEnabled(enabled)
        self.button.setToolTip(tip)
        self.button.setAccessibleDescription(tip)

    def queue(self) -> int | None:
        """Save and queue; on a refusal the message is shown and nothing is lost."""
        d = self.dialog
        d.refresh_checks()
        problems = d.blocking_problems()
        if problems:
            d.refuse(
                "This post cannot go out as it is:\n\n• "
                + "\n• ".join(problems)
                + "\n\nFix these first, or save it as a draft."
            )
            return None
        d.autosave_now()  # whatever happens next, the text is on disk
        content = content_of(d)
        try:
            post_id = d.plan_actions.save_and_queue(
                d.workspace.id,
                d.post.id if d.post is not None else None,
                content.data,
                content.variants,
                expected_revision=d.post.revision if d.post is not None else None,
            )
        except UserError as exc:
            show_error(d, exc)
            return None
        d.ctx.composer.journal.discard(d.key)
        d.dirty = False
        d.post = d.ctx.plan.get_post(post_id)
        d.saved.emit(post_id)
        d.close()
        return post_id
