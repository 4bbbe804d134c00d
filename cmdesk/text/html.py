"""Untrusted text from the networks made safe: sanitised HTML, plain text, clean names.

Mastodon sends each status as HTML written by a stranger. Before it is stored it is cut down by
``nh3`` (the Rust ``ammonia`` sanitiser) to a small subset a rich-text label can show without
fetching anything: paragraphs, line breaks, links (http, https and mailto only, marked
``nofollow noopener``), spans, strong and em. Scripts and styles lose their content; images,
iframes, event attributes, ``style`` and ``javascript:`` links are gone. A plain-text copy is made
for lists, search and counting. Control characters (other than line breaks and tabs) never reach
the database, and names are cut to what the columns hold.
"""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "a", "span", "strong", "em"})
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"
#: Elements whose content is removed with them (not kept as text).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
NAME_LIMIT = 255
ELLIPSIS = "…"

# C0 and C1 controls, DEL, and the bidi overrides/isolates that can make a name read backwards;
# tab and line feed stay in texts (a reply's line breaks are meaningful).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAME_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\u2028\u2029]+")
_BLANKS = re.compile(r"[ \t]+\n")
_MANY_LINES = re.compile(r"\n{3,}")


def strip_controls(text: str) -> str:
    """``text`` without control characters; carriage returns become line feeds first."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def sanitize_html(raw: str) -> str:
    """The safe subset of ``raw`` (see the module docstring); "" for empty input."""
    if not raw:
        return ""
    return nh3.clean(
        strip_controls(raw),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"a": {"href"}},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        # A relative link would resolve against whatever shows it: never a place to send someone.
        url_relative="deny",
    ).strip()


class _TextCollector(HTMLParser):
    """Plain text of an HTML fragment: paragraphs become blank lines, ``<br>`` a line break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_WITH_CONTENT and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(raw: str) -> str:
    """The readable text of an HTML fragment, with its paragraphs and line breaks."""
    if not raw:
        return ""
    if "<" not in raw and "&" not in raw:
        return clean_text(raw)
    collector = _TextCollector()
    collector.feed(raw)
    collector.close()
    return clean_text("".join(collector.parts))


# In sanitised HTML every attribute value is double-quoted (a quote inside is &quot;), so a tag
# is "<", then anything but quotes and ">", with quoted values in between, then ">".
_TAG = re.compile(r'<[^">]*(?:"[^"]*"[^">]*)*>')
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p>", re.IGNORECASE)


def safe_html_to_text(safe: str) -> str:
    """The text of HTML that :func:`sanitize_html` produced, by a regex pass.

    Several times faster than parsing (ingest reads thousands); any other HTML goes through
    :func:`html_to_text`.
    """
    if not safe:
        return ""
    text = _TAG.sub("", _BREAK.sub("\n", _PARAGRAPH.sub("\n\n", safe)))
    return clean_text(_html.unescape(text))


def clean_text(text: str) -> str:
    """Plain text from a network, without control characters or runs of blank lines."""
    text = strip_controls(text)
    text = _MANY_LINES.sub("\n\n", _BLANKS.sub("\n", text))
    return text.strip()


def clean_name(name: str, limit: int = NAME_LIMIT) -> str:
    """A display name or handle on one line, without controls, cut to ``limit`` with an ellipsis."""
    flat = strip_controls(_NAME_BREAKS.sub(" ", name or "")).strip()
    if len(flat) <= limit:
        return flat
    return flat[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (for columns of a fixed size)."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS
