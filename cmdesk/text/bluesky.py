"""Bluesky's text limits and rich-text facets.

Limits (``reference/networks.md`` 2.4, checked against ``lexicons/app/bsky/feed/post.json`` in
``bluesky-social/atproto``): the text may have at most 300 grapheme clusters *and* at most 3000
UTF-8 bytes; both are enforced.

Facets (networks.md 2.4; ``lexicons/app/bsky/richtext/facet.json``): nothing is linked unless a
facet says so, and a facet points at its text by *UTF-8 byte* offsets (start inclusive, end
exclusive). Detection follows the official client, ``packages/api/src/rich-text/detection.ts`` and
``util.ts`` (atproto commit d6296a1):

* mentions: ``@handle`` after the start, a space or "("; the handle is ``[a-zA-Z0-9.-]+`` up to an
  ASCII word boundary and must end in a known top-level domain (or ``.test``);
* links: ``http(s)://`` followed by non-space characters, or a bare domain (ASCII labels joined by
  dots, the first starting with a letter) with a known top-level domain, then ``https://`` is
  added; one trailing ``.,;:!?`` is trimmed, then a ``)`` when the link has no ``(``;
* tags: ``#`` or ``＃`` after the start or a space, not followed by U+FE0F (keycap emoji); trailing
  punctuation is trimmed; a tag made only of digits and punctuation is no tag; at most 64 graphemes
  (and, unlike detection.ts, at most the lexicon's 640 bytes, which the PDS enforces).

Like the official client, a bare domain or handle counts only if its top-level domain is written
in lower case ("Example.COM" is not linked). Facets must not overlap [bsky-docs
``post-richtext.md``]: sorted by start, one that overlaps an earlier one is dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

from cmdesk.text import Problem
from cmdesk.text.graphemes import compile_unicode, count_graphemes, utf8_length

__all__ = [
    "BLUESKY_MAX_BYTES",
    "BLUESKY_MAX_GRAPHEMES",
    "TAG_MAX_GRAPHEMES",
    "ByteSlice",
    "Facet",
    "FacetCandidate",
    "FacetKind",
    "bluesky_length",
    "bluesky_measure",
    "build_facets",
    "check_bluesky",
    "detect_facets",
]

BLUESKY_MAX_GRAPHEMES = 300  # app.bsky.feed.post text.maxGraphemes
BLUESKY_MAX_BYTES = 3000  # app.bsky.feed.post text.maxLength (UTF-8 bytes)
TAG_MAX_GRAPHEMES = 64  # app.bsky.richtext.facet#tag tag.maxGraphemes
_TAG_MAX_BYTES = 640  # app.bsky.richtext.facet#tag tag.maxLength

# --- Length ----------------------------------------------------------------------------------------


def bluesky_length(text: str) -> tuple[int, int]:
    """``(grapheme clusters, UTF-8 bytes)`` of a post's text: the two quantities Bluesky limits."""
    return count_graphemes(text), utf8_length(text)


def bluesky_measure(text: str) -> int:
    """One number to compare with :data:`BLUESKY_MAX_GRAPHEMES` that respects *both* limits.

    3000 bytes is exactly ten bytes per allowed grapheme, so ``max(graphemes, ceil(bytes / 10))``
    is at most 300 exactly when both limits hold. Made for :func:`cmdesk.text.threads.
    split_into_thread`, which takes a single measure.
    """
    graphemes, size = bluesky_length(text)
    return max(graphemes, math.ceil(size * BLUESKY_MAX_GRAPHEMES / BLUESKY_MAX_BYTES))


def check_bluesky(text: str) -> list[Problem]:
    """Problems that would make the PDS refuse this text (an empty list when it fits)."""
    graphemes, size = bluesky_length(text)
    problems = []
    if graphemes > BLUESKY_MAX_GRAPHEMES:
        over = graphemes - BLUESKY_MAX_GRAPHEMES
        problems.append(
            Problem(
                code="bluesky.too_many_graphemes",
                message=(
                    f"{over} {'character' if over == 1 else 'characters'} over Bluesky's limit "
                    f"of {BLUESKY_MAX_GRAPHEMES} ({graphemes} counted; links count in full). "
                    "Shorten the text or split it into a thread."
                ),
                actual=graphemes,
                limit=BLUESKY_MAX_GRAPHEMES,
            )
        )
    if size > BLUESKY_MAX_BYTES:
        problems.append(
            Problem(
                code="bluesky.too_many_bytes",
                message=(
                    f"Too large for Bluesky: {size} bytes of the {BLUESKY_MAX_BYTES} allowed. "
                    "Emoji and many scripts take 3 or 4 bytes per character; shorten the text "
                    "or split it into a thread."
                ),
                actual=size,
                limit=BLUESKY_MAX_BYTES,
            )
        )
    return problems


# --- Facet detection -------------------------------------------------------------------------------


class FacetKind(StrEnum):
    """Which ``app.bsky.richtext.facet`` feature a candidate becomes."""

    LINK = "link"
    MENTION = "mention"
    TAG = "tag"


@dataclass(frozen=True, slots=True)
class FacetCandidate:
    """An entity found in the text, before handles are resolved to DIDs.

    ``byte_start``/``byte_end`` are UTF-8 byte offsets into the text (end exclusive); ``text`` is
    the substring they cover, as written. ``value`` is what the facet will carry: the full URI of
    a link (``https://`` added to a bare domain), the handle of a mention (no ``@``), the tag
    (no ``#``).
    """

    kind: FacetKind
    byte_start: int
    byte_end: int
    text: str
    value: str


# JavaScript's \s (WhiteSpace and LineTerminator, ECMA-262): the official regexes are written in JS.
_JS_SPACE = r"\t\n\v\f\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF"
_ZERO_WIDTH = r"\xAD\u2060\u200A\u200B\u200C\u200D\u20E2"  # util.ts TAG_REGEX exclusions

# util.ts MENTION_REGEX /(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)/g; JS's \b without the u flag is ASCII.
_MENTION_RE = re.compile(
    rf"(?:^|[{_JS_SPACE}(])@(?P<handle>[a-zA-Z0-9.-]+)"
    r"(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))"
)
# util.ts URL_REGEX, flags gim. The classes spell out both cases instead of using IGNORECASE,
# whose Unicode folding would let "K" (Kelvin sign) or "ſ" match [a-z], unlike JavaScript.
_URL_RE = re.compile(
    rf"(?:^|[{_JS_SPACE}(])"
    rf"(?P<uri>[hH][tT][tT][pP][sS]?://[^{_JS_SPACE}]+"
    rf"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+)[^{_JS_SPACE}]*)"
)
# util.ts TAG_REGEX, flags gu: some character must be neither an ASCII digit nor punctuation.
_TAG_RE = compile_unicode(
    rf"(?:^|[{_JS_SPACE}])[#＃]"
    rf"(?P<tag>(?!\uFE0F)[^{_JS_SPACE}{_ZERO_WIDTH}]*"
    rf"[^0-9{_JS_SPACE}\p{{P}}{_ZERO_WIDTH}]+[^{_JS_SPACE}{_ZERO_WIDTH}]*)?"
)
_TRAILING_PUNCTUATION_RE = compile_unicode(r"\p{P}+\Z")  # JS "$" without m: the very end
_LINK_TRAILING = ".,;:!?"


def detect_facets(text: str) -> list[FacetCandidate]:
    """Links, mentions and tags in ``text``, sorted by position and never overlapping."""
    offsets = _Utf8Offsets(text)
    found = [*_mentions(text, offsets), *_links(text, offsets), *_tags(text, offsets)]
    kept: list[FacetCandidate] = []
    for candidate in sorted(found, key=lambda c: (c.byte_start, c.byte_end)):
        if kept and kept[-1].byte_end > candidate.byte_start:
            continue
        kept.append(candidate)
    return kept


class _Utf8Offsets:
    """Maps code-point indices of one text to UTF-8 byte offsets (built once, O(n))."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._table = [0]
        for char in text:
            self._table.append(self._table[-1] + utf8_length(char))

    def candidate(self, kind: FacetKind, start: int, end: int, value: str) -> FacetCandidate:
        return FacetCandidate(
            kind, self._table[start], self._table[end], self._text[start:end], value
        )


def _mentions(text: str, offsets: _Utf8Offsets) -> Iterable[FacetCandidate]:
    for match in _MENTION_RE.finditer(text):
        handle = match.group("handle")
        if not (_has_known_tld(handle) or handle.endswith(".test")):
            continue  # "probably not a handle" (detection.ts)
        start = match.start("handle") - 1  # include the "@"
        yield offsets.candidate(FacetKind.MENTION, start, match.end("handle"), handle)


def _links(text: str, offsets: _Utf8Offsets) -> Iterable[FacetCandidate]:
    for match in _URL_RE.finditer(text):
        uri = match.group("uri")
        start, end = match.start("uri"), match.end("uri")
        if not uri.startswith("http"):  # case-sensitive in detection.ts: "HTTP://x" is skipped
            domain = match.group("domain")
            if domain is None or not _has_known_tld(domain):
                continue
            uri = f"https://{uri}"
        if uri[-1] in _LINK_TRAILING:
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        yield offsets.candidate(FacetKind.LINK, start, end, uri)


def _tags(text: str, offsets: _Utf8Offsets) -> Iterable[FacetCandidate]:
    for match in _TAG_RE.finditer(text):
        tag = match.group("tag")
        if not tag:
            continue
        tag = _TRAILING_PUNCTUATION_RE.sub("", tag)
        if not tag or count_graphemes(tag) > TAG_MAX_GRAPHEMES:
            continue
        if utf8_length(tag) > _TAG_MAX_BYTES:
            continue  # the lexicon's maxLength; detection.ts does not check it, the PDS does
        hash_at = match.start("tag") - 1
        yield offsets.candidate(FacetKind.TAG, hash_at, hash_at + 1 + len(tag), tag)


def _has_known_tld(name: str) -> bool:
    """detection.ts ``isValidDomain``: ends with "." and a TLD from the IANA list, as written."""
    dot = name.rfind(".")
    return dot >= 0 and name[dot + 1 :] in _IANA_TLDS


# --- Facet JSON ------------------------------------------------------------------------------------


class ByteSlice(TypedDict):
    """``app.bsky.richtext.facet#byteSlice``."""

    byteStart: int
    byteEnd: int


class Facet(TypedDict):
    """``app.bsky.richtext.facet``: one range of the text and what it means."""

    index: ByteSlice
    features: list[dict[str, str]]


_FEATURE_TYPE = {
    FacetKind.LINK: ("app.bsky.richtext.facet#link", "uri"),
    FacetKind.MENTION: ("app.bsky.richtext.facet#mention", "did"),
    FacetKind.TAG: ("app.bsky.richtext.facet#tag", "tag"),
}
_DID_RE = re.compile(r"did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]")


def build_facets(
    candidates: Iterable[FacetCandidate], resolve_handle: Callable[[str], str | None]
) -> list[Facet]:
    """The ``facets`` array of a post record.

    ``resolve_handle`` turns a handle (lower-cased, as handles are compared) into a DID, or gives
    ``None`` when the handle does not exist; such a mention stays plain text, as the official
    client and the bsky-docs guide do (networks.md 2.4). An exception from the resolver (a network
    failure) propagates: "could not ask" is not "no such account". Each handle is asked once.
    """
    resolved: dict[str, str | None] = {}
    facets: list[Facet] = []
    for candidate in candidates:
        value = candidate.value
        if candidate.kind is FacetKind.MENTION:
            handle = candidate.value.lower()
            if handle not in resolved:
                resolved[handle] = resolve_handle(handle)
            did = resolved[handle]
            if did is None or not _DID_RE.fullmatch(did):
                continue
            value = did
        type_name, field = _FEATURE_TYPE[candidate.kind]
        facets.append(
            Facet(
                index=ByteSlice(byteStart=candidate.byte_start, byteEnd=candidate.byte_end),
                features=[{"$type": type_name, field: value}],
            )
        )
    return facets


# The IANA root zone list (version 2026100300), ASCII TLDs in lower case, standing in for the npm
# "tlds" package that detection.ts uses. Only ASCII names can reach it: the mention and bare-domain
# patterns above are ASCII-only.
_IANA_TLDS = frozenset(
    """
aaa aarp abb abbott abbvie abc able abogado abudhabi ac academy accenture accountant
accountants aco actor ad ads adult ae aeg aero aetna af afl africa ag agakhan agency ai aig
airbus airforce airtel akdn al alibaba alipay allfinanz allstate ally alsace alstom am amazon
americanexpress americanfamily amex amfam amica amsterdam analytics android anquan anz ao aol
apartments app apple aq aquarelle ar arab aramco archi army arpa art arte as asda asia
associates at athleta attorney au auction audi audible audio auspost author auto autos aw aws
ax axa az azure ba baby baidu banamex band bank bar barcelona barclaycard barclays barefoot
bargains baseball basketball bauhaus bayern bb bbc bbt bbva bcg bcn bd be beats beauty beer
berlin best bestbuy bet bf bg bh bharti bi bible bid bike bing bingo bio biz bj black
blackfriday blockbuster blog bloomberg blue bm bms bmw bn bnpparibas bo boats boehringer bofa
bom bond boo book booking bosch bostik boston bot boutique box br bradesco bridgestone
broadway broker brother brussels bs bt build builders business buy buzz bv bw by bz bzh ca
cab cafe cal call calvinklein cam camera camp canon capetown capital capitalone car caravan
cards care career careers cars casa case cash casino cat catering catholic cba cbn cbre cc cd
center ceo cern cf cfa cfd cg ch chanel channel charity chase chat cheap chintai christmas
chrome church ci cipriani circle cisco citadel citi citic city ck cl claims cleaning click
clinic clinique clothing cloud club clubmed cm cn co coach codes coffee college cologne com
commbank community company compare computer comsec condos construction consulting contact
contractors cooking cool coop corsica country coupon coupons courses cpa cr credit creditcard
creditunion cricket crown crs cruise cruises cu cuisinella cv cw cx cy cymru cyou cz dad
dance data date dating datsun day dclk dds de deal dealer deals degree delivery dell deloitte
delta democrat dental dentist desi design dev dhl diamonds diet digital direct directory
discount discover dish diy dj dk dm dnp do docs doctor dog domains dot download drive dtv
dubai dupont durban dvag dvr dz earth eat ec eco edeka edu education ee eg email emerck
energy engineer engineering enterprises epson equipment er ericsson erni es esq estate et eu
eurovision eus events exchange expert exposed express extraspace fage fail fairwinds faith
family fan fans farm farmers fashion fast fedex feedback ferrari ferrero fi fidelity fido
film final finance financial fire firestone firmdale fish fishing fit fitness fj fk flickr
flights flir florist flowers fly fm fo foo food football ford forex forsale forum foundation
fox fr free fresenius frl frogans frontier ftr fujitsu fun fund furniture futbol fyi ga gal
gallery gallo gallup game games gap garden gay gb gbiz gd gdn ge gea gent genting george gf
gg ggee gh gi gift gifts gives giving gl glass gle global globo gm gmail gmbh gmo gmx gn
godaddy gold goldpoint golf goodyear goog google gop got gov gp gq gr grainger graphics
gratis green gripe grocery group gs gt gu gucci guge guide guitars guru gw gy hair hamburg
hangout haus hbo hdfc hdfcbank health healthcare help helsinki here hermes hiphop hisamitsu
hitachi hiv hk hkt hm hn hockey holdings holiday homedepot homegoods homes homesense honda
horse hospital host hosting hot hotels hotmail house how hr hsbc ht hu hughes hyatt hyundai
ibm icbc ice icu id ie ieee ifm ikano il im imamat imdb immo immobilien in inc industries
infiniti info ing ink institute insurance insure int international intuit investments io
ipiranga iq ir irish is ismaili ist istanbul it itau itv jaguar java jcb je jeep jetzt
jewelry jio jll jm jmp jnj jo jobs joburg jot joy jp jpmorgan jprs juegos kaufen kddi ke
kerryhotels kerryproperties kfh kg kh ki kia kids kim kindle kitchen kiwi km kn koeln komatsu
kosher kp kpmg kpn kr krd kred kuokgroup kw ky kyoto kz la lacaixa lamborghini lamer land
landrover lanxess lasalle lat latino latrobe law lawyer lb lc lds lease leclerc lefrak legal
lego lexus lgbt li lidl life lifeinsurance lifestyle lighting like lilly limited limo lincoln
link live living lk llc llp loan loans locker locus lol london lotte lotto love lpl
lplfinancial lr ls lt ltd ltda lu lundbeck luxe luxury lv ly ma madrid maif maison makeup man
management mango map market marketing markets marriott marshalls mattel mba mc mckinsey md me
med media meet melbourne meme memorial men menu merck merckmsd mg mh miami microsoft mil mini
mint mit mitsubishi mk ml mlb mls mm mma mn mo mobi mobile moda moe moi mom monash money
monster mormon mortgage moscow moto motorcycles mov movie mp mq mr ms msd mt mtn mtr mu
museum music mv mw mx my mz na nab nagoya name navy nba nc ne nec net netbank netflix network
neustar new news next nextdirect nexus nf nfl ng ngo nhk ni nico nike nikon ninja nissan
nissay nl no nokia norton now nowruz nowtv np nr nra nrw ntt nu nyc nz obi observer office
okinawa olayan olayangroup ollo om omega one ong onl online ooo open oracle orange org
organic origins osaka otsuka ott ovh pa page panasonic paris pars partners parts party pay
pccw pe pet pf pfizer pg ph pharmacy phd philips phone photo photography photos physio pics
pictet pictures pid pin ping pink pioneer pizza pk pl place play playstation plumbing plus pm
pn pnc pohl poker politie porn post pr praxi press prime pro prod productions prof
progressive promo properties property protection pru prudential ps pt pub pw pwc py qa qpon
quebec quest racing radio re read realestate realtor realty recipes red redumbrella rehab
reise reisen reit reliance ren rent rentals repair report republican rest restaurant review
reviews rexroth rich richardli ricoh ril rio rip ro rocks rodeo rogers room rs rsvp ru rugby
ruhr run rw rwe ryukyu sa saarland safe safety sakura sale salon samsclub samsung sandvik
sandvikcoromant sanofi sap sarl sas save saxo sb sbi sbs sc scb schaeffler schmidt
scholarships school schule schwarz science scot sd se search seat secure security seek select
sener services seven sew sex sexy sfr sg sh shangrila sharp shell shia shiksha shoes shop
shopping shouji show si silk sina singles site sj sk ski skin sky skype sl sling sm smart
smile sn sncf so soccer social softbank software sohu solar solutions song sony soy spa space
sport spot sr srl ss st stada staples star statebank statefarm stc stcgroup stockholm storage
store stream studio study style su sucks supplies supply support surf surgery suzuki sv
swatch swiss sx sy sydney systems sz tab taipei talk taobao target tatamotors tatar tattoo
tax taxi tc tci td tdk team tech technology tel temasek tennis teva tf tg th thd theater
theatre tiaa tickets tienda tips tires tirol tj tjmaxx tjx tk tkmaxx tl tm tmall tn to today
tokyo tools top toray toshiba total tours town toyota toys tr trade trading training travel
travelers travelersinsurance trust trv tt tube tui tunes tushu tv tvs tw tz ua ubank ubs ug
uk unicom university uno uol ups us uy uz va vacations vana vanguard vc ve vegas ventures
verisign versicherung vet vg vi viajes video vig viking villas vin vip virgin visa vision
viva vivo vlaanderen vn vodka volvo vote voting voto voyage vu wales walmart walter wang
wanggou watch watches weather weatherchannel web webcam weber website wed wedding weibo weir
wf whoswho wien wiki williamhill win windows wine winners wme woodside work works world wow
ws wtc wtf xbox xerox xihuan xin xxx xyz yachts yahoo yamaxun yandex ye yodobashi yoga
yokohama you youtube yt yun za zappos zara zero zip zm zone zuerich zw""".split()  # noqa: SIM905 -- 1,300 quoted names would drown the module
)
