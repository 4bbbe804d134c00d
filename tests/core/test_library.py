"""The library: hashtag groups (normalised, checked), templates (placeholders), CRUD, reorder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.library.hashtags import MAX_HASHTAGS, parse_hashtags
from cmdesk.library.templates import (
    TemplateValues,
    fill_template,
    first_link,
    unknown_placeholders,
)
from cmdesk.timeutil import utc_to_local
from tests.core.helpers import workspace


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = build_context(
        f"sqlite:///{tmp_path}/lib.sqlite3",
        clock=FakeClock(datetime.fromisoformat("2026-03-20T10:00+00:00")),
        credentials=MemoryCredentialStore(),
    )
    yield context
    context.close()


# --- hashtags ---------------------------------------------------------------------------------


def test_hashtags_are_split_completed_and_deduplicated_in_order() -> None:
    typed = "bakery, #sourdough #Bakery  pan;#PAN\n＃café  #sour_dough #año2026"
    assert parse_hashtags(typed) == [
        "#bakery",
        "#sourdough",
        "#pan",
        "#café",
        "#sour_dough",
        "#año2026",
    ]


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("#ok #half-price", "'#half-price'"),
        ("#ok #2026", "'#2026'"),
        ("#ok # #more", "'#'"),
        ("#ok #a#b", "'#a#b'"),
        ("#ok #hello!", "'#hello!'"),
        ("#ok #_", "'#_'"),
        ("#ok #dot.com", "'#dot.com'"),
    ],
)
def test_a_bad_hashtag_is_refused_by_name(typed: str, named: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_hashtags(typed)
    assert named in info.value.message
    assert info.value.field == "hashtags"


def test_an_empty_or_huge_group_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one hashtag"):
        parse_hashtags(" , ;  ")
    with pytest.raises(ValidationError, match=f"at most {MAX_HASHTAGS}"):
        parse_hashtags(" ".join(f"#t{i}x" for i in range(MAX_HASHTAGS + 1)))
    with pytest.raises(ValidationError, match="too long"):
        parse_hashtags("#" + "a" * 65)


_WORDS = st.text(st.characters(categories=["Lu", "Ll", "Lo", "Nd"]), min_size=1, max_size=20)


@given(st.lists(_WORDS.filter(lambda w: any(c.isalpha() for c in w)), min_size=1, max_size=40))
def test_normalising_twice_changes_nothing(words: list[str]) -> None:
    once = parse_hashtags(" ".join(words))
    assert parse_hashtags(" ".join(once)) == once
    assert len({t.casefold() for t in once}) == len(once)
    assert all(t.startswith("#") and t.count("#") == 1 for t in once)


# --- templates --------------------------------------------------------------------------------


def test_placeholders_are_filled_from_the_post() -> None:
    values = TemplateValues(
        when=datetime(2026, 11, 24, 9, 30),
        campaign="Holiday Gift Guide",
        link="https://example.org/x",
        brand="Harbor Light",
        title="Gift guide",
    )
    filled = fill_template(
        "{Weekday} {date} at {time}: {campaign} by {brand} ({title}) {link}", values
    )
    assert filled.text == (
        "Tuesday 24 November 2026 at 09:30: Holiday Gift Guide by Harbor Light (Gift guide) "
        "https://example.org/x"
    )
    assert filled.left == ()
    assert filled.notice() == ""


def test_unknown_and_unfillable_placeholders_stay_as_typed_and_are_flagged() -> None:
    filled = fill_template("{price} off! {date} {campaign} {price} {link} {}", TemplateValues())
    assert filled.text == "{price} off! {date} {campaign} {price} {link} {}"
    left = {item.placeholder: item.reason for item in filled.left}
    assert list(left) == ["{price}", "{date}", "{campaign}", "{link}"]
    assert left["{price}"] == "not a placeholder cmdesk knows"
    assert "no date" in left["{date}"]
    assert "{price} (not a placeholder cmdesk knows)" in filled.notice()
    assert unknown_placeholders("{price} {Date} {price} {x_1}") == ("{price}", "{x_1}")


def test_first_link_leaves_trailing_punctuation_out() -> None:
    assert first_link("See https://example.org/a?b=1. Or http://x.y") == "https://example.org/a?b=1"
    assert first_link("no link here") is None


# --- the service ------------------------------------------------------------------------------


def test_group_crud_reorder_and_change_sets(ctx: AppContext) -> None:
    wid = workspace(ctx)
    seen: list[ChangeSet] = []
    ctx.hub.subscribe(seen.append)
    bakery = ctx.library.add_group(wid, "  Bakery  basics ", "bakery, #Sourdough #bakery")
    assert bakery.name == "Bakery basics"
    assert bakery.hashtags == ("#bakery", "#Sourdough")
    assert bakery.text == "#bakery #Sourdough"
    events = ctx.library.add_group(wid, "Events", ["#readings", "books"])
    assert [g.name for g in ctx.library.list_groups(wid)] == ["Bakery basics", "Events"]
    ctx.library.reorder_groups(wid, [events.id, bakery.id])
    assert [g.id for g in ctx.library.list_groups(wid)] == [events.id, bakery.id]
    changed = ctx.library.update_group(bakery.id, "Bread", "#pan")
    assert changed.hashtags == ("#pan",)
    assert ctx.library.find_group(wid, "BREAD") == changed
    ctx.library.remove_group(events.id)
    assert [g.name for g in ctx.library.list_groups(wid)] == ["Bread"]
    assert [c.ids("hashtag_group") for c in seen] == [
        {bakery.id},
        {events.id},
        {events.id, bakery.id},
        {bakery.id},
        {events.id},
    ]
    assert seen[-1].ids("hashtag_group", "deleted") == {events.id}


def test_bad_input_changes_nothing(ctx: AppContext) -> None:
    wid = workspace(ctx)
    group = ctx.library.add_group(wid, "Café", "#coffee")
    seen: list[ChangeSet] = []
    ctx.hub.subscribe(seen.append)
    with pytest.raises(ValidationError, match="'#half-price'") as info:
        ctx.library.update_group(group.id, "Café", "#ok #half-price")
    assert info.value.field == "hashtags"
    with pytest.raises(ValidationError, match="already a hashtag group") as info:
        ctx.library.add_group(wid, "CAFÉ", "#tea")
    assert info.value.field == "name"
    with pytest.raises(ValidationError, match="name"):
        ctx.library.add_group(wid, "   ", "#tea")
    with pytest.raises(ValidationError, match="changed while"):
        ctx.library.reorder_groups(wid, [group.id, group.id + 99])
    with pytest.raises(NotFoundError):
        ctx.library.remove_group(group.id + 99)
    with pytest.raises(NotFoundError):
        ctx.library.add_group(wid + 99, "Other", "#tea")
    assert ctx.library.list_groups(wid) == [group]
    assert seen == []


def test_names_are_per_workspace(ctx: AppContext) -> None:
    one, two = workspace(ctx, "One"), workspace(ctx, "Two")
    ctx.library.add_group(one, "Tags", "#a")
    ctx.library.add_group(two, "Tags", "#b")
    ctx.library.add_snippet(one, "Sign-off", "Thanks!")
    ctx.library.add_snippet(two, "Sign-off", "Gracias")
    assert [g.hashtags for g in ctx.library.list_groups(two)] == [("#b",)]
    assert ctx.library.find_snippet(one, "sign-off") is not None
    assert ctx.library.find_group(one, "missing") is None


def test_snippet_crud_keeps_unknown_placeholders_and_reports_them(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cta = ctx.library.add_snippet(wid, "Call to action", "Book now: {link} — {price}\n\n")
    assert cta.text == "Book now: {link} — {price}"
    assert cta.unknown_placeholders == ("{price}",)
    sign = ctx.library.add_snippet(wid, "Sign-off", "See you {weekday}!")
    assert sign.unknown_placeholders == ()
    ctx.library.reorder_snippets(wid, [sign.id, cta.id])
    assert [s.name for s in ctx.library.list_snippets(wid)] == ["Sign-off", "Call to action"]
    ctx.library.update_snippet(cta.id, "CTA", "Book: {link}")
    assert ctx.library.get_snippet(cta.id).unknown_placeholders == ()
    with pytest.raises(ValidationError, match="already a template"):
        ctx.library.update_snippet(sign.id, "cta", "x")
    with pytest.raises(ValidationError, match="text") as info:
        ctx.library.add_snippet(wid, "Empty", "  \n ")
    assert info.value.field == "text"
    ctx.library.remove_snippet(sign.id)
    assert [s.name for s in ctx.library.list_snippets(wid)] == ["CTA"]
    with pytest.raises(NotFoundError):
        ctx.library.get_snippet(sign.id)


def test_the_demo_workspaces_have_a_library(ctx: AppContext) -> None:
    changes = ctx.demo.create_demo()
    workspaces = ctx.workspaces.list()
    assert len(workspaces) == 2
    for ws in workspaces:
        groups = ctx.library.list_groups(ws.id)
        snippets = ctx.library.list_snippets(ws.id)
        assert len(groups) >= 2 and len(snippets) >= 2
        assert all(parse_hashtags(g.text) == list(g.hashtags) for g in groups)
        assert all(s.unknown_placeholders == () for s in snippets)
        assert {g.id for g in groups} <= changes.ids("hashtag_group", "created")


@pytest.mark.parametrize(
    ("instant", "zone", "expected"),
    [
        # New York falls back on 1 November 2026: 05:30 and 06:30 UTC are both 01:30 local.
        ("2026-11-01T05:30+00:00", "America/New_York", "Sunday 1 November 2026 01:30"),
        ("2026-11-01T06:30+00:00", "America/New_York", "Sunday 1 November 2026 01:30"),
        # New York springs forward on 8 March: 07:30 UTC is 03:30 EDT (02:30 never happens).
        ("2026-03-08T07:30+00:00", "America/New_York", "Sunday 8 March 2026 03:30"),
        # Madrid falls back on 25 October: 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET.
        ("2026-10-25T01:30+00:00", "Europe/Madrid", "Sunday 25 October 2026 02:30"),
    ],
)
def test_date_placeholders_use_the_wall_clock_of_the_zone(
    instant: str, zone: str, expected: str
) -> None:
    local = utc_to_local(datetime.fromisoformat(instant), zone)
    filled = fill_template("{weekday} {date} {time}", TemplateValues(when=local))
    assert filled.text == expected
