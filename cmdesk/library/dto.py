"""Frozen values of the library, handed to the UI and the command line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HashtagGroupDTO:
    """A saved group of hashtags, in the order they are inserted."""

    id: int
    workspace_id: int
    name: str
    hashtags: tuple[str, ...]
    position: int

    @property
    def text(self) -> str:
        """What is inserted: the hashtags separated by spaces."""
        return " ".join(self.hashtags)


@dataclass(frozen=True, slots=True)
class SnippetDTO:
    """A saved text template; ``unknown_placeholders`` are inserted as typed."""

    id: int
    workspace_id: int
    name: str
    text: str
    position: int
    unknown_placeholders: tuple[str, ...] = ()
