"""Preparing media for a network: images made to fit a size limit, and link previews read from pages.

**Images.** Networks cap an image's size (Bluesky: 1,000,000 bytes to be safe with older servers,
``reference/networks.md`` 2.5) and people attach camera photos of several megabytes. An image is
always re-encoded: that applies the EXIF orientation and then drops the EXIF block, which can hold
the place a photo was taken (bsky-docs ``posts.md`` asks for EXIF to be stripped). Encoding is
deterministic, so the same file gives the same bytes, and a network that names blobs by their hash
(Bluesky) gives the same reference to a retry.

**Link previews.** Networks that do not unfurl links themselves (Bluesky, 2.5) need the page's
title, description and image from its Open Graph tags. Reading a page is best effort: a size cap, a
deadline, and ``None`` when anything goes wrong, so a slow or broken site never stops a post.
"""

from __future__ import annotations

import io
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
from PIL import Image, ImageOps, UnidentifiedImageError

from cmdesk.text.graphemes import split_graphemes

__all__ = [
    "ImageError",
    "LinkPreview",
    "fetch_bytes",
    "fit_image",
    "fit_image_bytes",
    "read_link_preview",
]

#: JPEG qualities tried, best first, before the image is made smaller.
_JPEG_QUALITIES = (90, 82, 74, 66)
#: Formats whose pixels are kept losslessly (PNG) when the result fits.
_LOSSLESS_SOURCES = frozenset({"PNG", "GIF", "BMP", "TIFF"})
#: A decompression-bomb guard well above any camera (Pillow's own default warns at ~89 Mpx).
_MAX_SOURCE_PIXELS = 200_000_000


class ImageError(ValueError):
    """The file is not an image cmdesk can read, or cannot be made small enough."""


def fit_image(
    path: str | os.PathLike[str], max_bytes: int, max_pixels: int
) -> tuple[bytes, str, int, int]:
    """The image at ``path`` re-encoded to at most ``max_bytes`` and ``max_pixels`` (width x height).

    Returns ``(data, mime type, width, height)``; the aspect ratio is kept. Images with
    transparency stay PNG; others become JPEG unless a lossless source already fits as PNG.
    """
    try:
        with Image.open(path) as image:
            return _fit(image, max_bytes, max_pixels)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{os.fspath(path)!r} is not an image cmdesk can read ({exc}).") from None


def fit_image_bytes(data: bytes, max_bytes: int, max_pixels: int) -> tuple[bytes, str, int, int]:
    """:func:`fit_image` for an image already in memory (a downloaded link-preview picture)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return _fit(image, max_bytes, max_pixels)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageError(f"Not an image cmdesk can read ({exc}).") from None


def _fit(source: Image.Image, max_bytes: int, max_pixels: int) -> tuple[bytes, str, int, int]:
    if source.width * source.height > _MAX_SOURCE_PIXELS:
        raise ImageError(f"The image is too large to process ({source.width}x{source.height}).")
    source_format = source.format or ""
    icc = source.info.get("icc_profile")
    # Rotate the pixels as the camera meant, since the EXIF tag that said so is not kept.
    image = ImageOps.exif_transpose(source)
    alpha = _has_alpha(image)
    formats = ["PNG"] if alpha else ["JPEG"]
    if not alpha and source_format in _LOSSLESS_SOURCES:
        formats = ["PNG", "JPEG"]
    width, height = image.size
    scale = min(1.0, math.sqrt(max_pixels / (width * height)))
    for _ in range(16):
        size = (max(1, math.floor(width * scale)), max(1, math.floor(height * scale)))
        frame = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        smallest = 0
        for fmt in formats:
            for data in _encodings(frame, fmt, icc):
                if len(data) <= max_bytes:
                    mime = "image/png" if fmt == "PNG" else "image/jpeg"
                    return data, mime, size[0], size[1]
                smallest = len(data) if not smallest else min(smallest, len(data))
        if size == (1, 1):
            break
        # Bytes grow roughly with the pixel count: shrink by the square root of the excess.
        scale *= max(0.5, min(0.9, math.sqrt(max_bytes / smallest) * 0.95))
    raise ImageError(f"The image cannot be made smaller than {max_bytes} bytes.")


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return True
    return image.mode == "P" and "transparency" in image.info


def _encodings(frame: Image.Image, fmt: str, icc: object) -> Iterator[bytes]:
    """The candidate encodings of one frame in ``fmt``, best quality first, made on demand."""
    extra = {"icc_profile": icc} if isinstance(icc, bytes) else {}
    if fmt == "PNG":
        png = frame if frame.mode in ("RGB", "RGBA", "L", "LA", "P") else frame.convert("RGBA")
        buffer = io.BytesIO()
        png.save(buffer, "PNG", **extra)
        yield buffer.getvalue()
        return
    rgb = frame if frame.mode in ("RGB", "L") else frame.convert("RGB")
    for quality in _JPEG_QUALITIES:
        buffer = io.BytesIO()
        rgb.save(buffer, "JPEG", quality=quality, optimize=True, **extra)
        yield buffer.getvalue()


# --- link previews ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkPreview:
    """What a page says about itself: Open Graph tags, else its title and meta description."""

    url: str
    title: str
    description: str
    image_url: str | None


#: A page's head is all a preview needs; bigger pages are cut here.
_MAX_PAGE_BYTES = 1_000_000
_TITLE_GRAPHEMES = 300
_DESCRIPTION_GRAPHEMES = 1000


class _MetaParser(HTMLParser):
    """Collects <title> and <meta> values up to </head>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = {k.lower(): v or "" for k, v in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and key not in self.meta and "content" in values:
                self.meta[key] = values["content"].strip()
        elif tag == "body":
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.title.strip():
            self.title += data


def fetch_bytes(
    http: requests.Session,
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    accept: tuple[str, ...],
) -> tuple[bytes, str] | None:
    """Up to ``max_bytes`` of ``url`` and its content type, or ``None`` (wrong type, error, slow).

    The whole transfer must finish within ``timeout`` seconds (each read also has that timeout),
    so a server that drips bytes cannot hold a post back.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    deadline = time.monotonic() + timeout
    try:
        with http.get(url, stream=True, timeout=(timeout, timeout), allow_redirects=True) as resp:
            kind = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if resp.status_code != 200 or not kind.startswith(accept):
                return None
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_content(64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size >= max_bytes or time.monotonic() > deadline:
                    break
            if time.monotonic() > deadline:
                return None
            return b"".join(chunks)[:max_bytes], resp.headers.get("Content-Type", kind)
    except (requests.RequestException, OSError, ValueError):
        return None


def _charset(content_type: str, head: bytes) -> str:
    """The page's encoding: from the Content-Type header, else a <meta charset>, else UTF-8."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    lowered = head[:4096].lower()
    at = lowered.find(b"charset=")
    if at >= 0:
        raw = lowered[at + 8 : at + 40].lstrip(b"\"' ")
        end = next((i for i, byte in enumerate(raw) if chr(byte) in "\"' ;/>"), len(raw))
        return raw[:end].decode("ascii", "ignore") or "utf-8"
    return "utf-8"


def _clip(text: str, graphemes: int) -> str:
    text = " ".join(text.split())
    parts = split_graphemes(text)
    return text if len(parts) <= graphemes else "".join(parts[: graphemes - 1]) + "…"


def read_link_preview(http: requests.Session, url: str, *, timeout: float) -> LinkPreview | None:
    """The preview of the page at ``url``, or ``None`` when it cannot be read or says nothing."""
    fetched = fetch_bytes(
        http,
        url,
        max_bytes=_MAX_PAGE_BYTES,
        timeout=timeout,
        accept=("text/html", "application/xhtml+xml"),
    )
    if fetched is None:
        return None
    body, content_type = fetched
    try:
        text = body.decode(_charset(content_type, body), errors="replace")
    except LookupError:  # an unknown charset name
        text = body.decode("utf-8", errors="replace")
    parser = _MetaParser()
    # Feed a piece at a time and stop at </head>: everything a preview needs is in the head.
    for start in range(0, len(text), 8192):
        try:
            parser.feed(text[start : start + 8192])
        except (ValueError, AssertionError):  # markup the parser gives up on
            break
        if parser.done:
            break
    meta = parser.meta
    title = meta.get("og:title") or meta.get("twitter:title") or parser.title
    description = (
        meta.get("og:description") or meta.get("twitter:description") or meta.get("description")
    )
    title, description = (
        _clip(title or "", _TITLE_GRAPHEMES),
        _clip(description or "", _DESCRIPTION_GRAPHEMES),
    )
    if not title and not description:
        return None
    image = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
    image_url = urljoin(url, image) if image else None
    if image_url and urlsplit(image_url).scheme not in ("http", "https"):
        image_url = None
    return LinkPreview(url=url, title=title, description=description, image_url=image_url)
