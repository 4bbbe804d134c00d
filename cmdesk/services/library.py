"""The library service (``ctx.library``): hashtag groups and templates of a workspace.

Each call is one transaction and emits one change set (kinds ``hashtag_group`` and ``snippet``).
Names are unique in a workspace without regard to case, so "Bakery" and "bakery" cannot both be
listed. ``position`` orders the composer's menus and the library dialog; new entries go last and
:meth:`LibraryService.reorder_groups` / :meth:`LibraryService.reorder_snippets` take the whole
new order at once, so a reorder is one undo-free, all-or-nothing step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.library.dto import HashtagGroupDTO, SnippetDTO
from cmdesk.library.hashtags import normalize_hashtags, parse_hashtags
from cmdesk.library.templates import unknown_placeholders
from cmdesk.models import HashtagGroup, Snippet, Workspace
from cmdesk.services.base import Service

GROUP_KIND = "hashtag_group"
SNIPPET_KIND = "snippet"
GROUP_NAME_CHARS = 80
SNIPPET_NAME_CHARS = 120
SNIPPET_TEXT_CHARS = 10_000

_Row = TypeVar("_Row", HashtagGroup, Snippet)


def group_dto(row: HashtagGroup) -> HashtagGroupDTO:
    return HashtagGroupDTO(
        row.id, row.workspace_id, row.name, tuple(row.hashtags.split()), row.position
    )


def snippet_dto(row: Snippet) -> SnippetDTO:
    return SnippetDTO(
        row.id, row.workspace_id, row.name, row.text, row.position, unknown_placeholders(row.text)
    )


class LibraryService(Service):
    """Hashtag groups and templates (snippets): list, add, edit, remove, reorder."""

    # --- hashtag groups ----------------------------------------------------------------------

    def list_groups(self, workspace_id: int) -> list[HashtagGroupDTO]:
        with self._read() as s:
            return [group_dto(r) for r in _ordered(s, HashtagGroup, workspace_id)]

    def get_group(self, group_id: int) -> HashtagGroupDTO:
        with self._read() as s:
            return group_dto(_get(s, HashtagGroup, group_id))

    def find_group(self, workspace_id: int, name: str) -> HashtagGroupDTO | None:
        with self._read() as s:
            row = _by_name(s, HashtagGroup, workspace_id, name)
            return group_dto(row) if row is not None else None

    def add_group(
        self, workspace_id: int, name: str, hashtags: str | Sequence[str]
    ) -> HashtagGroupDTO:
        """Save a new group last in the list; the hashtags are cleaned (see ``.hashtags``)."""
        clean_name = _name(name, GROUP_NAME_CHARS, "hashtag group")
        tags = _tags(hashtags)
        with self._write() as s:
            _check_workspace(s, workspace_id)
            _check_unique(s, HashtagGroup, workspace_id, clean_name, None, "hashtag group")
            row = HashtagGroup(
                workspace_id=workspace_id,
                name=clean_name,
                hashtags=" ".join(tags),
                position=_next_position(s, HashtagGroup, workspace_id),
            )
            s.add(row)
            s.flush()
            dto = group_dto(row)
        self._emit(
            ChangeSet.of(
                created=[(GROUP_KIND, dto.id)],
                description=f"Hashtag group {clean_name!r} added",
                subject=dto.id,
            )
        )
        return dto

    def update_group(
        self, group_id: int, name: str, hashtags: str | Sequence[str]
    ) -> HashtagGroupDTO:
        clean_name = _name(name, GROUP_NAME_CHARS, "hashtag group")
        tags = _tags(hashtags)
        with self._write() as s:
            row = _get(s, HashtagGroup, group_id)
            _check_unique(s, HashtagGroup, row.workspace_id, clean_name, group_id, "hashtag group")
            row.name, row.hashtags = clean_name, " ".join(tags)
            s.flush()
            dto = group_dto(row)
        self._emit(
            ChangeSet.of(
                updated=[(GROUP_KIND, group_id)],
                description=f"Hashtag group {clean_name!r} changed",
                subject=group_id,
            )
        )
        return dto

    def remove_group(self, group_id: int) -> ChangeSet:
        return self._remove(HashtagGroup, GROUP_KIND, group_id, "Hashtag group")

    def reorder_groups(self, workspace_id: int, ids: Sequence[int]) -> ChangeSet:
        return self._reorder(HashtagGroup, GROUP_KIND, workspace_id, ids)

    # --- templates ---------------------------------------------------------------------------

    def list_snippets(self, workspace_id: int) -> list[SnippetDTO]:
        with self._read() as s:
            return [snippet_dto(r) for r in _ordered(s, Snippet, workspace_id)]

    def get_snippet(self, snippet_id: int) -> SnippetDTO:
        with self._read() as s:
            return snippet_dto(_get(s, Snippet, snippet_id))

    def find_snippet(self, workspace_id: int, name: str) -> SnippetDTO | None:
        with self._read() as s:
            row = _by_name(s, Snippet, workspace_id, name)
            return snippet_dto(row) if row is not None else None

    def add_snippet(self, workspace_id: int, name: str, text: str) -> SnippetDTO:
        """Save a new template last in the list (unknown placeholders are kept, and reported)."""
        clean_name = _name(name, SNIPPET_NAME_CHARS, "template")
        body = _body(text)
        with self._write() as s:
            _check_workspace(s, workspace_id)
            _check_unique(s, Snippet, workspace_id, clean_name, None, "template")
            row = Snippet(
                workspace_id=workspace_id,
                name=clean_name,
                text=body,
                position=_next_position(s, Snippet, workspace_id),
            )
            s.add(row)
            s.flush()
            dto = snippet_dto(row)
        self._emit(
            ChangeSet.of(
                created=[(SNIPPET_KIND, dto.id)],
                description=f"Template {clean_name!r} added",
                subject=dto.id,
            )
        )
        return dto

    def update_snippet(self, snippet_id: int, name: str, text: str) -> SnippetDTO:
        clean_name = _name(name, SNIPPET_NAME_CHARS, "template")
        body = _body(text)
        with self._write() as s:
            row = _get(s, Snippet, snippet_id)
            _check_unique(s, Snippet, row.workspace_id, clean_name, snippet_id, "template")
            row.name, row.text = clean_name, body
            s.flush()
            dto = snippet_dto(row)
        self._emit(
            ChangeSet.of(
                updated=[(SNIPPET_KIND, snippet_id)],
                description=f"Template {clean_name!r} changed",
                subject=snippet_id,
            )
        )
        return dto

    def remove_snippet(self, snippet_id: int) -> ChangeSet:
        return self._remove(Snippet, SNIPPET_KIND, snippet_id, "Template")

    def reorder_snippets(self, workspace_id: int, ids: Sequence[int]) -> ChangeSet:
        return self._reorder(Snippet, SNIPPET_KIND, workspace_id, ids)

    # --- shared ------------------------------------------------------------------------------

    def _remove(self, model: type[_Row], kind: str, row_id: int, label: str) -> ChangeSet:
        with self._write() as s:
            row = _get(s, model, row_id)
            name = row.name
            s.delete(row)
        return self._emit(
            ChangeSet.of(deleted=[(kind, row_id)], description=f"{label} {name!r} removed")
        )

    def _reorder(
        self, model: type[_Row], kind: str, workspace_id: int, ids: Sequence[int]
    ) -> ChangeSet:
        """Give the entries of a workspace the order of ``ids`` (which must name each once)."""
        with self._write() as s:
            rows = {r.id: r for r in _ordered(s, model, workspace_id)}
            if sorted(ids) != sorted(rows):
                raise ValidationError(
                    "The list changed while you were reordering it; it has been reloaded, "
                    "try again."
                )
            moved = [i for pos, i in enumerate(ids) if rows[i].position != pos]
            for pos, row_id in enumerate(ids):
                rows[row_id].position = pos
        return self._emit(ChangeSet.of(updated=[(kind, i) for i in moved], description="Reordered"))


def _ordered(s: Session, model: type[_Row], workspace_id: int) -> Sequence[_Row]:
    query = select(model).where(model.workspace_id == workspace_id)
    return s.scalars(query.order_by(model.position, model.id)).all()


def _get(s: Session, model: type[_Row], row_id: int) -> _Row:
    row = s.get(model, row_id)
    if row is None:
        what = "hashtag group" if model is HashtagGroup else "template"
        raise NotFoundError(f"That {what} no longer exists; the list has been reloaded.")
    return row


def _by_name(s: Session, model: type[_Row], workspace_id: int, name: str) -> _Row | None:
    wanted = " ".join(name.split()).casefold()
    rows = s.scalars(select(model).where(model.workspace_id == workspace_id))
    return next((r for r in rows if r.name.casefold() == wanted), None)


def _check_workspace(s: Session, workspace_id: int) -> None:
    if s.get(Workspace, workspace_id) is None:
        raise NotFoundError("That workspace no longer exists.")


def _check_unique(
    s: Session, model: type[_Row], workspace_id: int, name: str, own_id: int | None, what: str
) -> None:
    # SQLite's lower() folds only ASCII, so the comparison is made here in Python.
    names = s.execute(select(model.id, model.name).where(model.workspace_id == workspace_id)).all()
    if any(n.casefold() == name.casefold() and i != own_id for i, n in names):
        raise ValidationError(f"There is already a {what} called {name!r}.", field="name")


def _next_position(s: Session, model: type[_Row], workspace_id: int) -> int:
    last = s.scalar(select(func.max(model.position)).where(model.workspace_id == workspace_id))
    return 0 if last is None else last + 1


def _name(name: str, limit: int, what: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise ValidationError(f"Give the {what} a name.", field="name")
    if len(clean) > limit:
        raise ValidationError(
            f"A {what} name is at most {limit} characters; this one has {len(clean)}.",
            field="name",
        )
    return clean


def _tags(hashtags: str | Sequence[str]) -> list[str]:
    return parse_hashtags(hashtags) if isinstance(hashtags, str) else normalize_hashtags(hashtags)


def _body(text: str) -> str:
    body = text.strip("\n").rstrip()
    if not body.strip():
        raise ValidationError("Write the template's text.", field="text")
    if len(body) > SNIPPET_TEXT_CHARS:
        raise ValidationError(
            f"A template is at most {SNIPPET_TEXT_CHARS} characters; this one has {len(body)}.",
            field="text",
        )
    return body
