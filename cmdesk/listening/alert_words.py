"""Alert words: the crisis list a person keeps, found in text on word boundaries, any script.

The setting ``alert_words`` is one text, words (or phrases) separated by commas. Matching folds
case the Unicode way (``casefold``: "STRASSE" finds "straße") and normalises both sides to NFKC,
so a word typed with a composed accent finds the same word sent decomposed. A word matches only
whole: "ban" is not found in "banana" nor in "urbanisme", whatever the letters around it (a
letter, digit or underscore of any script counts as part of a word).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_WORDS = 200


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def parse(setting: str | None) -> tuple[str, ...]:
    """The words of the setting, trimmed, blanks and repeats (by folded form) dropped."""
    seen: dict[str, str] = {}
    for raw in (setting or "").split(","):
        word = " ".join(raw.split())
        if word and _fold(word) not in seen:
            seen[_fold(word)] = word
    return tuple(seen.values())[:MAX_WORDS]


class AlertMatcher:
    """Finds the first alert word in a text; built once per word list."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(w for w in words if w.strip())
        self._folded = [(w, _fold(w)) for w in self.words]
        alternatives = sorted({f for _, f in self._folded}, key=len, reverse=True)
        body = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in alternatives)
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)") if alternatives else None
        self._by_fold = {f: w for w, f in reversed(self._folded)}

    def __bool__(self) -> bool:
        return self._pattern is not None

    def find(self, text: str) -> str | None:
        """The alert word (as the person typed it) that ``text`` contains, or None."""
        if self._pattern is None or not text:
            return None
        found = self._pattern.search(_fold(text))
        if found is None:
            return None
        key = " ".join(found.group(0).split())
        return self._by_fold.get(key, key)
