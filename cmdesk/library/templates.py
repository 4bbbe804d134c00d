"""Template placeholders: a small fixed set, filled from the post when a template is inserted.

================  ==========================================================
``{date}``        the post's date in the workspace's zone: "24 November 2026"
``{weekday}``     its day of the week: "Tuesday"
``{time}``        its time: "09:30"
``{campaign}``    the name of the post's campaign
``{link}``        the first link in the post's main text
``{brand}``       the workspace's name
``{title}``       the post's title (its topic, only for you otherwise)
================  ==========================================================

Names are matched without regard to case (``{Date}`` works). A placeholder that cannot be filled
(the post has no time yet, no campaign, no link) and one cmdesk does not know (``{price}``) are
left in the text as typed, so nothing the person wrote disappears, and reported in
:attr:`FilledTemplate.left` for the composer to point out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "PLACEHOLDERS",
    "FilledTemplate",
    "LeftAsTyped",
    "TemplateValues",
    "fill_template",
    "first_link",
    "unknown_placeholders",
]

PLACEHOLDERS: Mapping[str, str] = {
    "date": "the post's date, e.g. 24 November 2026",
    "weekday": "the post's day of the week, e.g. Tuesday",
    "time": "the post's time, e.g. 09:30",
    "campaign": "the name of the post's campaign",
    "link": "the first link in the post's main text",
    "brand": "the workspace's name",
    "title": "the post's title",
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]}']")
_MISSING = {
    "date": "the post has no date yet",
    "weekday": "the post has no date yet",
    "time": "the post has no time yet",
    "campaign": "the post has no campaign",
    "link": "the main text has no link yet",
    "brand": "the workspace has no name",
    "title": "the post has no title yet",
}


@dataclass(frozen=True, slots=True)
class TemplateValues:
    """What the placeholders are filled with; ``when`` is the post's local wall-clock time."""

    when: datetime | None = None
    campaign: str | None = None
    link: str | None = None
    brand: str | None = None
    title: str | None = None

    def value(self, name: str) -> str | None:
        when = self.when
        by_name = {
            "date": f"{when.day} {when:%B %Y}" if when else None,
            "weekday": f"{when:%A}" if when else None,
            "time": f"{when:%H:%M}" if when else None,
            "campaign": self.campaign,
            "link": self.link,
            "brand": self.brand,
            "title": self.title,
        }
        return by_name.get(name) or None


@dataclass(frozen=True, slots=True)
class LeftAsTyped:
    """A placeholder left in the text, and why (for the person to fill by hand)."""

    placeholder: str
    reason: str


@dataclass(frozen=True, slots=True)
class FilledTemplate:
    """A template's text with its placeholders filled, and those left as typed."""

    text: str
    left: tuple[LeftAsTyped, ...] = ()

    def notice(self) -> str:
        """One line for the person, or "" when every placeholder was filled."""
        if not self.left:
            return ""
        parts = [f"{item.placeholder} ({item.reason})" for item in self.left]
        return "Left as typed: " + "; ".join(parts) + "."


def fill_template(text: str, values: TemplateValues) -> FilledTemplate:
    """``text`` with the known placeholders it can fill replaced by ``values``."""
    left: list[LeftAsTyped] = []

    def replace(match: re.Match[str]) -> str:
        typed, name = match.group(0), match.group(1).lower()
        if name not in PLACEHOLDERS:
            reason = "not a placeholder cmdesk knows"
        else:
            filled = values.value(name)
            if filled is not None:
                return filled
            reason = _MISSING[name]
        if all(item.placeholder != typed for item in left):
            left.append(LeftAsTyped(typed, reason))
        return typed

    return FilledTemplate(_PLACEHOLDER.sub(replace, text), tuple(left))


def unknown_placeholders(text: str) -> tuple[str, ...]:
    """The ``{names}`` in ``text`` that are not placeholders cmdesk fills, in order, once each."""
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        if match.group(1).lower() not in PLACEHOLDERS and match.group(0) not in found:
            found.append(match.group(0))
    return tuple(found)


def first_link(text: str) -> str | None:
    """The first http(s) link in ``text`` (trailing punctuation is not part of it)."""
    match = _LINK.search(text)
    return match.group(0) if match else None
