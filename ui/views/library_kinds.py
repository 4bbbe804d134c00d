"""What differs between the library dialog's two tabs: the words shown and the service calls.

:class:`LibraryKind` bundles them; :func:`hashtag_kind` and :func:`template_kind` build the two
for a workspace. The ``note`` is the live line under the text field: how the hashtags will be
saved (or why they cannot be), or which placeholders a template may use and which it does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cmdesk.bootstrap import AppContext
from cmdesk.errors import UserError
from cmdesk.library.hashtags import parse_hashtags
from cmdesk.library.templates import PLACEHOLDERS, unknown_placeholders
from ui.models.library import LibraryEntry


@dataclass(frozen=True)
class LibraryKind:
    """What differs between the two tabs: the words shown and the service calls."""

    title: str
    noun: str
    body_label: str
    body_field: str
    load: Callable[[], list[LibraryEntry]]
    add: Callable[[str, str], int]
    update: Callable[[int, str, str], object]
    remove: Callable[[int], object]
    reorder: Callable[[list[int]], object]
    note: Callable[[str], tuple[str, bool]]  # live line under the text: (message, is a warning)


def _hashtag_note(text: str) -> tuple[str, bool]:
    if not text.strip():
        return "Separate hashtags with spaces or commas; the '#' is added if missing.", False
    try:
        tags = parse_hashtags(text)
    except UserError as exc:
        return exc.message, True
    return f"Saved as: {' '.join(tags)}  ({len(tags)} hashtags)", False


def _template_note(text: str) -> tuple[str, bool]:
    unknown = unknown_placeholders(text)
    if unknown:
        known = " ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        return (
            f"Not placeholders cmdesk knows, inserted as typed: {', '.join(unknown)}. "
            f"Known: {known}",
            True,
        )
    return "Placeholders filled when inserted: " + ", ".join(
        f"{{{name}}} {meaning}" for name, meaning in PLACEHOLDERS.items()
    ), False


def hashtag_kind(ctx: AppContext, workspace_id: int) -> LibraryKind:
    lib = ctx.library
    return LibraryKind(
        title="Hashtag groups",
        noun="hashtag group",
        body_label="Hashtags:",
        body_field="hashtags",
        load=lambda: [LibraryEntry(g.id, g.name, g.text) for g in lib.list_groups(workspace_id)],
        add=lambda name, body: lib.add_group(workspace_id, name, body).id,
        update=lib.update_group,
        remove=lib.remove_group,
        reorder=lambda ids: lib.reorder_groups(workspace_id, ids),
        note=_hashtag_note,
    )


def template_kind(ctx: AppContext, workspace_id: int) -> LibraryKind:
    lib = ctx.library
    return LibraryKind(
        title="Templates",
        noun="template",
        body_label="Text:",
        body_field="text",
        load=lambda: [LibraryEntry(s.id, s.name, s.text) for s in lib.list_snippets(workspace_id)],
        add=lambda name, body: lib.add_snippet(workspace_id, name, body).id,
        update=lib.update_snippet,
        remove=lib.remove_snippet,
        reorder=lambda ids: lib.reorder_snippets(workspace_id, ids),
        note=_template_note,
    )
