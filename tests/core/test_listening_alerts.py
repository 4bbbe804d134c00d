"""Alert words: Unicode-aware whole-word matching, and claims that announce a match once."""

from __future__ import annotations

import itertools
import threading
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.listening.alert_claims import AlertWordClaims, describe_alert
from cmdesk.listening.alert_words import AlertMatcher, parse
from cmdesk.listening.daemon_alerts import LOOK_EVERY, DaemonAlertWords
from cmdesk.models import ListenedPost, SavedSearch
from tests.core.helpers import channel, workspace
from tests.core.inbox_rows import add_items

# Words of letters from many scripts (Latin with accents, Greek, Cyrillic, CJK, Arabic).
_letters = st.characters(categories=("Lu", "Ll", "Lo"), exclude_characters="ſ\u0130\u0131ﬅﬆ")
words = st.text(_letters, min_size=2, max_size=12).filter(
    lambda w: w == w.strip() and unicodedata.normalize("NFKC", w) == w
)
separators = st.sampled_from([" ", ", ", "! ", "\n", " (", "» ", "… ", "\t"])

_SERIAL = itertools.count(1)  # remote ids unique per search


@given(word=words, before=st.text(max_size=20), sep1=separators, sep2=separators)
def test_a_word_is_found_whole_whatever_its_case(
    word: str, before: str, sep1: str, sep2: str
) -> None:
    matcher = AlertMatcher([word])
    text = f"{before}{sep1}{word.upper()}{sep2}tail"
    assert matcher.find(text) == word
    assert matcher.find(f"{sep1}{word.swapcase()}") == word


@given(word=words, glue=st.text(_letters, min_size=1, max_size=3))
def test_a_word_inside_a_longer_word_is_not_found(word: str, glue: str) -> None:
    matcher = AlertMatcher([word])
    longer = f"{glue}{word}{glue}"
    assume(word.casefold() not in glue.casefold())
    # A letter whose compatibility form holds punctuation (Ŀ is L·) is a boundary once folded.
    assume(all(c.isalnum() for c in unicodedata.normalize("NFKC", glue.casefold())))
    assume(matcher.find(glue) is None)
    assert matcher.find(f"see {longer} now") is None
    assert matcher.find(f"{word}{glue}") is None and matcher.find(f"x{glue}{word}") is None


def test_folding_accents_and_phrases() -> None:
    m = AlertMatcher(parse(" boycott ,Straße, intoxicación , ban now,, BOYCOTT"))
    assert m.words == ("boycott", "Straße", "intoxicación", "ban now")
    assert m.find("Call for a #Boycott!") == "boycott"
    assert m.find("DIE STRASSE ist zu") == "Straße"
    assert m.find("intoxicacio\u0301n masiva") == "intoxicación"  # sent decomposed
    assert m.find("ban\n  NOW") == "ban now"
    assert m.find("banana boycotts") is None
    assert not AlertMatcher(parse(" , ,")) and AlertMatcher([]).find("anything") is None


@pytest.fixture
def other(db_url: str, clock: FakeClock) -> Iterator[AppContext]:
    """A second process's context on the same database (the daemon beside the window)."""
    context = build_context(db_url, clock=clock, credentials=MemoryCredentialStore())
    yield context
    context.close()


def _listened(ctx: AppContext, wid: int, cid: int, text: str, author: str = "@troll@x") -> int:
    now = datetime(2026, 3, 20, tzinfo=UTC)
    with ctx.db.session() as s:
        search = s.query(SavedSearch).filter_by(channel_id=cid).one_or_none()
        if search is None:
            search = SavedSearch(
                workspace_id=wid,
                channel_id=cid,
                kind="hashtag",
                text="brand",
                note="",
                created_at=now,
            )
            s.add(search)
            s.flush()
        row = ListenedPost(
            search_id=search.id,
            remote_id=f"r{next(_SERIAL)}",
            remote_url="",
            author_handle=author,
            author_name="Troll",
            text=text,
            html="",
            created_at=now,
            fetched_at=now,
        )
        s.add(row)
        s.flush()
        return row.id


def test_matches_in_mentions_and_listened_posts_are_claimed_once(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid, "Masto")
    claims = AlertWordClaims(ctx.db, ctx.clock, ctx.hub)
    add_items(ctx, cid, text="boycott from before anyone listened")
    assert claims.claim(["boycott"]).matches == ()  # the first claim only sets the marks
    add_items(ctx, cid, text="nothing to see", author="@ana@x")
    (mention,) = add_items(ctx, cid, text="Time to BOYCOTT this brand", author="@ed@x")
    post = _listened(ctx, wid, cid, "#brand food poisoning here")
    claim = claims.claim(["boycott", "poisoning"])
    assert [(m.source, m.item_id, m.word) for m in claim.matches] == [
        ("inbox", mention, "boycott"),
        ("listening", post, "poisoning"),
    ]
    assert claim.inbox_item_ids == (mention,)
    title, message = describe_alert(claim)
    assert "2 new posts" in title and "“boycott”" in title and "“poisoning”" in title
    assert "@ed@x" in message and "Masto" in message
    assert claims.claim(["boycott", "poisoning"]).matches == ()  # never twice
    one = _listened(ctx, wid, cid, "poisoning again", author="@zed@x")
    only = claims.claim(["poisoning"])
    assert [m.item_id for m in only.matches] == [one]
    title, message = describe_alert(only)
    assert title == "Alert word “poisoning” from @zed@x on Masto" and message == "poisoning again"


def test_without_words_nothing_fires_and_old_posts_stay_quiet(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    claims = AlertWordClaims(ctx.db, ctx.clock, ctx.hub)
    claims.claim([])
    add_items(ctx, cid, text="boycott")
    assert claims.claim([]).matches == ()
    assert claims.claim(["boycott"]).matches == ()  # a word added later: old posts stay quiet


def test_a_released_claim_is_announced_again(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    claims = AlertWordClaims(ctx.db, ctx.clock, ctx.hub)
    claims.claim(["boycott"])
    add_items(ctx, cid, text="boycott")
    claim = claims.claim(["boycott"])
    assert claims.release(claim)
    assert len(claims.claim(["boycott"]).matches) == 1


def test_two_processes_never_both_announce(ctx: AppContext, other: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    AlertWordClaims(ctx.db, ctx.clock, ctx.hub).claim(["boycott"])
    add_items(ctx, cid, 20, text="boycott now")
    got: list[int] = []
    lock = threading.Lock()

    def race(c: AppContext) -> None:
        claim = AlertWordClaims(c.db, c.clock, c.hub).claim(["boycott"])
        with lock:
            got.extend(m.item_id for m in claim.matches)

    threads = [threading.Thread(target=race, args=(c,)) for c in (ctx, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 20 and len(set(got)) == 20


def test_the_daemon_announces_a_match_once_and_gives_it_back_when_it_cannot_show(
    ctx: AppContext, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid, "Masto")
    ctx.settings.set("alert_words", "recall")
    shown: list[tuple[str, str]] = []
    works = [False]

    def show(title: str, message: str) -> bool:
        if works[0]:
            shown.append((title, message))
        return works[0]

    claims = AlertWordClaims(ctx.db, ctx.clock, ctx.hub)
    daemon = DaemonAlertWords(claims, ctx.settings, ctx.clock, show=show, available=lambda: True)
    assert daemon.tick() is False  # the first look only sets the marks
    add_items(ctx, cid, text="Is this a product RECALL?", author="@worried@x")
    clock.advance(LOOK_EVERY)
    assert daemon.tick() is False and shown == []  # could not show: handed back
    works[0] = True
    clock.advance(LOOK_EVERY + timedelta(seconds=1))
    assert daemon.tick() is True
    assert shown == [("Alert word “recall” from @worried@x on Masto", "Is this a product RECALL?")]
    clock.advance(LOOK_EVERY)
    assert daemon.tick() is False and len(shown) == 1
