"""Unicode primitives shared by the per-network counters: grapheme clusters and UTF-8 size.

Mastodon and Bluesky both count what a person sees as one character, a Unicode *extended grapheme
cluster* (UAX #29): a family emoji joined by ZWJs is one, a flag is one, "e" followed by U+0301
is one (``reference/networks.md`` 1.7 and 2.4). Those rules change with Unicode versions, so they come
from the ``regex`` package (its ``X`` escape), which follows the current Unicode release, and are
never written by hand here.

Its types come from ``types-regex`` (a test extra, for mypy).
"""

from __future__ import annotations

import regex as _regex

_GRAPHEME: _regex.Pattern[str] = _regex.compile(r"\X")

__all__ = ["compile_unicode", "count_graphemes", "split_graphemes", "utf8_length"]


def compile_unicode(pattern: str) -> _regex.Pattern[str]:
    """Compile ``pattern`` with the ``regex`` engine (Unicode properties, POSIX classes, graphemes).

    Flags go inline (``(?ix)``).
    """
    return _regex.compile(pattern)


def split_graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of ``text``, in order; ``"".join()`` gives ``text`` back."""
    return _GRAPHEME.findall(text)


def count_graphemes(text: str) -> int:
    """How many extended grapheme clusters ``text`` has (what a reader counts as characters)."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def utf8_length(text: str) -> int:
    """The size of ``text`` in UTF-8 bytes, as Bluesky measures ``maxLength`` (networks.md 2.4).

    A lone surrogate (possible in a Python ``str``, never in real UTF-8) is sized as the three
    bytes ``surrogatepass`` gives it instead of raising: a counter must never crash the composer.
    """
    return len(text.encode("utf-8", "surrogatepass"))
