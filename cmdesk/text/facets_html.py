"""Bluesky text with its facets as HTML of the inbox's safe subset.

A Bluesky post is plain text plus *facets*: UTF-8 byte ranges marked as a link, a mention (a
DID) or a hashtag (``reference/networks.md`` 2.4). Nothing else is a link: a URL without a link
facet stays text. The result is escaped text in one ``<p>``, line breaks as ``<br>``, and one
``<a>`` per facet; it still goes through :func:`cmdesk.text.html.sanitize_html` before it is
stored, so a ``javascript:`` URI in a facet is dropped like any other. Facets that are out of
range, overlap an earlier one, or cut a character in half are ignored (the text stays).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

PROFILE = "https://bsky.app/profile/"
HASHTAG = "https://bsky.app/hashtag/"


def _target(features: Any) -> str | None:
    if not isinstance(features, Sequence) or not features:
        return None
    feature = features[0]
    if not isinstance(feature, Mapping):
        return None
    kind = str(feature.get("$type") or "")
    if kind.endswith("#link") and isinstance(feature.get("uri"), str):
        return str(feature["uri"])
    if kind.endswith("#mention") and isinstance(feature.get("did"), str):
        return PROFILE + quote(str(feature["did"]), safe=":")
    if kind.endswith("#tag") and isinstance(feature.get("tag"), str):
        return HASHTAG + quote(str(feature["tag"]), safe="")
    return None


def _spans(raw: bytes, facets: Any) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    if not isinstance(facets, Sequence):
        return spans
    for facet in facets:
        index = facet.get("index") if isinstance(facet, Mapping) else None
        if not isinstance(index, Mapping):
            continue
        start, end = index.get("byteStart"), index.get("byteEnd")
        target = _target(facet.get("features"))
        if not (isinstance(start, int) and isinstance(end, int) and target):
            continue
        if 0 <= start < end <= len(raw):
            spans.append((start, end, target))
    spans.sort()
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _piece(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # a range that cuts a character: not a real facet


def facets_to_html(text: str, facets: Any) -> str:
    """``text`` as ``<p>`` HTML with a link for each usable facet; "" for empty text."""
    if not text:
        return ""
    raw = text.encode("utf-8")
    out: list[str] = []
    pos = 0
    for start, end, target in _spans(raw, facets):
        before, inside = _piece(raw[pos:start]), _piece(raw[start:end])
        if before is None or inside is None:
            continue
        out.append(_escape(before))
        out.append(f'<a href="{html.escape(target, quote=True)}">{_escape(inside)}</a>')
        pos = end
    rest = _piece(raw[pos:])
    out.append(_escape(rest if rest is not None else raw[pos:].decode("utf-8", "replace")))
    return "<p>" + "".join(out) + "</p>"


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")
