"""Splitting a long text into a thread whose parts each fit a network's limit."""

from __future__ import annotations

import re
import time
from functools import partial

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cmdesk.errors import UserError
from cmdesk.text.bluesky import BLUESKY_MAX_GRAPHEMES, bluesky_measure
from cmdesk.text.graphemes import count_graphemes, split_graphemes, utf8_length
from cmdesk.text.mastodon import mastodon_length
from cmdesk.text.threads import ThreadSplitError, split_into_thread

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
URL = "https://example.com/a/rather/long/path/that/must/stay/whole?with=query"
_SUFFIX_RE = re.compile(r" (\d+)/(\d+)$")


def visible(text: str) -> list[str]:
    """The non-blank grapheme clusters of a text, in order: what a split must keep."""
    return [g for g in split_graphemes(text) if not g.isspace()]


def test_a_text_that_fits_comes_back_unchanged() -> None:
    text = "  Short post.\n"
    assert split_into_thread(text, count_graphemes, 50) == [text]
    assert split_into_thread(text, count_graphemes, 50, numbering=True) == [text]


def test_cuts_fall_between_sentences_first() -> None:
    text = "First point here. Second point, longer than the first! Third? Yes."
    assert split_into_thread(text, count_graphemes, 40) == [
        "First point here.",
        "Second point, longer than the first!",
        "Third? Yes.",
    ]


def test_line_breaks_are_cut_points_and_are_kept_inside_a_part() -> None:
    text = "Agenda\n- coffee\n- talks\n\nSee you there, everyone"
    parts = split_into_thread(text, count_graphemes, 30)
    assert parts == ["Agenda\n- coffee\n- talks", "See you there, everyone"]


def test_a_sentence_longer_than_a_post_is_cut_between_words() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve"
    parts = split_into_thread(text, count_graphemes, 20)
    assert parts == ["one two three four", "five six seven eight", "nine ten eleven", "twelve"]
    assert " ".join(parts).split() == text.split()


def test_a_sentence_cut_between_words_starts_a_new_part() -> None:
    text = "Hi all. one two three four five six seven eight nine ten"
    assert split_into_thread(text, count_graphemes, 20) == [
        "Hi all.",
        "one two three four",
        "five six seven eight",
        "nine ten",
    ]


def test_a_word_longer_than_a_post_is_cut_between_grapheme_clusters() -> None:
    parts = split_into_thread("a" * 25, count_graphemes, 10)
    assert parts == ["a" * 10, "a" * 10, "a" * 5]
    emoji_parts = split_into_thread(FAMILY * 25, count_graphemes, 10)
    assert emoji_parts == [FAMILY * 10, FAMILY * 10, FAMILY * 5]


def test_a_cluster_is_never_cut_even_when_measured_in_bytes() -> None:
    parts = split_into_thread("e\u0301" * 10, utf8_length, 7)  # 3 bytes a cluster
    assert parts == ["e\u0301" * 2] * 5
    with pytest.raises(ThreadSplitError):
        split_into_thread(FAMILY, utf8_length, 10)  # one 25-byte cluster


def test_a_link_is_never_cut() -> None:
    text = f"Read {URL} today"
    parts = split_into_thread(text, count_graphemes, len(URL))
    assert URL in parts
    with pytest.raises(ThreadSplitError, match="too long for one post") as raised:
        split_into_thread(text, count_graphemes, 20)
    assert isinstance(raised.value, UserError)


def test_a_link_inside_a_long_word_stays_whole() -> None:
    word = "(" + "x" * 12 + URL + ")"
    parts = split_into_thread(word, count_graphemes, len(URL) + 2)
    assert any(URL in part for part in parts)
    assert "".join(parts) == word


def test_each_networks_measure_decides() -> None:
    text = f"Launch day! {URL} {URL} Come and see."
    # Mastodon counts each link as 23, so the whole text fits in 80.
    assert split_into_thread(text, partial(mastodon_length), 80) == [text]
    assert split_into_thread(text, count_graphemes, 80) == [
        "Launch day!",
        URL,
        f"{URL} Come and",
        "see.",
    ]


def test_bluesky_measure_splits_on_bytes_too() -> None:
    text = " ".join(["日本語のテキスト"] * 150)  # 1349 graphemes, 3749 bytes
    parts = split_into_thread(text, bluesky_measure, BLUESKY_MAX_GRAPHEMES)
    assert all(utf8_length(p) <= 3000 and count_graphemes(p) <= 300 for p in parts)
    assert visible("".join(parts)) == visible(text)


def test_numbering_adds_counted_suffixes() -> None:
    text = "First point here. Second point, longer than the first! Third? Yes."
    parts = split_into_thread(text, count_graphemes, 40, numbering=True)
    assert parts == [
        "First point here. 1/3",
        "Second point, longer than the first! 2/3",
        "Third? Yes. 3/3",
    ]


def test_numbering_that_reaches_two_digits_stays_within_the_limit() -> None:
    text = " ".join(f"Point {n}." for n in range(1, 40))
    parts = split_into_thread(text, count_graphemes, 22, numbering=True)
    assert len(parts) >= 10
    for index, part in enumerate(parts, start=1):
        assert part.endswith(f" {index}/{len(parts)}")
        assert count_graphemes(part) <= 22


def test_bad_limits_and_blank_texts_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_into_thread("text", count_graphemes, 0)
    with pytest.raises(ThreadSplitError, match="blank space"):
        split_into_thread(" " * 50, len, 10)


def test_a_long_text_is_split_quickly() -> None:
    text = "This sentence has a few words and a link https://example.com/x in it. " * 300
    started = time.perf_counter()
    parts = split_into_thread(text, partial(mastodon_length), 500, numbering=True)
    assert time.perf_counter() - started < 2
    assert all(mastodon_length(p) <= 500 for p in parts)


# --- Properties ------------------------------------------------------------------------------------

# Text with no "." ":" or "@" has no link or mention, so every cluster may be cut: nothing can fail.
_PLAIN = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters=".:@"), max_size=300
) | st.lists(
    st.sampled_from(
        ["word", "Wort", "日本語", FAMILY, "e\u0301", "👍🏽", "مرحبا", " ", "\n", "!", "? "]
    ),
    max_size=120,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_PLAIN, st.integers(min_value=1, max_value=60))
def test_plain_text_always_splits_within_the_limit(text: str, limit: int) -> None:
    assume(text.strip() or count_graphemes(text) <= limit)  # blank text is refused, tested above
    parts = split_into_thread(text, count_graphemes, limit)
    assert all(count_graphemes(part) <= limit for part in parts)
    if parts != [text]:
        assert all(part and not part[0].isspace() and not part[-1].isspace() for part in parts)
    # Nothing is lost or reordered, and no grapheme cluster is cut in two.
    assert [g for part in parts for g in visible(part)] == visible(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.from_regex(r"[a-zé]{1,8}[.!?,]?", fullmatch=True), min_size=1, max_size=80),
    st.integers(min_value=9, max_value=80),
)
def test_words_that_fit_are_never_cut(words: list[str], limit: int) -> None:
    text = " ".join(words)
    parts = split_into_thread(text, count_graphemes, limit)
    assert " ".join(parts).split() == text.split()


@settings(max_examples=200, deadline=None)
@given(_PLAIN, st.integers(min_value=20, max_value=80))
def test_numbered_parts_fit_and_count_up(text: str, limit: int) -> None:
    assume(text.strip() or count_graphemes(text) <= limit)
    parts = split_into_thread(text, count_graphemes, limit, numbering=True)
    assert all(count_graphemes(part) <= limit for part in parts)
    if len(parts) > 1:
        numbers = [_SUFFIX_RE.search(part) for part in parts]
        assert [(int(m[1]), int(m[2])) for m in numbers if m] == [
            (i, len(parts)) for i in range(1, len(parts) + 1)
        ]
        bodies = [_SUFFIX_RE.sub("", part) for part in parts]
        assert [g for body in bodies for g in visible(body)] == visible(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Hello", "world.", URL, "https://bsky.app", "@alice@example.social", "ok"]
        ),
        min_size=1,
        max_size=60,
    ),
    st.integers(min_value=len(URL), max_value=200),
)
def test_links_and_mentions_come_out_whole(words: list[str], limit: int) -> None:
    text = " ".join(words)
    parts = split_into_thread(text, count_graphemes, limit)
    assert [word for part in parts for word in part.split()] == words


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.integers(min_value=1, max_value=40), st.booleans())
def test_splitting_never_fails_other_than_with_a_thread_split_error(
    text: str, limit: int, numbering: bool
) -> None:
    try:
        parts = split_into_thread(text, partial(mastodon_length), limit, numbering=numbering)
    except ThreadSplitError as error:
        assert str(error)
    else:
        assert all(mastodon_length(part) <= limit for part in parts) or parts == [text]
