"""Hashtag groups as typed: split, completed with '#', checked, deduplicated, order kept.

A person pastes "bakery, #sourdough #Bakery  pan" and gets ``#bakery #sourdough #pan``. A
hashtag is what both Mastodon and Bluesky turn into a tag link: letters, digits, marks and
``_`` (Mastodon's separators ``·`` and ZWNJ inside), at least one letter, at most 64 graphemes
(Bluesky's limit for a tag). Anything else is refused with a message naming the bad one, because
a "#half-price" inserted into a post would only link "#half". Networks treat tags without regard
to case, so ``#Bakery`` after ``#bakery`` is a duplicate and the first spelling is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cmdesk.errors import ValidationError
from cmdesk.text.bluesky import TAG_MAX_GRAPHEMES
from cmdesk.text.graphemes import compile_unicode, count_graphemes

__all__ = ["MAX_HASHTAGS", "normalize_hashtags", "parse_hashtags"]

#: More than this in one group is a mistake (a pasted paragraph), not a group.
MAX_HASHTAGS = 60
_SEPARATORS = re.compile(r"[\s,;]+")
_BODY = compile_unicode(
    r"^[\p{L}\p{M}\p{N}_](?:[\p{L}\p{M}\p{N}_\u00B7\u200C]*[\p{L}\p{M}\p{N}_])?$"
)
_LETTER = compile_unicode(r"\p{L}")


def parse_hashtags(typed: str) -> list[str]:
    """The hashtags of a group typed as one line (spaces, commas or semicolons between them)."""
    return normalize_hashtags(_SEPARATORS.split(typed))


def normalize_hashtags(words: Iterable[str]) -> list[str]:
    """Clean hashtags in their first order; raises ``ValidationError`` naming the first bad one."""
    found: list[str] = []
    seen: set[str] = set()
    for word in words:
        for piece in _SEPARATORS.split(word):
            if not piece:
                continue
            tag = _one(piece)
            key = tag.casefold()
            if key not in seen:
                seen.add(key)
                found.append(tag)
    if not found:
        raise ValidationError("Type at least one hashtag, such as #coffee.", field="hashtags")
    if len(found) > MAX_HASHTAGS:
        raise ValidationError(
            f"A group holds at most {MAX_HASHTAGS} hashtags; this one has {len(found)}.",
            field="hashtags",
        )
    return found


def _one(piece: str) -> str:
    """``piece`` as a hashtag with its '#', or a ``ValidationError`` saying what is wrong."""
    body = piece[1:] if piece[0] in "#＃" else piece
    shown = f"#{body}" if body else piece
    if not body:
        raise ValidationError(
            f"{piece!r} is a '#' on its own: write the word after it, such as #coffee.",
            field="hashtags",
        )
    if not _BODY.match(body):
        raise ValidationError(
            f"{shown!r} is not a hashtag: use only letters, digits and _ (no spaces, "
            "hyphens or punctuation), such as #half_price.",
            field="hashtags",
        )
    if not _LETTER.search(body):
        raise ValidationError(
            f"{shown!r} is not a hashtag: it needs at least one letter (networks do not link "
            "tags made only of numbers).",
            field="hashtags",
        )
    if count_graphemes(body) > TAG_MAX_GRAPHEMES:
        raise ValidationError(
            f"{shown[:20]!r}… is too long for a hashtag (at most {TAG_MAX_GRAPHEMES} characters).",
            field="hashtags",
        )
    return f"#{body}"
