"""Split a long text into a thread of posts that each fit one network's limit.

The splitter knows nothing about networks: it takes a ``measure`` (for example
``functools.partial(mastodon_length, url_length=23)`` or :func:`cmdesk.text.bluesky.bluesky_measure`)
and a limit, and checks every candidate part with that measure, so each network's own counting rule
decides (``reference/networks.md`` 1.7, 2.4; threads themselves are 1.8 and 2.6).

Where it cuts, in order of preference:

1. between sentences (after ``.``, ``!``, ``?``, ``…`` and their CJK and other-script forms,
   allowing closing quotes and brackets), or at a line break;
2. between words, when one sentence is longer than a post;
3. between grapheme clusters, when one word is longer than a post.

It never cuts inside a grapheme cluster, nor inside a link or a mention (those stay whole; one that
cannot fit alone raises :class:`ThreadSplitError`). Whitespace at a cut is dropped; whitespace
inside a part, line breaks included, is kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cmdesk.errors import ValidationError
from cmdesk.text.graphemes import split_graphemes

__all__ = ["ThreadSplitError", "split_into_thread"]

Measure = Callable[[str], int]

_SENTENCE_END = frozenset(".!?…‼⁇⁈⁉。！？｡؟۔।॥")
_CLOSERS = "\"'”’»)]}」』）"
_LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")
# Pieces a hard cut must not go through: links with a scheme or a bare domain, and mentions.
_UNBREAKABLE_RE = re.compile(
    r"(?:(?:https?|ftps?|wss?|gemini|gopher|dat|dweb|ipfs|ipns|ssb)://|www\.)\S+"
    r"|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?::\d+)?(?:/\S*)?"
    r"|@[\w.-]+(?:@[\w.-]+)?",
    re.IGNORECASE,
)
_MAX_NUMBERING_ROUNDS = 12


class ThreadSplitError(ValidationError):
    """The text cannot be cut into parts within the limit (a piece that must stay whole is too long)."""


@dataclass(frozen=True, slots=True)
class _Token:
    """A word, or a hard-cut piece of one, and the whitespace that followed it in the text."""

    text: str
    space_after: str


def _render(tokens: Sequence[_Token]) -> str:
    if not tokens:
        return ""
    return "".join(t.text + t.space_after for t in tokens[:-1]) + tokens[-1].text


def split_into_thread(
    text: str, measure: Measure, limit: int, *, numbering: bool = False
) -> list[str]:
    """Cut ``text`` into posts whose ``measure`` is at most ``limit`` each.

    A text that already fits comes back unchanged as a single part, never numbered. With
    ``numbering`` every part of a longer text ends with `` k/n`` (`` 1/3``), and that suffix is
    measured with the part. Raises :class:`ThreadSplitError` when a link, a mention or a single
    character is too long for one post on its own, and ``ValueError`` for a limit below 1.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    if measure(text) <= limit:
        return [text]
    sentences = _sentences(_words(text))
    if not sentences:
        raise ThreadSplitError(
            f"This text is only blank space but still longer than {limit}; remove the blank space."
        )
    if not numbering:
        return _Packer(measure, limit, total=None).pack(sentences)
    return _split_numbered(sentences, measure, limit)


def _split_numbered(sentences: list[list[_Token]], measure: Measure, limit: int) -> list[str]:
    """Pack with suffixes for an assumed total, and repeat until the total is the real count.

    The suffix grows with the total (" 9/9" to " 10/10"), which can add parts; starting from the
    count without numbering the assumed total only grows, so this settles in a few rounds.
    """
    unnumbered = _Packer(measure, limit, total=None).pack(sentences)
    if len(unnumbered) == 1:
        return unnumbered  # it fits once the blank space around it is dropped: no " 1/1"
    total = len(unnumbered)
    for _ in range(_MAX_NUMBERING_ROUNDS):
        parts = _Packer(measure, limit, total=total).pack(sentences)
        if len(parts) == total:
            return parts
        total = max(total + 1, len(parts))
    raise ThreadSplitError(  # only a measure that shrinks as text grows gets here
        f"Could not number the parts of this thread within the limit of {limit}; "
        "split it without numbering."
    )


def _words(text: str) -> list[_Token]:
    """Words with their following whitespace, on grapheme boundaries (never inside a cluster)."""
    tokens: list[_Token] = []
    word: list[str] = []
    space: list[str] = []
    for grapheme in split_graphemes(text):
        if grapheme.isspace():
            space.append(grapheme)
            continue
        if space and word:
            tokens.append(_Token("".join(word), "".join(space)))
            word = []
        space = []  # whitespace before the first word is dropped: it would lead a part
        word.append(grapheme)
    if word:
        tokens.append(_Token("".join(word), ""))
    return tokens


def _sentences(words: list[_Token]) -> list[list[_Token]]:
    sentences: list[list[_Token]] = []
    current: list[_Token] = []
    for token in words:
        current.append(token)
        stripped = token.text.rstrip(_CLOSERS)
        ends_sentence = bool(stripped) and stripped[-1] in _SENTENCE_END and token.space_after
        if ends_sentence or not _LINE_BREAKS.isdisjoint(token.space_after):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def _atoms(word: str) -> list[str]:
    """A word as grapheme clusters, with each link or mention inside it kept as one atom."""
    inside_spans = {
        position
        for match in _UNBREAKABLE_RE.finditer(word)
        for position in range(match.start() + 1, match.end())
    }
    atoms: list[str] = []
    position = 0
    for grapheme in split_graphemes(word):
        if atoms and position in inside_spans:
            atoms[-1] += grapheme  # a cut here would go through a link or a mention
        else:
            atoms.append(grapheme)
        position += len(grapheme)
    return atoms


class _Packer:
    """Greedy packing at the coarsest level that fits: sentences, then words, then atoms."""

    def __init__(self, measure: Measure, limit: int, total: int | None) -> None:
        self._measure = measure
        self._limit = limit
        self._total = total
        self._parts: list[str] = []
        self._current: list[_Token] = []

    def pack(self, sentences: list[list[_Token]]) -> list[str]:
        for sentence in sentences:
            if self._fits([*self._current, *sentence]):
                self._current.extend(sentence)
                continue
            self._flush()
            if self._fits(sentence):
                self._current = list(sentence)
            else:
                for word in sentence:
                    self._add_word(word)
        self._flush()
        return self._parts

    def _add_word(self, word: _Token) -> None:
        if self._fits([*self._current, word]):
            self._current.append(word)
            return
        self._flush()
        if self._fits([word]):
            self._current = [word]
            return
        atoms = _atoms(word.text)
        for index, atom in enumerate(atoms):
            piece = _Token(atom, word.space_after if index == len(atoms) - 1 else "")
            if self._fits([*self._current, piece]):
                self._current.append(piece)
                continue
            self._flush()
            if not self._fits([piece]):
                raise self._too_long(atom)
            self._current = [piece]

    def _fits(self, tokens: Sequence[_Token]) -> bool:
        return self._measure(_render(tokens) + self._suffix(len(self._parts) + 1)) <= self._limit

    def _suffix(self, number: int) -> str:
        return "" if self._total is None else f" {number}/{self._total}"

    def _flush(self) -> None:
        if self._current:
            self._parts.append(_render(self._current) + self._suffix(len(self._parts) + 1))
            self._current = []

    def _too_long(self, atom: str) -> ThreadSplitError:
        shown = atom if len(atom) <= 40 else atom[:39] + "…"
        return ThreadSplitError(
            f"“{shown}” is too long for one post (limit {self._limit}) and cannot be cut: "
            "links, mentions and single characters stay whole. Shorten it."
        )
