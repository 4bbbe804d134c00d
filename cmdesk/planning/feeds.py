"""Reading RSS and Atom feeds: one conditional, size-capped request, then feedparser.

No database here: :func:`fetch` makes the HTTP request (``If-None-Match`` / ``If-Modified-Since``
from what the last answer said, a timeout on every read and on the whole download, at most
:data:`MAX_BYTES` read), :func:`parse` turns the body into :class:`FeedEntry` values that are safe
to store: plain text made by the shared sanitiser (scripts and markup gone, control characters
stripped), links only when they are http or https, every field cut to what its column holds.

Every failure is a :class:`FeedError` whose message says what happened and what to do; a web page
that names its feed in ``<link rel="alternate">`` gets that address suggested.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from cmdesk import __version__
from cmdesk.adapters.http import _no_network, retry_at
from cmdesk.errors import UserError, ValidationError
from cmdesk.text.html import clean_name, clean_text, clip, html_to_text, strip_controls

USER_AGENT = f"cmdesk/{__version__}"
#: The largest answer read; a bigger one is refused, not parsed in part.
MAX_BYTES = 5 * 1024 * 1024
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0
#: The whole download, however slowly the bytes drip in.
TOTAL_TIMEOUT = 60.0
CHUNK = 64 * 1024
URL_CHARS = 1000
TITLE_CHARS = 300
TEXT_CHARS = 5000
GUID_CHARS = 500
FEED_TITLE_CHARS = 255
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: A scheme without "//" ("javascript:", "mailto:"), not a host and port ("example.com:8080").
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


class FeedError(UserError):
    """A feed could not be read. ``gone``: the server said it is gone for good (410).

    ``retry_at``: the server asked to wait until then (429 with Retry-After).
    ``suggested_url``: the page fetched is a web page whose feed is at this address.
    """

    def __init__(
        self,
        message: str,
        *,
        gone: bool = False,
        retry_at: datetime | None = None,
        suggested_url: str = "",
    ) -> None:
        super().__init__(message)
        self.gone = gone
        self.retry_at = retry_at
        self.suggested_url = suggested_url


@dataclass(frozen=True, slots=True)
class Fetched:
    """One answer: ``body`` None when the server said nothing changed (304).

    ``moved_to``: the feed's new address when every redirect on the way was permanent (301, 308).
    """

    body: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str
    url: str
    moved_to: str = ""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry, cleaned: what an idea is made of."""

    guid: str
    title: str
    text: str
    link: str
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed's title and entries; ``problem`` says what was wrong in a feed read only in part."""

    title: str
    entries: tuple[FeedEntry, ...]
    problem: str = ""


# --- addresses ------------------------------------------------------------------------------------


def check_url(raw: str, *, what: str = "A feed address") -> str:
    """``raw`` as an http(s) address (``https://`` added when no scheme was typed); or refuse."""
    url = raw.strip()
    if url.lower().startswith("feed://"):
        url = "https://" + url[len("feed://") :]
    if url and "://" not in url and not _SCHEME.match(url):
        url = "https://" + url
    parts = urlsplit(url)
    if not url or any(c.isspace() or ord(c) < 32 for c in url):
        raise ValidationError(
            f"{what} is one web address, such as https://example.com/feed.xml.", field="url"
        )
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"{what} must start with http:// or https:// and name a server "
            "(such as https://example.com/feed.xml).",
            field="url",
        )
    if len(url) > URL_CHARS:
        raise ValidationError(f"{what} is at most {URL_CHARS} characters.", field="url")
    return url


def one_line(text: str, limit: int) -> str:
    """``text`` on one line with single spaces, cut to ``limit`` (titles and names)."""
    return clean_name(" ".join(text.split()), limit)


def safe_link(raw: object) -> str:
    """An entry's link if it is an http(s) address that fits its column, else ""."""
    if not isinstance(raw, str):
        return ""
    link = strip_controls(raw).strip()
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    if len(link) > URL_CHARS or any(c.isspace() for c in link):
        return ""
    return link


# --- fetching -------------------------------------------------------------------------------------


def fetch(
    session: requests.Session,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    now: datetime | None = None,
    max_bytes: int | None = None,
    total_timeout: float | None = None,
) -> Fetched:
    """GET ``url`` with conditional headers; raises :class:`FeedError` with a readable message."""
    try:
        response = session.get(
            url,
            headers=_request_headers(etag, last_modified),
            stream=True,
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            allow_redirects=True,
        )
    except requests.exceptions.RequestException as exc:
        raise _transport_error(exc, url) from None
    with response:
        _check_status(response, now or datetime.now(UTC))
        moved = _moved_to(response, url)
        if response.status_code == 304:
            return Fetched(None, etag, last_modified, "", response.url or url, moved)
        body = _read_capped(
            response,
            MAX_BYTES if max_bytes is None else max_bytes,
            TOTAL_TIMEOUT if total_timeout is None else total_timeout,
        )
        return Fetched(
            body,
            _header(response, "ETag", 255),
            _header(response, "Last-Modified", 64),
            response.headers.get("Content-Type", ""),
            response.url or url,
            moved,
        )


def _request_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """What every request sends, and the validators of the last answer (a 304 saves the body)."""
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _moved_to(response: requests.Response, url: str) -> str:
    """The final address when every redirect was permanent and it is a valid feed address."""
    hops = response.history
    if not hops or any(h.status_code not in (301, 308) for h in hops):
        return ""
    final = response.url or ""
    return final if final != url and safe_link(final) == final else ""


def _header(response: requests.Response, name: str, limit: int) -> str | None:
    value = response.headers.get(name)
    return value if value and len(value) <= limit else None


def _transport_error(exc: requests.exceptions.RequestException, url: str) -> FeedError:
    host = urlsplit(url).hostname or url
    if isinstance(exc, requests.exceptions.Timeout):
        return FeedError(f"{host} took too long to answer; cmdesk will try again later.")
    if isinstance(exc, requests.exceptions.SSLError):
        return FeedError(f"{host} has no valid security certificate; check the feed's address.")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return FeedError(f"The connection to {host} dropped before the whole feed arrived.")
    if isinstance(exc, requests.exceptions.ConnectionError):
        if _no_network(exc):
            return FeedError(
                f"Cannot find the server {host}: check the address, or your connection."
            )
        return FeedError(f"Could not connect to {host}; cmdesk will try again later.")
    return FeedError(f"{url} cannot be read: {exc.__class__.__name__}.")


def _check_status(response: requests.Response, now: datetime) -> None:
    code = response.status_code
    if code < 400:
        return
    if code == 410:
        raise FeedError(
            "The feed is gone for good (410); it was paused. Remove it or subscribe to its new "
            "address.",
            gone=True,
        )
    if code == 404:
        raise FeedError("No feed at this address (404): check it, the site may have moved it.")
    if code in (401, 403):
        raise FeedError(f"The server refused to give the feed ({code}).")
    if code == 429:
        when = retry_at(response, now)
        raise FeedError(
            f"The server asked cmdesk to slow down; it tries again after {when:%H:%M} UTC.",
            retry_at=when,
        )
    if code >= 500:
        raise FeedError(f"The feed's server had a problem ({code}); cmdesk will try again later.")
    raise FeedError(f"The server answered {code} instead of the feed.")


def _read_capped(response: requests.Response, max_bytes: int, total_timeout: float) -> bytes:
    too_big = FeedError(
        f"The feed is larger than {max_bytes // (1024 * 1024)} MB; cmdesk does not read it."
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    deadline = time.monotonic() + total_timeout
    chunks: list[bytes] = []
    size = 0
    for chunk in _chunks(response):
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        if time.monotonic() > deadline:
            raise FeedError("The feed arrived too slowly; cmdesk will try again later.")
        chunks.append(chunk)
    return b"".join(chunks)


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives (``read1`` returns what is there, so a slow drip is noticed)."""
    host = urlsplit(response.url).hostname or "The server"
    while True:
        try:
            data = response.raw.read1(CHUNK, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError:
            raise FeedError(
                f"{host} took too long to answer; cmdesk will try again later."
            ) from None
        except (urllib3.exceptions.HTTPError, OSError):
            raise FeedError(
                f"The connection to {host} dropped before the whole feed arrived."
            ) from None
        if not data:
            return
        yield data


# --- parsing --------------------------------------------------------------------------------------


def parse(fetched: Fetched) -> ParsedFeed:
    """The entries of a fetched feed; raises :class:`FeedError` when it is no feed at all."""
    body = fetched.body or b""
    headers = {"content-type": fetched.content_type} if fetched.content_type else {}
    import feedparser  # loaded on the first read of a feed, not at start-up

    parsed: Any = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    entries = tuple(e for e in (_entry(raw) for raw in parsed.entries) if e is not None)
    if not parsed.version and not entries:
        raise _not_a_feed(body, fetched.url, parsed)
    title = one_line(html_to_text(str(parsed.feed.get("title", ""))), FEED_TITLE_CHARS)
    problem = ""
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(exc, feedparser.CharacterEncodingOverride):
        problem = (
            f"The feed is not well-formed ({_short(exc)}); cmdesk read the {len(entries)} "
            "entries it could."
        )
    return ParsedFeed(title, entries, problem)


def _short(exc: object) -> str:
    return clip(clean_name(str(exc) or exc.__class__.__name__), 120)


def _not_a_feed(body: bytes, url: str, parsed: Any) -> FeedError:
    text = body[:MAX_BYTES].decode("utf-8", errors="replace")
    if "<html" in text[:4096].lower() or "<!doctype html" in text[:4096].lower():
        finder = _FeedLinkFinder()
        try:
            finder.feed(text)
        except Exception:
            finder.href = ""
        if finder.href:
            found = urljoin(url, finder.href)
            return FeedError(
                f"This address is a web page, not a feed. Its feed seems to be {found}: "
                "subscribe to that address instead.",
                suggested_url=found,
            )
        return FeedError("This address is a web page, not a feed; look on the site for its RSS.")
    exc = parsed.get("bozo_exception")
    detail = f" ({_short(exc)})" if exc is not None else ""
    return FeedError(f"This address does not give an RSS or Atom feed{detail}.")


class _FeedLinkFinder(HTMLParser):
    """The first ``<link rel="alternate" type="application/rss+xml|atom+xml" href>`` of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link" or self.href:
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        href = values.get("href", "").strip()
        if "alternate" in rel and kind in _FEED_TYPES and href:
            joined = urljoin("https://x.invalid/", href)
            if urlsplit(joined).scheme in ("http", "https"):
                self.href = href


def _entry(raw: Any) -> FeedEntry | None:
    title = one_line(html_to_text(str(raw.get("title", "") or "")), TITLE_CHARS)
    summary = _summary(raw)
    link = safe_link(raw.get("link"))
    if not title:
        title = clean_name(summary.split("\n", 1)[0], TITLE_CHARS) if summary else ""
    if not title and not link:
        return None
    title = title or clean_name(link, TITLE_CHARS)
    published = _date(raw.get("published_parsed") or raw.get("updated_parsed"))
    return FeedEntry(_guid(raw, link, title, published), title, summary, link, published)


def _summary(raw: Any) -> str:
    html = ""
    content = raw.get("content")
    if isinstance(content, list) and content:
        html = str(content[0].get("value", "") or "")
    html = str(raw.get("summary", "") or "") or html
    # Cut before parsing as well as after: a hostile entry may be megabytes of markup.
    return clip(clean_text(html_to_text(html[: TEXT_CHARS * 20])), TEXT_CHARS)


def _guid(raw: Any, link: str, title: str, published: datetime | None) -> str:
    ident = raw.get("id") or raw.get("guid")
    candidate = strip_controls(str(ident)).strip() if ident else ""
    candidate = candidate or link
    if candidate and len(candidate) <= GUID_CHARS:
        return candidate
    seed = candidate or f"{title}\n{published.isoformat() if published else ''}"
    return "sha256:" + hashlib.sha256(seed.encode("utf-8", errors="replace")).hexdigest()


def _date(value: object) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None
