"""Reopening, at start-up, the composer windows whose content was never saved.

The autosave journal outlives a crash, a power cut or a killed process; :func:`recover_drafts`
reopens one composer per unsaved draft, with a banner saying it was recovered. A draft whose
workspace no longer exists stays in the journal (nothing typed is thrown away silently); a draft
of a post deleted meanwhile reopens as a new post.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from cmdesk.autosave import DraftSnapshot
from cmdesk.bootstrap import AppContext
from cmdesk.errors import NotFoundError
from ui.actions import PlanActions
from ui.views.composer.dialog import ComposerDialog

log = logging.getLogger(__name__)


def recover_drafts(
    ctx: AppContext, actions: PlanActions, parent: QWidget | None = None
) -> list[ComposerDialog]:
    """Open (and show) a composer for every draft left unsaved in the journal."""
    opened: list[ComposerDialog] = []
    for draft in ctx.composer.journal.pending():
        dialog = _open(ctx, actions, draft, parent)
        if dialog is not None:
            dialog.show()
            opened.append(dialog)
    return opened


def _open(
    ctx: AppContext, actions: PlanActions, draft: DraftSnapshot, parent: QWidget | None
) -> ComposerDialog | None:
    try:
        workspace = ctx.workspaces.get(draft.workspace_id)
    except NotFoundError:
        log.warning("autosaved draft %s belongs to a deleted workspace; kept", draft.key)
        return None
    post_id = draft.post_id
    if post_id is not None:
        try:
            ctx.plan.get_post(post_id)
        except NotFoundError:
            post_id = None  # deleted meanwhile: the text comes back as a new post
    return ComposerDialog(ctx, actions, workspace, post_id, parent=parent, draft=draft)
