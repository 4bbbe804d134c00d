"""Grapheme counting and Mastodon's length rule and limits (reference/networks.md 1.2 and 1.7)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmdesk.text import Problem
from cmdesk.text.graphemes import count_graphemes, split_graphemes, utf8_length
from cmdesk.text.mastodon import MastodonLimits, check_mastodon, countable_text, mastodon_length

FAMILY = (
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man, woman, girl, boy + ZWJs
)
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"  # thumbs up + skin tone modifier
TECHNOLOGIST = "\U0001f469\U0001f3fd\u200d\U0001f4bb"  # woman, skin tone, ZWJ, laptop
FLAG_ES = "\U0001f1ea\U0001f1f8"  # regional indicators E + S
FLAG_SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
KEYCAP_ONE = "1\ufe0f\u20e3"
E_ACUTE_DECOMPOSED = "e\u0301"

# --- Graphemes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("abc", 3),
        (FAMILY, 1),
        (THUMBS_MEDIUM, 1),
        (TECHNOLOGIST, 1),
        (FLAG_ES + FLAG_ES, 2),
        (FLAG_SCOTLAND, 1),
        (KEYCAP_ONE, 1),
        (E_ACUTE_DECOMPOSED, 1),
        ("a\u0301\u0302\u0303", 1),  # a base with three combining marks
        ("日本語", 3),
        ("\u1100\u1161\u11a8", 1),  # Hangul jamo L V T make one syllable
        ("مرحبا", 5),
        ("\r\n", 1),
    ],
)
def test_count_graphemes_counts_what_a_reader_sees(text: str, expected: int) -> None:
    assert count_graphemes(text) == expected
    assert len(split_graphemes(text)) == expected


@given(st.text())
def test_split_graphemes_gives_the_text_back_in_non_empty_clusters(text: str) -> None:
    clusters = split_graphemes(text)
    assert "".join(clusters) == text
    assert all(clusters)
    assert count_graphemes(text) == len(clusters) <= len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a", 1), ("é", 2), (E_ACUTE_DECOMPOSED, 3), ("日", 3), ("😀", 4), (FAMILY, 25)],
)
def test_utf8_length(text: str, expected: int) -> None:
    assert utf8_length(text) == expected


def test_utf8_length_sizes_a_lone_surrogate_instead_of_raising() -> None:
    assert utf8_length("a\ud800") == 4


# --- Mastodon length -------------------------------------------------------------------------------

# Counts a Mastodon composer reported (Mastodon.py tests/test_status_length.py "ground truth"),
# which this rule reproduces.
MEASURED = [
    ("hello", 5),
    (" leading and trailing spaces   ", 31),
    (" tabs\tand\nnewlines\r\n", 19),
    ("check http://example.com and https://example.org/page?x=1#frag", 57),
    ("ftp://files.example.net/resource", 32),  # ftp is not among the schemes that get 23
    ("http://user:pass@example.com:8080/path", 38),  # user info is not part of a URL match
    ("http://127.0.0.1:3000/health", 28),  # no top-level domain: counted in full
    ("https://[2001:db8::1]/status", 28),
    ("mailto:someone@example.com", 26),
    ("https://very.long.tld.example.museum/collection/item", 23),
    ("@alice", 6),
    ("@bob@example.com", 4),
    ("hi @charlie and @dora@example.social!", 22),
    ("a: " + FLAG_ES, 4),
    ("b: " + FAMILY, 4),
    ("c: " + TECHNOLOGIST, 4),
    (E_ACUTE_DECOMPOSED, 1),
    ("(see https://example.com.)", 30),
    ("<@root> and {@admin@example.net}", 20),
    ("@one https://example.social/@two " + TECHNOLOGIST + " @three@example.com", 37),
]


@pytest.mark.parametrize(("text", "expected"), MEASURED)
def test_mastodon_length_matches_measured_counts(text: str, expected: int) -> None:
    assert mastodon_length(text) == expected


# Cases read off the server's regexes (status_length_validator.rb, twitter_regex.rb, MENTION_RE).
RULES = [
    pytest.param("visit example.com today", 23, id="bare domain has no scheme: full length"),
    pytest.param("Read https://example.com/" + "a" * 200, 5 + 23, id="long URL counts 23"),
    pytest.param("see https://example.com/page.", 4 + 23 + 1, id="trailing period is not URL"),
    pytest.param("(https://en.wikipedia.org/wiki/Foo_(bar))", 1 + 23 + 1, id="balanced parens"),
    pytest.param("https://example.com/a?b=1&c=2!", 23 + 1, id="trailing ! after query"),
    pytest.param("gemini://gemini.circumlunar.space/docs", 23, id="gemini scheme"),
    pytest.param("HTTPS://EXAMPLE.COM/X", 23, id="scheme is case-insensitive"),
    pytest.param("xhttps://example.com", 20, id="letter before the scheme: no URL"),
    pytest.param("日本語https://example.com/パス", 3 + 23, id="CJK before the URL is fine"),
    pytest.param("https://localhost:3000/x", 24, id="no dot in the host: full length"),
    pytest.param("https://bücher.de/straße", 23, id="IDN host and Unicode path"),
    pytest.param("https://sub.sub2.Путин.рф/увидимся/в?Гааге=военный", 23, id="Unicode query"),
    pytest.param("https://" + "a" * 64 + ".com", 76, id="label over 63: not IDNA-valid"),
    pytest.param("https://example.com/" + "a" * 4100, 4120, id="URL over 4096: full length"),
    pytest.param("@alice@mastodon.social", 6, id="remote mention counts @user"),
    pytest.param("@alice@mastodon.social.", 7, id="trailing dot is not the domain"),
    pytest.param("@Alice_1@sub.example.org hi", 11, id="mixed-case user, subdomain"),
    pytest.param("@user@dömäin.example", 5, id="Unicode domain"),
    pytest.param("@noël@example.com", 17, id="accent right after @no: not a mention"),
    pytest.param("@bob@example.com@evil", 21, id="followed by @: not a mention, full length"),
    pytest.param("@bob@example.com://x", 20, id="followed by :// : not a mention"),
    pytest.param("a=@bob@example.com", 18, id="after '=' is not a mention"),
    pytest.param("mail bob@example.com", 20, id="e-mail address is not a mention"),
    pytest.param("https://mastodon.social/@alice@example.com", 23, id="mention inside a URL"),
    pytest.param("   \n ", 0, id="blank text counts nothing"),
]


@pytest.mark.parametrize(("text", "expected"), RULES)
def test_mastodon_length_follows_the_server_rule(text: str, expected: int) -> None:
    assert mastodon_length(text) == expected


def test_countable_text_shows_what_is_counted() -> None:
    text = "Hi @alice@example.social, read https://example.com/x/y?z=1 now"
    assert countable_text(text) == "Hi @alice, read " + "x" * 23 + " now"
    assert countable_text("https://example.com", url_length=5) == "xxxxx"


def test_content_warning_counts_together_with_the_body() -> None:
    assert mastodon_length("body", "CW") == 6
    assert mastodon_length("", "a" * 10) == 10
    # The warning gets no URL concession: only the body goes through countable_text.
    assert mastodon_length("", "https://example.com/" + "a" * 30) == 50
    # Joined before counting, as the server does: the mark merges with the warning's "e".
    assert mastodon_length("\u0301b", "e") == 2


def test_url_length_follows_the_instance_setting() -> None:
    assert mastodon_length("https://example.com", url_length=30) == 30
    assert mastodon_length("a https://example.com", url_length=0) == 2


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_mastodon_length_never_raises(text: str, spoiler: str) -> None:
    length = mastodon_length(text, spoiler)
    assert length >= 0


@given(st.text().filter(lambda t: "://" not in t and "@" not in t and t.strip() != ""), st.text())
def test_text_without_links_or_mentions_counts_its_graphemes(text: str, spoiler: str) -> None:
    assert mastodon_length(text, spoiler) == count_graphemes(spoiler + text)


@given(
    st.text(),
    st.sampled_from(
        [
            "https://example.com",
            "http://sub.example.org/a/b?c=d&e=f",
            "https://example.com/" + "x" * 300,
            "https://en.wikipedia.org/wiki/Foo_(bar)",
        ]
    ),
)
def test_a_link_after_a_space_counts_like_23_characters(text: str, url: str) -> None:
    assert mastodon_length(f"{text} {url}") == mastodon_length(f"{text} {'y' * 23}")


# --- Instance limits -------------------------------------------------------------------------------

V2_INSTANCE: dict[str, Any] = {
    "domain": "fosstodon.example",
    "title": "Fosstodon",
    "version": "4.5.2",
    "configuration": {
        "urls": {"streaming": "wss://fosstodon.example"},
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": 1000,
            "max_media_attachments": 6,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "description_limit": 1500,
            "image_matrix_limit": 33177600,
            "image_size_limit": 16777216,
            "supported_mime_types": ["image/jpeg", "image/png", "video/mp4"],
            "video_frame_rate_limit": 60,
            "video_matrix_limit": 8294400,
            "video_size_limit": 41943040,
        },
        "polls": {
            "max_options": 8,
            "max_characters_per_option": 100,
            "min_expiration": 300,
            "max_expiration": 2629746,
        },
        "translation": {"enabled": True},
    },
    "registrations": {"enabled": False},
}

V1_MASTODON: dict[str, Any] = {
    "uri": "example.social",
    "version": "4.2.10",
    "configuration": {
        "statuses": {
            "max_characters": 700,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {"image_size_limit": 10485760, "video_size_limit": 41943040},
        "polls": {"max_options": 4, "max_characters_per_option": 50},
    },
}

V1_AKKOMA: dict[str, Any] = {
    "uri": "akko.example",
    "version": "2.7.2 (compatible; Akkoma 3.13.2)",
    "max_toot_chars": 5000,
    "poll_limits": {
        "max_options": 20,
        "max_option_chars": 200,
        "min_expiration": 0,
        "max_expiration": 31536000,
    },
    "upload_limit": 16000000,
    "description_limit": 5000,
}


def test_limits_from_a_v2_instance() -> None:
    limits = MastodonLimits.from_instance_json(V2_INSTANCE)
    assert limits.max_characters == 1000
    assert limits.max_media_attachments == 6
    assert limits.characters_reserved_per_url == 23
    assert limits.video_size_limit == 41943040
    assert limits.video_frame_rate_limit == 60
    assert limits.supported_mime_types == ("image/jpeg", "image/png", "video/mp4")
    assert limits.poll_max_options == 8
    assert limits.poll_max_characters_per_option == 100


def test_limits_from_a_v1_mastodon_instance_keep_defaults_for_what_is_missing() -> None:
    limits = MastodonLimits.from_instance_json(V1_MASTODON)
    assert limits.max_characters == 700
    assert limits.image_size_limit == 10485760
    assert limits.description_limit == MastodonLimits().description_limit
    assert limits.video_frame_rate_limit == 120


def test_limits_from_a_v1_akkoma_instance_use_its_extra_fields() -> None:
    limits = MastodonLimits.from_instance_json(V1_AKKOMA)
    assert limits.max_characters == 5000
    assert limits.description_limit == 5000
    assert limits.image_size_limit == limits.video_size_limit == 16000000
    assert limits.poll_max_options == 20
    assert limits.poll_max_characters_per_option == 200
    assert limits.poll_min_expiration == 0
    assert limits.poll_max_expiration == 31536000


def test_configuration_wins_over_max_toot_chars() -> None:
    data = {"max_toot_chars": 5000, "configuration": {"statuses": {"max_characters": 800}}}
    assert MastodonLimits.from_instance_json(data).max_characters == 800


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "<html>Bad gateway</html>",
        42,
        {},
        {"configuration": "nope"},
        {"configuration": {"statuses": None, "media_attachments": [], "polls": 3}},
        {"configuration": {"statuses": {"max_characters": -5, "max_media_attachments": 0}}},
        {"configuration": {"statuses": {"max_characters": True}}},
        {"configuration": {"statuses": {"max_characters": 1.5}}},
        {"configuration": {"statuses": {"max_characters": "lots"}}},
        {"configuration": {"statuses": {"max_characters": "٥٠٠"}}},  # Arabic-Indic digits
        {"max_toot_chars": None, "poll_limits": "none"},
    ],
)
def test_malformed_instance_json_falls_back_to_defaults(data: object) -> None:
    assert MastodonLimits.from_instance_json(data) == MastodonLimits()


def test_numbers_sent_as_strings_or_integral_floats_are_read() -> None:
    data = {
        "configuration": {
            "statuses": {"max_characters": " 1500 ", "max_media_attachments": 8.0},
            "media_attachments": {"supported_mime_types": ["image/png", 7, None, "image/gif"]},
        }
    }
    limits = MastodonLimits.from_instance_json(data)
    assert limits.max_characters == 1500
    assert limits.max_media_attachments == 8
    assert limits.supported_mime_types == ("image/png", "image/gif")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "configuration",
                    "statuses",
                    "media_attachments",
                    "polls",
                    "max_characters",
                    "characters_reserved_per_url",
                    "max_toot_chars",
                    "poll_limits",
                    "upload_limit",
                    "max_options",
                    "supported_mime_types",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_json)
def test_limits_parsing_never_raises_and_stays_usable(data: object) -> None:
    limits = MastodonLimits.from_instance_json(data)
    assert limits.max_characters >= 1
    assert limits.characters_reserved_per_url >= 0
    assert limits.max_media_attachments >= 1


# --- Checks ----------------------------------------------------------------------------------------


def test_check_accepts_a_text_at_the_limit() -> None:
    assert check_mastodon("a" * 500) == []
    assert check_mastodon("a" * 476 + " https://example.com/" + "b" * 400) == []  # 476 + 1 + 23


def test_check_reports_how_far_over_the_limit_and_what_to_do() -> None:
    problems = check_mastodon("a" * 912, "", MastodonLimits())
    assert len(problems) == 1
    problem = problems[0]
    assert isinstance(problem, Problem)
    assert problem.code == "mastodon.too_long"
    assert (problem.actual, problem.limit) == (912, 500)
    assert problem.message.startswith(
        "412 characters over the limit of 500 on this Mastodon server"
    )
    assert "split it into a thread" in problem.message


def test_check_uses_the_servers_limits_and_the_content_warning() -> None:
    roomy = MastodonLimits(max_characters=1000)
    assert check_mastodon("a" * 912, "", roomy) == []
    [problem] = check_mastodon("a" * 490, "b" * 11)
    assert problem.message.startswith("1 character over")
    assert "together with the content warning" in problem.message
    [problem] = check_mastodon("https://example.com " * 30, "", MastodonLimits(max_characters=100))
    assert "each link counts as 23" in problem.message
