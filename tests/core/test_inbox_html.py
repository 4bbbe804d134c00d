"""Untrusted HTML and names from the networks, made harmless (cmdesk.text.html)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmdesk.text.html import (
    ELLIPSIS,
    clean_name,
    html_to_text,
    safe_html_to_text,
    sanitize_html,
    strip_controls,
)

HOSTILE = [
    "<script>alert(1)</script><p>hi</p>",
    '<img src="https://tracker.example/pixel.gif" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="/relative/path">x</a>',
    '<p onclick="steal()" style="background:url(https://evil.example/x)">x</p>',
    '<svg><use href="https://evil.example/#x"/></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<video poster="https://evil.example/p.jpg"></video>',
    '<object data="https://evil.example/x.swf"></object>',
    '<style>@import "https://evil.example/x.css";</style>',
    '<form action="https://evil.example"><input name=x></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_html_keeps_nothing_active_or_remote(raw: str) -> None:
    safe = sanitize_html(raw).lower()
    for bad in (
        "<script",
        "<img",
        "<iframe",
        "<svg",
        "<style",
        "<link",
        "<video",
        "<object",
        "<form",
        "<input",
        "javascript:",
        "data:",
        "onerror",
        "onclick",
        "style=",
        "evil.example",
        "tracker.example",
        'href="/',
    ):
        assert bad not in safe, (raw, safe)


def test_the_safe_subset_survives_with_nofollow_links() -> None:
    raw = (
        '<p>Hi <strong>you</strong> <em>there</em><br><span class="h-card">'
        '<a href="https://ex.social/@a" class="u-url mention">@a</a></span> '
        '<a href="mailto:press@example.org">mail</a></p>'
    )
    safe = sanitize_html(raw)
    assert safe == (
        "<p>Hi <strong>you</strong> <em>there</em><br><span>"
        '<a href="https://ex.social/@a" rel="nofollow noopener">@a</a></span> '
        '<a href="mailto:press@example.org" rel="nofollow noopener">mail</a></p>'
    )
    assert html_to_text(safe) == safe_html_to_text(safe) == "Hi you there\n@a mail"


PIECES = [
    *"<>/\"'=& abpr\n;",
    "<p>",
    "<br>",
    "</p>",
    '<a href="https://x/?q=>">',
    "</a>",
    "&amp;",
    "&lt;",
    "<script>",
    "</script>",
]


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_fast_text_of_sanitised_html_matches_the_parser(raw: str) -> None:
    safe = sanitize_html(raw)
    assert safe_html_to_text(safe) == html_to_text(safe)


def test_controls_and_enormous_names() -> None:
    assert strip_controls("a\x00b\x1bc\u202ed\r\ne\tf") == "abcd\ne\tf"
    assert clean_name("  Ann\nBell\x07  ") == "Ann Bell"
    long = clean_name("x" * 1000)
    assert len(long) == 255 and long.endswith(ELLIPSIS)
    assert clean_name("") == ""
