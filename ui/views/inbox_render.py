"""The conversation of an inbox item as a small, harmless HTML document for a ``QTextBrowser``.

What strangers write is shown here, so nothing of theirs reaches the document as markup unless it
is on a short list. The service already sanitises Mastodon's HTML; this module does it again on the
way to the screen (defence in depth: a DTO from an older database, a plug-in adapter or a bug in
the core must not be able to run a script, load a tracking pixel or hide a ``javascript:`` link).
Allowed: ``p``, ``br``, ``span``, ``strong``/``b``, ``em``/``i`` without attributes, and ``a`` with
an ``http``, ``https`` or ``mailto`` ``href`` only. Images become a visible placeholder with their
alt text. Script, style and similar elements are dropped with their content; any other tag is
dropped and its text kept. Plain text (Bluesky) is escaped and its web addresses become links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

from cmdesk.dto import Conversation, ConversationEntry, InboxItemDTO, PostSummary
from cmdesk.timeutil import utc_to_local
from ui.models.inbox import KIND_LABELS, clean_line

#: The scheme of the document's own links: "open this post of ours in the composer".
POST_SCHEME = "cmdesk-post"
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_DROP_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "template",
        "noscript",
        "svg",
        "math",
        "head",
        "title",
        "textarea",
        "select",
        "audio",
        "video",
        "canvas",
    }
)
_KEEP = {"p": "p", "span": "span", "strong": "strong", "b": "strong", "em": "em", "i": "em"}
_VOID = frozenset({"br", "img", "hr", "wbr", "input", "meta", "link", "source", "area", "base"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]")


def safe_href(url: str) -> str | None:
    """``url`` if it is an http(s) or mailto address, else None (``javascript:``, ``data:`` ...)."""
    cleaned = _CONTROL.sub("", url).strip()
    # Browsers ignore tabs and newlines inside a scheme ("java\tscript:"): so do we, then judge.
    cleaned = re.sub(r"[\t\n\r]", "", cleaned)
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return None
    return cleaned if scheme in SAFE_SCHEMES else None


class _Sanitiser(HTMLParser):
    """Rewrites HTML keeping only the allowed subset (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0  # depth inside elements dropped with their content
        # What is open, innermost last: (name, closing markup, hidden). A link whose address was
        # refused keeps its text but has no markup to close.
        self._open: list[tuple[str, str, bool]] = []
        self._hidden = 0  # inside Mastodon's <span class="invisible"> (the cut part of a link)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_WITH_CONTENT:
            self._skip += 1
            return
        if self._skip:
            return
        found = dict(attrs)
        if tag == "img":
            alt = clean_line(found.get("alt") or "", 120)
            label = f"[image: {alt}]" if alt else "[image]"
            self.out.append(f'<span class="placeholder">{html.escape(label)}</span>')
        elif tag == "br":
            self.out.append("<br>")
        elif tag == "a":
            href = safe_href(found.get("href") or "")
            if href:
                self.out.append(f'<a href="{html.escape(href, quote=True)}">')
            self._open.append(("a", "</a>" if href else "", False))
        elif tag == "span" and "invisible" in (found.get("class") or "").split():
            self._hidden += 1
            self._open.append(("span", "", True))
        elif tag == "span" and "ellipsis" in (found.get("class") or "").split():
            self.out.append("<span>")
            self._open.append(("span", "</span>…", False))
        elif (kept := _KEEP.get(tag)) is not None:
            self.out.append(f"<{kept}>")
            self._open.append((kept, f"</{kept}>", False))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_WITH_CONTENT:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        want = "a" if tag == "a" else _KEEP.get(tag)
        # Close the innermost open element of this kind (and what is inside it); stray end
        # tags are ignored.
        for pos in range(len(self._open) - 1, -1, -1):
            if self._open[pos][0] == want:
                self._close_from(pos)
                return

    def _close_from(self, pos: int) -> None:
        for _, closing, hidden in reversed(self._open[pos:]):
            self.out.append(closing)
            self._hidden -= int(hidden)
        del self._open[pos:]

    def handle_data(self, data: str) -> None:
        if not self._skip and not self._hidden:
            self.out.append(html.escape(_CONTROL.sub("", data), quote=False))

    def result(self) -> str:
        self.close()
        self._close_from(0)
        return "".join(self.out)


def sanitise_html(markup: str) -> str:
    """Only the allowed subset of ``markup`` (see the module docstring)."""
    parser = _Sanitiser()
    parser.feed(markup)
    return parser.result()


def linkify_text(text: str) -> str:
    """Plain ``text`` escaped, line breaks kept, and its web addresses as links."""
    text = _CONTROL.sub("", text)
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        out.append(html.escape(text[pos : match.start()], quote=False))
        url = match.group(0)
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url, quote=False)}</a>')
        pos = match.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out).replace("\r\n", "\n").replace("\n", "<br>")


def body_html(text: str, safe_html: str) -> str:
    """An entry's body: its (re-sanitised) HTML, or its plain text when it has none."""
    return sanitise_html(safe_html) if safe_html.strip() else linkify_text(text)


@dataclass(frozen=True, slots=True)
class Colors:
    """The palette's colours the document uses (light and dark themes)."""

    text: str = "#202124"
    faded: str = "#6b7075"
    link: str = "#1a5fc8"
    item_background: str = "#eaf1fb"
    ours_background: str = "#f1f3f5"


def _when(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    local = utc_to_local(moment, zone)
    return f"{local.day} {local:%b %Y, %H:%M}"


def _entry_html(
    entry: ConversationEntry, is_item: bool, zone: str, colors: Colors, network: str
) -> str:
    name = html.escape(clean_line(entry.author_name, 80) or clean_line(entry.author_handle, 80))
    handle = clean_line(entry.author_handle, 80)
    if handle and not handle.startswith("@"):
        handle = "@" + handle
    meta = " · ".join(p for p in (html.escape(handle), _when(entry.created_at, zone)) if p)
    you = " <strong>(you)</strong>" if entry.is_ours else ""
    background = (
        colors.item_background if is_item else colors.ours_background if entry.is_ours else ""
    )
    bg = f' bgcolor="{background}"' if background else ""
    markup = "" if network == "bluesky" else entry.safe_html
    safe = bool(markup.strip())
    body = body_html(entry.text, markup)
    return (
        f'<table width="100%" cellspacing="0" cellpadding="8"{bg}><tr><td>'
        f"<p><strong>{name}</strong>{you} "
        f'<span style="color:{colors.faded}">{meta}</span></p>'
        f"{body if safe else f'<p>{body}</p>'}"
        "</td></tr></table>"
    )


def item_entry(item: InboxItemDTO) -> ConversationEntry:
    """The item itself as an entry (shown alone while its thread loads, or if it cannot)."""
    return ConversationEntry(
        remote_id=item.remote_id,
        author_handle=item.author_handle,
        author_name=item.author_name,
        text=item.text,
        safe_html=item.safe_html,
        created_at=item.received_at,
        is_ours=False,
    )


def _our_post_html(post: PostSummary | None, item: InboxItemDTO, colors: Colors) -> str:
    if post is None and item.post_id is None:
        return ""
    post_id = post.id if post is not None else item.post_id
    title = html.escape(clean_line(post.title if post is not None else item.post_title, 120))
    snippet = html.escape(clean_line(post.snippet, 200)) if post is not None else ""
    return (
        f'<table width="100%" cellspacing="0" cellpadding="8" bgcolor="{colors.ours_background}">'
        f'<tr><td><span style="color:{colors.faded}">In answer to our post</span><br>'
        f"<strong>{title or 'Untitled post'}</strong>"
        + (f"<br>{snippet}" if snippet else "")
        + f'<br><a href="{POST_SCHEME}:{post_id}">Open it in the planner</a></td></tr></table><br>'
    )


def conversation_html(
    item: InboxItemDTO,
    conversation: Conversation | None,
    zone: str,
    colors: Colors = Colors(),
) -> str:
    """The whole document: our post, then the thread (or the item alone), oldest first."""
    entries: Sequence[ConversationEntry] = conversation.entries if conversation else ()
    if not any(e.remote_id == item.remote_id for e in entries):
        entries = (*entries, item_entry(item))
    our_post = conversation.our_post if conversation else None
    kind = html.escape(KIND_LABELS.get(item.kind, item.kind))
    parts = [
        f'<html><body style="color:{colors.text}">',
        f'<p style="color:{colors.faded}">{kind}</p>' if not our_post and not item.post_id else "",
        _our_post_html(our_post, item, colors),
    ]
    for entry in entries:
        parts.append(
            _entry_html(entry, entry.remote_id == item.remote_id, zone, colors, item.network)
        )
        parts.append("<br>")
    parts.append("</body></html>")
    return "".join(parts)
