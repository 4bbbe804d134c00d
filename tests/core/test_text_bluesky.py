"""Bluesky's limits and rich-text facets (reference/networks.md 2.4).

The expected facets of the detection examples were also produced by the official implementation
(``RichText.detectFacetsWithoutResolution`` of @atproto/api 0.21.0) on the same inputs.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmdesk.text.bluesky import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    FacetCandidate,
    FacetKind,
    bluesky_length,
    bluesky_measure,
    build_facets,
    check_bluesky,
    detect_facets,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 1 grapheme, 25 bytes
FLAG_FR = "\U0001f1eb\U0001f1f7"
FLAG_SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # 28 bytes

LINK, MENTION, TAG = FacetKind.LINK, FacetKind.MENTION, FacetKind.TAG


def found(text: str) -> list[tuple[FacetKind, int, int, str]]:
    return [(c.kind, c.byte_start, c.byte_end, c.value) for c in detect_facets(text)]


# --- Length ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (0, 0)),
        ("hello", (5, 5)),
        ("é", (1, 2)),
        ("e\u0301", (1, 3)),
        (FAMILY, (1, 25)),
        (FLAG_FR, (1, 8)),
        ("日本語", (3, 9)),
        ("مرحبا", (5, 10)),
    ],
)
def test_bluesky_length_is_graphemes_and_utf8_bytes(text: str, expected: tuple[int, int]) -> None:
    assert bluesky_length(text) == expected


def test_check_accepts_exactly_300_graphemes() -> None:
    assert check_bluesky("a" * 300) == []
    assert check_bluesky("é" * 300) == []  # 600 bytes


def test_check_reports_too_many_graphemes() -> None:
    [problem] = check_bluesky("a" * 301)
    assert problem.code == "bluesky.too_many_graphemes"
    assert (problem.actual, problem.limit) == (301, BLUESKY_MAX_GRAPHEMES)
    assert problem.message.startswith("1 character over Bluesky's limit of 300")


def test_check_reports_bytes_even_when_graphemes_fit() -> None:
    [problem] = check_bluesky(FAMILY * 121)  # 121 graphemes, 3025 bytes
    assert problem.code == "bluesky.too_many_bytes"
    assert (problem.actual, problem.limit) == (3025, BLUESKY_MAX_BYTES)
    assert "Emoji" in problem.message


def test_check_reports_both_limits_at_once() -> None:
    codes = [p.code for p in check_bluesky("日" * 1001)]  # 1001 graphemes, 3003 bytes
    assert codes == ["bluesky.too_many_graphemes", "bluesky.too_many_bytes"]


@given(st.text(max_size=400) | st.text(alphabet="日é" + FAMILY, max_size=400))
def test_bluesky_measure_fits_exactly_when_both_limits_hold(text: str) -> None:
    assert (bluesky_measure(text) <= BLUESKY_MAX_GRAPHEMES) == (check_bluesky(text) == [])


# --- Detection -------------------------------------------------------------------------------------

DETECTION = [
    pytest.param(
        "Hi @alice.bsky.social and @bob.test!",
        [(MENTION, 3, 21, "alice.bsky.social"), (MENTION, 26, 35, "bob.test")],
        id="mentions, .test allowed",
    ),
    pytest.param(
        "@bob.example @Alice.Bsky.Social @alice.bsky.social.",
        [(MENTION, 32, 50, "alice.bsky.social")],
        id="unknown or upper-case TLD is no handle; trailing dot left out",
    ),
    pytest.param("write to a@b.com", [], id="e-mail address is neither mention nor link"),
    pytest.param(
        "see https://example.com/page. and (https://x.com/a_(b)) then https://x.com/q?!",
        [
            (LINK, 4, 28, "https://example.com/page"),
            (LINK, 35, 55, "https://x.com/a_(b))"),
            (LINK, 61, 77, "https://x.com/q?"),
        ],
        id="one trailing punctuation mark is trimmed",
    ),
    pytest.param(
        "example.com/path, Node.js, readme.md, Example.COM and HTTP://EXAMPLE.COM",
        [(LINK, 0, 16, "https://example.com/path"), (LINK, 27, 36, "https://readme.md")],
        id="bare domains need a known lower-case TLD",
    ),
    pytest.param(
        "#tag #tag!! #123 #1st #\ufe0f\u20e3 ＃全角 a#nope #c++ #100%",
        [
            (TAG, 0, 4, "tag"),
            (TAG, 5, 9, "tag"),
            (TAG, 17, 21, "1st"),
            (TAG, 30, 39, "全角"),
            (TAG, 47, 51, "c++"),
        ],
        id="tags: punctuation trimmed, numbers and keycaps are not tags",
    ),
    pytest.param(
        "#tag#two)(bsky.app)",
        [(TAG, 0, 18, "tag#two)(bsky.app")],
        id="overlapping link inside a tag is dropped",
    ),
    pytest.param(
        f"{FAMILY} café e\u0301 日本語 مرحبا @alice.bsky.social https://例え.jp/パス #日本語 (bsky.app)",
        [
            (MENTION, 57, 75, "alice.bsky.social"),
            (LINK, 76, 100, "https://例え.jp/パス"),
            (TAG, 101, 111, "日本語"),
            (LINK, 113, 121, "https://bsky.app"),
        ],
        id="byte offsets after emoji, combining marks, CJK and RTL text",
    ),
]


@pytest.mark.parametrize(("text", "expected"), DETECTION)
def test_detect_facets_like_the_official_client(
    text: str, expected: list[tuple[FacetKind, int, int, str]]
) -> None:
    assert found(text) == expected


def test_tag_length_is_limited_to_64_graphemes() -> None:
    assert found("#" + "x" * 64) == [(TAG, 0, 65, "x" * 64)]
    assert found("#" + "x" * 65) == []
    # 64 graphemes but 1792 bytes: over the lexicon's 640-byte maxLength, so not a tag facet.
    assert found("#" + FLAG_SCOTLAND * 64) == []
    # A ZWJ ends a tag (util.ts TAG_REGEX), so only the first person of the family is tagged.
    assert found("#" + FAMILY) == [(TAG, 0, 5, "\U0001f468")]


def test_candidate_text_is_the_substring_as_written() -> None:
    [link] = detect_facets("go to bsky.app.")
    assert (link.text, link.value) == ("bsky.app", "https://bsky.app")
    [mention] = detect_facets("(@alice.bsky.social)")
    assert mention.text == "@alice.bsky.social"


_ENTITIES = [
    "@alice.bsky.social",
    "@bob.test",
    "https://example.com/path?q=1",
    "https://ja.wikipedia.org/wiki/日本",
    "example.org/about",
    "#tag",
    "#日本語",
    "#café",
    "#🎉",
]
_AROUND = st.lists(
    st.characters(blacklist_categories=["Cs"])
    | st.sampled_from(
        ["e\u0301", FAMILY, FLAG_FR, "👍🏽", "日本語", "مرحبا", "עברית", "\u200d", "\n"]
    ),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_AROUND, st.sampled_from(_ENTITIES), _AROUND)
def test_offsets_slice_the_entity_out_of_the_utf8_bytes(
    before: str, entity: str, after: str
) -> None:
    text = f"{before} {entity} {after}"
    start = len(f"{before} ".encode())
    [candidate] = [c for c in detect_facets(text) if c.byte_start == start]
    assert candidate.byte_end == start + len(entity.encode())
    assert text.encode()[candidate.byte_start : candidate.byte_end].decode() == entity
    assert candidate.text == entity


@settings(max_examples=300, deadline=None)
@given(st.text() | st.lists(st.sampled_from([*_ENTITIES, " ", "(", ".", "\n", "x"])).map("".join))
def test_detection_never_raises_and_candidates_are_consistent(text: str) -> None:
    candidates = detect_facets(text)
    data = text.encode()
    previous_end = 0
    for candidate in candidates:
        assert previous_end <= candidate.byte_start < candidate.byte_end <= len(data)
        assert data[candidate.byte_start : candidate.byte_end].decode() == candidate.text
        previous_end = candidate.byte_end
        if candidate.kind is LINK:
            assert candidate.value.endswith(candidate.text)
            assert candidate.value.startswith(("http://", "https://"))
        else:
            assert candidate.value == candidate.text[1:]


# --- Facet JSON ------------------------------------------------------------------------------------


def test_build_facets_produces_the_lexicon_shape() -> None:
    text = "Hi @alice.bsky.social, see bsky.app #atproto"
    dids = {"alice.bsky.social": "did:plc:abc123xyz"}
    assert build_facets(detect_facets(text), dids.get) == [
        {
            "index": {"byteStart": 3, "byteEnd": 21},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:abc123xyz"}],
        },
        {
            "index": {"byteStart": 27, "byteEnd": 35},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://bsky.app"}],
        },
        {
            "index": {"byteStart": 36, "byteEnd": 44},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "atproto"}],
        },
    ]


def test_unresolved_mentions_stay_plain_text_and_each_handle_is_asked_once() -> None:
    asked: Counter[str] = Counter()

    def resolve(handle: str) -> str | None:
        asked[handle] += 1
        return {"bob.test": "did:web:bob.test", "eve.test": "not a did"}.get(handle)

    text = "@ghost.bsky.social @bob.test @Bob.test @eve.test"
    facets = build_facets(detect_facets(text), resolve)
    assert [f["features"][0] for f in facets] == [
        {"$type": "app.bsky.richtext.facet#mention", "did": "did:web:bob.test"},
        {"$type": "app.bsky.richtext.facet#mention", "did": "did:web:bob.test"},
    ]
    assert asked == Counter({"ghost.bsky.social": 1, "bob.test": 1, "eve.test": 1})


def test_a_failing_resolver_is_not_taken_for_an_unknown_handle() -> None:
    def offline(handle: str) -> str | None:
        raise ConnectionError("network is unreachable")

    with pytest.raises(ConnectionError):
        build_facets(detect_facets("hi @alice.bsky.social"), offline)


def test_build_facets_accepts_hand_made_candidates() -> None:
    candidate = FacetCandidate(LINK, 0, 4, "site", "https://example.com/")
    [facet] = build_facets([candidate], lambda handle: None)
    assert facet["index"] == {"byteStart": 0, "byteEnd": 4}
    assert facet["features"] == [
        {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/"}
    ]
