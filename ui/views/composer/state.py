"""The composer's content in and out: from a saved post or a recovered draft, to the plan or the journal.

Three conversions, kept apart from the widgets' layout:

* :func:`load_post` fills a composer from a saved post, then lays a recovered draft over it;
* :func:`snapshot_of` is what the autosave journal stores (text, channels, versions, media, time);
* :func:`content_of` is what the plan gets (``PostInput`` and a ``VariantInput`` per channel).

A channel's network options (visibility, content warning ...) are not edited here yet; those of a
saved post are read when it is loaded and handed back unchanged on save, never wiped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cmdesk.autosave import DraftSnapshot, VariantDraft
from cmdesk.bootstrap import AppContext
from cmdesk.dto import ChannelDTO, PostDetail, PostInput, VariantInput
from ui.views.composer.saving import Content

if TYPE_CHECKING:
    from ui.views.composer.dialog import ComposerDialog


def load_post(dialog: ComposerDialog, post: PostDetail | None, draft: DraftSnapshot | None) -> None:
    """Show ``post`` (None: a new one), then the unsaved ``draft`` over it, if any."""
    options: dict[int, dict[str, Any]] = {}
    if post is not None:
        dialog.title.setText(post.title)
        dialog.master.setPlainText(post.text)
        _choose(dialog, post.channel_ids)
        dialog.media.set_media(dialog.ctx.composer.get_media(post.media_ids))
        for v in post.variants:
            options[v.channel_id] = dict(v.options)
            if v.channel_id in dialog.channels:
                dialog.tab(v.channel_id).set_variant(
                    VariantDraft(v.channel_id, v.text, v.thread_parts)
                )
        dialog.schedule.set_value(post.scheduled_at)
    dialog.variant_options = options
    if draft is not None:
        _apply_draft(dialog, draft)


def _apply_draft(dialog: ComposerDialog, draft: DraftSnapshot) -> None:
    dialog.title.setText(draft.title)
    dialog.master.setPlainText(draft.text)
    _choose(dialog, draft.channel_ids)
    dialog.media.set_media(dialog.ctx.composer.get_media(draft.media_ids))
    for variant in draft.variants:
        if variant.channel_id in dialog.channels:
            dialog.tab(variant.channel_id).set_variant(variant)
    dialog.schedule.set_value(draft.scheduled_at)
    when = draft.saved_at.astimezone().strftime("%a %d %b %H:%M")
    dialog.banner.setText(
        f"Recovered from the autosave of {when}: these changes were never saved. "
        "Save them, or close and discard them."
    )
    dialog.banner.setAccessibleName("Recovered draft")
    dialog.banner.show()


def _choose(dialog: ComposerDialog, channel_ids: tuple[int, ...]) -> None:
    for cid, box in dialog.channel_boxes.items():
        box.setChecked(cid in channel_ids)


def snapshot_of(dialog: ComposerDialog) -> DraftSnapshot:
    post = dialog.post
    chosen = dialog.chosen_channels()
    return DraftSnapshot(
        key=dialog.key,
        workspace_id=dialog.workspace.id,
        post_id=post.id if post is not None else None,
        revision=post.revision if post is not None else None,
        title=dialog.title.text(),
        text=dialog.master.toPlainText(),
        channel_ids=tuple(c.id for c in chosen),
        media_ids=dialog.media.media_ids(),
        variants=tuple(dialog.tab(c.id).variant() for c in chosen),
        scheduled_at=dialog.schedule.value(),
        saved_at=dialog.ctx.clock.now(),
    )


def content_of(dialog: ComposerDialog) -> Content:
    chosen = [c.id for c in dialog.chosen_channels()]
    post = dialog.post
    data = PostInput(
        title=dialog.title.text(),
        text=dialog.master.toPlainText(),
        channel_ids=tuple(chosen),
        campaign_id=dialog.labels.campaign_id(),
        pillar_id=dialog.labels.pillar_id(),
        tag_ids=dialog.labels.tag_ids(),
        notes=post.notes if post is not None else "",
        author=post.author if post is not None else "",
        media_ids=dialog.media.media_ids(),
    )
    variants = {}
    for cid in chosen:
        v = dialog.tab(cid).variant()
        variants[cid] = VariantInput(
            channel_id=cid,
            text=v.text,
            thread_parts=v.thread_parts,
            options=dialog.variant_options.get(cid, {}),
        )
    return Content(data, variants, dialog.schedule.value())


def removed_channels_notice(
    ctx: AppContext, post: PostDetail | None, live: Mapping[int, ChannelDTO]
) -> str:
    """A notice when ``post`` targets channels no longer in the workspace (else "")."""
    gone = [cid for cid in post.channel_ids if cid not in live] if post else []
    if post is None or not gone:
        return ""
    every = ctx.channels.list(post.workspace_id, include_removed=True)
    names = [c.name for c in every if c.id in gone] or [f"{len(gone)} removed channels"]
    return (
        f"This post was also planned for {', '.join(names)}, which was removed from the "
        "workspace. Saving keeps it only on the channels ticked above."
    )
