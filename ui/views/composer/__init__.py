"""The composer: a post's text per channel, live checks, media, threads, previews and autosave.

* :class:`ComposerDialog` (:mod:`.dialog`), built of :mod:`.channel_tab`, :mod:`.thread_editor`,
  :mod:`.media_strip`, :mod:`.preview`, :mod:`.schedule` and :mod:`.action_bar`;
* :mod:`.state` converts between the window, the plan and the autosave journal;
* :mod:`.saving` is what Save draft, Schedule and Publish now do through ``PlanActions``;
* :func:`recover_drafts` (:mod:`.recovery`) reopens unsaved drafts at start-up.
"""

from ui.views.composer.dialog import ComposerDialog
from ui.views.composer.recovery import recover_drafts
from ui.views.composer.saving import SaveKind

__all__ = ["ComposerDialog", "SaveKind", "recover_drafts"]
