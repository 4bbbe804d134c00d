"""Mastodon's length rule and the limits an instance announces.

The rule (``reference/networks.md`` 1.7, checked against Mastodon's
``app/validators/status_length_validator.rb``, ``app/lib/extractor.rb``,
``config/initializers/twitter_regex.rb``, ``Account::MENTION_RE`` and the twitter-text 3.1 gem they
build on):

* length = extended grapheme clusters of ``spoiler_text + countable_text(text)``, the two joined
  *before* counting, as the server does;
* in ``countable_text`` every URL the extractor finds *with a scheme* becomes ``url_length`` ``x``
  characters (``characters_reserved_per_url``, 23 by default); a bare ``example.com`` counts in
  full because the validator passes ``extract_url_without_protocol: false``;
* every mention ``@user@domain`` becomes ``@user``;
* overlapping entities are resolved as ``Extractor.remove_overlapping_entities`` does: sorted by
  start, an entity that overlaps the one kept before it is dropped.

GoToSocial counts differently (code points, no URL or mention concession, networks.md 1.7); this
module is Mastodon's rule only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cmdesk.text import Problem
from cmdesk.text.graphemes import compile_unicode, count_graphemes

__all__ = [
    "DEFAULT_URL_LENGTH",
    "MastodonLimits",
    "check_mastodon",
    "countable_text",
    "mastodon_length",
]

DEFAULT_URL_LENGTH = 23
_MAX_URL_LENGTH = 4096  # twitter-text Extractor::MAX_URL_LENGTH, checked after IDNA encoding

# --- Character sets, from twitter-text's regex.rb (as Mastodon loads it) ---------------------------
_DIRECTIONAL = r"\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069"
_INVALID = r"\uFFFE\uFEFF\uFFFF"
_UNICODE_SPACES = r"\t-\r \x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
# PUNCTUATION_CHARS: ASCII punctuation; the gem's string escapes "[" and "]", so "\" is not in it.
_PUNCTUATION = r"!\"#$%&'()*+,\-./:;<=>?@\[\]\^_`{|}~"
_CONTROL = r"\x00-\x1F\x7F"
_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
# Mastodon's UCHARS: every non-ASCII code point a query string may contain.
_UCHARS = "".join(
    f"\\U{low:08X}-\\U{high:08X}"
    for low, high in (
        (0xA0, 0xD7FF),
        (0xF900, 0xFDCF),
        (0xFDF0, 0xFFEF),
        *((plane, plane + 0xFFFD) for plane in range(0x10000, 0xE0000, 0x10000)),
        (0xE1000, 0xEFFFD),
        (0xE000, 0xF8FF),
        (0xF0000, 0xFFFFD),
        (0x100000, 0x10FFFD),
    )
)

_DOMAIN_CHAR = f"[^{_DIRECTIONAL}{_PUNCTUATION}{_CONTROL}{_INVALID}{_UNICODE_SPACES}]"
_SUBDOMAIN = rf"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\.)"
_DOMAIN_NAME = rf"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\.)"
# twitter-text accepts a top-level domain only from the list bundled with the gem. Any run of two or
# more letters stands in for that list here: it differs only for made-up TLDs written with a scheme
# ("https://intranet.corp"), which the server counts in full and this counts as a URL.
_TLD = r"(?:(?:\p{L}\p{M}*){2,}(?=[^0-9a-z@+\-]|$)|xn--[0-9a-z]+)"

# URL path characters: Mastodon's overrides in config/initializers/twitter_regex.rb.
_PATH_CHAR = r"[^\p{White_Space}<>()?]"
_BALANCED_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
# The ending-character override is built while twitter-text's own balanced-parens regex is still
# in place (Ruby interpolates at definition time), so a closing group uses the gem's narrower set.
_GEM_PATH_CHAR = rf"[a-z\p{{Cyrillic}}0-9!*';:=+,.$/%#\[\]\p{{Pd}}_~&|@{_LATIN_ACCENTS}]"
_GEM_BALANCED_PARENS = (
    rf"\((?:{_GEM_PATH_CHAR}+|{_GEM_PATH_CHAR}*\({_GEM_PATH_CHAR}+\){_GEM_PATH_CHAR}*)\)"
)
_PATH_END = rf"(?:[^\p{{White_Space}}()?!*\"'「」<>;:=,.$%\[\]~&|@]|{_GEM_BALANCED_PARENS})"
_PATH = rf"(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END}|{_PATH_CHAR}+/)"
_QUERY_CHAR = rf"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^{_UCHARS}]"
_QUERY_END = rf"[a-z0-9_&=\#/\-{_UCHARS}]"

# Only URLs with a scheme get the concession, so the scheme is required here (the server's regex
# also matches bare domains and then drops them, which differs only when such a match swallows a
# scheme URL right behind it: "example.com/https://..."). The schemes are the ones Mastodon's
# valid_url override lists. The character before a URL must not be a letter, a digit, "@", "$" or
# "#" (valid_url_preceding_chars).
_URL_RE = compile_unicode(
    rf"""(?ix)
    (?:^|[^a-z0-9@＠$\#＃{_INVALID}])
    (?P<url>
      (?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://
      (?P<domain>{_SUBDOMAIN}*{_DOMAIN_NAME}{_TLD})
      (?::[0-9]+)?
      (?:/{_PATH}*)?
      (?:\?{_QUERY_CHAR}*{_QUERY_END})?
    )
    """
)

# Account::MENTION_RE (Mastodon 4.x): "@user" or "@user@domain", not after "=", "/" or a word
# character. [[:word:]] is Unicode-aware there, as it is in the regex engine used here.
_MENTION_RE = compile_unicode(
    r"(?<![=/[:word:]])@(?P<screen_name>(?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)"
    r"(?:@[[:word:]]+(?:[.-]+[[:word:]]+)*)?)"
)
# twitter-text's end_mention_match: a candidate followed by these is not a mention at all.
_END_MENTION_RE = re.compile(rf"[@＠{_LATIN_ACCENTS}]|://")


@dataclass(frozen=True, slots=True)
class _Entity:
    start: int
    end: int
    replacement: str


def _url_entities(text: str, url_length: int) -> list[_Entity]:
    entities = []
    for match in _URL_RE.finditer(text):
        url, domain = match.group("url"), match.group("domain")
        if _fits_url_limit(url, domain):
            entities.append(_Entity(match.start("url"), match.end("url"), "x" * url_length))
    return entities


def _fits_url_limit(url: str, domain: str) -> bool:
    """twitter-text's ``is_valid_domain``: IDNA-encodable, and at most 4096 characters encoded."""
    try:
        encoded = domain.encode("idna")
    except UnicodeError:
        return False
    return len(url) + max(0, len(encoded) - len(domain)) <= _MAX_URL_LENGTH


def _mention_entities(text: str) -> list[_Entity]:
    if "@" not in text:
        return []
    entities = []
    for match in _MENTION_RE.finditer(text):
        if _END_MENTION_RE.match(text, match.end()):
            continue
        username = match.group("screen_name").split("@", 1)[0]
        entities.append(_Entity(match.start(), match.end(), f"@{username}"))
    return entities


def _remove_overlapping(entities: Sequence[_Entity]) -> list[_Entity]:
    kept: list[_Entity] = []
    for entity in sorted(entities, key=lambda e: e.start):  # a URL and a mention never tie
        if kept and kept[-1].end > entity.start:
            continue
        kept.append(entity)
    return kept


def countable_text(text: str, *, url_length: int = DEFAULT_URL_LENGTH) -> str:
    """``text`` as Mastodon measures it: URLs as ``url_length`` x's, ``@user@domain`` as ``@user``."""
    if not text.strip():
        return ""  # Ruby's str.blank? -> '' (a blank body adds nothing)
    entities = _remove_overlapping(_url_entities(text, url_length) + _mention_entities(text))
    pieces: list[str] = []
    position = 0
    for entity in entities:
        pieces += [text[position : entity.start], entity.replacement]
        position = entity.end
    pieces.append(text[position:])
    return "".join(pieces)


def mastodon_length(
    text: str, spoiler_text: str = "", *, url_length: int = DEFAULT_URL_LENGTH
) -> int:
    """The length Mastodon compares with ``max_characters`` (networks.md 1.7).

    The content warning counts too: the server joins it to the body and counts grapheme clusters of
    the whole, so a combining mark at the start of the body can merge with the warning's last
    character exactly as it does on the server.
    """
    return count_graphemes(spoiler_text + countable_text(text, url_length=url_length))


# --- Instance limits (networks.md 1.2) -------------------------------------------------------------

_CONFIG = ("configuration",)
_STATUSES = (*_CONFIG, "statuses")
_MEDIA = (*_CONFIG, "media_attachments")
_POLLS = (*_CONFIG, "polls")
# Where each limit is read, best source first: ``configuration`` (v2, and v1 since Mastodon 3.4.2),
# then the v1 fields Pleroma and Akkoma add (max_toot_chars, upload_limit, poll_limits ...).
_LIMIT_SOURCES: dict[str, tuple[tuple[str, ...], ...]] = {
    "max_characters": ((*_STATUSES, "max_characters"), ("max_toot_chars",)),
    "characters_reserved_per_url": ((*_STATUSES, "characters_reserved_per_url"),),
    "max_media_attachments": ((*_STATUSES, "max_media_attachments"), ("max_media_attachments",)),
    "description_limit": ((*_MEDIA, "description_limit"), ("description_limit",)),
    "image_size_limit": ((*_MEDIA, "image_size_limit"), ("upload_limit",)),
    "image_matrix_limit": ((*_MEDIA, "image_matrix_limit"),),
    "video_size_limit": ((*_MEDIA, "video_size_limit"), ("upload_limit",)),
    "video_matrix_limit": ((*_MEDIA, "video_matrix_limit"),),
    "video_frame_rate_limit": ((*_MEDIA, "video_frame_rate_limit"),),
    "poll_max_options": ((*_POLLS, "max_options"), ("poll_limits", "max_options")),
    "poll_max_characters_per_option": (
        (*_POLLS, "max_characters_per_option"),
        ("poll_limits", "max_option_chars"),
    ),
    "poll_min_expiration": ((*_POLLS, "min_expiration"), ("poll_limits", "min_expiration")),
    "poll_max_expiration": ((*_POLLS, "max_expiration"), ("poll_limits", "max_expiration")),
}
# Zero is a meaningful value for these (no URL concession; polls that may end at once).
_ZERO_ALLOWED = frozenset({"characters_reserved_per_url", "poll_min_expiration"})


@dataclass(frozen=True, slots=True)
class MastodonLimits:
    """What one server allows, read from ``GET /api/v2/instance`` (or v1); Mastodon's defaults."""

    max_characters: int = 500
    characters_reserved_per_url: int = DEFAULT_URL_LENGTH
    max_media_attachments: int = 4
    description_limit: int = 1500
    image_size_limit: int = 16_777_216
    image_matrix_limit: int = 33_177_600
    video_size_limit: int = 103_809_024
    video_matrix_limit: int = 8_294_400
    video_frame_rate_limit: int = 120
    supported_mime_types: tuple[str, ...] = ()
    poll_max_options: int = 4
    poll_max_characters_per_option: int = 50
    poll_min_expiration: int = 300
    poll_max_expiration: int = 2_629_746

    @classmethod
    def from_instance_json(cls, data: object) -> MastodonLimits:
        """Limits from a v2 or v1 instance document; anything missing or odd keeps the default.

        A server that sends strings, negative numbers, nulls or another shape never makes this
        raise: a limit that cannot be read is Mastodon's default.
        """
        fields: dict[str, Any] = {
            "supported_mime_types": _strings(_dig(data, (*_MEDIA, "supported_mime_types")))
        }
        for name, paths in _LIMIT_SOURCES.items():
            for path in paths:
                value = _positive(_dig(data, path), allow_zero=name in _ZERO_ALLOWED)
                if value is not None:
                    fields[name] = value
                    break
        return cls(**fields)


def _dig(data: object, path: Sequence[str]) -> object:
    """``data[path[0]][path[1]]...``, or ``None`` as soon as a step is not a JSON object."""
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _positive(value: object, *, allow_zero: bool = False) -> int | None:
    """A usable count from JSON: an int, an integral float or a digit string; else ``None``."""
    number: int | None = None
    if isinstance(value, bool):  # True is an int in Python, never a limit
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number < 0 or (number == 0 and not allow_zero):
        return None
    return number


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


# --- Checks ---------------------------------------------------------------------------------------


def check_mastodon(
    text: str, spoiler_text: str = "", limits: MastodonLimits | None = None
) -> list[Problem]:
    """Problems that would make the server refuse this status (an empty list when it fits)."""
    limits = limits or MastodonLimits()
    length = mastodon_length(text, spoiler_text, url_length=limits.characters_reserved_per_url)
    if length <= limits.max_characters:
        return []
    over = length - limits.max_characters
    unit = "character" if over == 1 else "characters"
    counted = " together with the content warning" if spoiler_text else ""
    return [
        Problem(
            code="mastodon.too_long",
            message=(
                f"{over} {unit} over the limit of {limits.max_characters} on this Mastodon server "
                f"({length} counted{counted}; each link counts as "
                f"{limits.characters_reserved_per_url}). Shorten the text or split it into a "
                "thread."
            ),
            actual=length,
            limit=limits.max_characters,
        )
    ]
