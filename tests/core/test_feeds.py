"""Feeds bring ideas: RSS 2.0, RSS 1.0 and Atom from a local server.

Conditional requests, every way a feed fails, hostile entries, deduplication across refreshes
and backoff.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.housekeeping import Housekeeper
from cmdesk.planning import feed_upkeep
from cmdesk.planning import feeds as feedlib
from cmdesk.planning.ideas_dto import IdeaFilter, IdeaState
from tests.core.helpers import workspace
from tests.fakes.feed_server import Answer, FeedServer, running

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Bakery news</title><link>https://bakery.example/</link>
<item><title>Sourdough &amp; rye</title><link>https://bakery.example/rye</link>
<guid>rye-1</guid><pubDate>Tue, 17 Mar 2026 08:00:00 GMT</pubDate>
<description>&lt;p&gt;New &lt;b&gt;rye&lt;/b&gt; loaf&lt;/p&gt;</description></item>
<item><title>Croissant day</title><link>https://bakery.example/croissant</link>
<pubDate>Wed, 18 Mar 2026 08:00:00 GMT</pubDate><description>Butter.</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Coffee blog</title>
<id>urn:coffee</id><updated>2026-03-19T10:00:00Z</updated>
<entry><title type="html">Cold &lt;em&gt;brew&lt;/em&gt;</title><id>urn:coffee:1</id>
<link href="https://coffee.example/cold"/><updated>2026-03-19T10:00:00Z</updated>
<summary>Slow and sweet.</summary></entry></feed>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://tea.example/"><title>Tea notes</title><link>https://tea.example/</link>
<description>Tea</description><items><rdf:Seq><rdf:li resource="https://tea.example/a"/>
</rdf:Seq></items></channel>
<item rdf:about="https://tea.example/a"><title>Matcha</title><link>https://tea.example/a</link>
<description>Green.</description><dc:date>2026-03-16T09:00:00Z</dc:date></item></rdf:RDF>"""

HOSTILE = (
    b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Evil</title>
<item><title>Hi\x01 <script>alert(1)</script>there</title><link>javascript:alert(1)</link>
<guid>evil-1</guid><description>&lt;script&gt;steal()&lt;/script&gt;&lt;p onclick="x()"&gt;"""
    + b"A" * 300_000
    + b"""&lt;/p&gt;</description></item></channel></rss>"""
)

HTML_PAGE = b"""<!doctype html><html><head><title>Bakery</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Hi</body></html>"""


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with running() as srv:
        yield srv


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feedlib, "CONNECT_TIMEOUT", 2.0)
    monkeypatch.setattr(feedlib, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(feedlib, "TOTAL_TIMEOUT", 1.0)


def subscribe(ctx: AppContext, server: FeedServer, path: str, answer: Answer) -> tuple[int, int]:
    server.put(path, answer)
    wid = workspace(ctx)
    return wid, ctx.ideas.subscribe(wid, server.url(path))


def all_ideas(ctx: AppContext, wid: int) -> list[str]:
    page = ctx.ideas.list_ideas(wid, IdeaFilter(states=frozenset()))
    return [i.title for i in page.items]


@pytest.mark.parametrize(
    ("body", "titles", "feed_title"),
    [
        (RSS2, ["Croissant day", "Sourdough & rye"], "Bakery news"),
        (ATOM, ["Cold brew"], "Coffee blog"),
        (RSS1, ["Matcha"], "Tea notes"),
    ],
)
def test_each_kind_of_feed_brings_its_entries_as_new_ideas(
    ctx: AppContext, server: FeedServer, body: bytes, titles: list[str], feed_title: str
) -> None:
    wid, fid = subscribe(ctx, server, "/f", Answer(body))
    result = ctx.ideas.refresh_feed(fid)
    assert result.ok and result.new_ideas == len(titles)
    assert all_ideas(ctx, wid) == titles  # newest first
    feed = ctx.ideas.get_feed(fid)
    assert feed.title == feed_title and feed.new_count == len(titles) and feed.last_error == ""
    idea = ctx.ideas.list_ideas(wid).items[0]
    assert idea.feed_title == feed_title and idea.published_at is not None
    assert "<" not in idea.text and idea.link.startswith("https://")


def test_rss_summary_html_becomes_plain_text(ctx: AppContext, server: FeedServer) -> None:
    wid, fid = subscribe(ctx, server, "/f", Answer(RSS2))
    ctx.ideas.refresh_feed(fid)
    rye = next(i for i in ctx.ideas.list_ideas(wid).items if i.link.endswith("rye"))
    assert rye.text == "New rye loaf"


def test_conditional_request_304_brings_nothing_and_sends_the_validators(
    ctx: AppContext, server: FeedServer
) -> None:
    modified = "Wed, 18 Mar 2026 08:00:00 GMT"
    wid, fid = subscribe(ctx, server, "/f", Answer(RSS2, etag='"v1"', last_modified=modified))
    assert ctx.ideas.refresh_feed(fid).new_ideas == 2
    second = ctx.ideas.refresh_feed(fid)
    assert second.not_modified and second.new_ideas == 0 and second.ok
    sent = server.seen("/f")
    assert "If-None-Match" not in sent[0].headers
    assert sent[1].headers["If-None-Match"] == '"v1"'
    assert sent[1].headers["If-Modified-Since"] == modified
    assert sent[1].headers["User-Agent"].startswith("cmdesk/")
    assert len(all_ideas(ctx, wid)) == 2


def test_entries_are_deduplicated_across_refreshes(ctx: AppContext, server: FeedServer) -> None:
    wid, fid = subscribe(ctx, server, "/f", Answer(RSS2))
    ctx.ideas.refresh_feed(fid)
    ctx.ideas.discard([ctx.ideas.list_ideas(wid).items[0].id])
    more = RSS2.replace(
        b"</channel>",
        b"<item><title>Bagels</title><link>https://bakery.example/bagels</link></item></channel>",
    )
    server.put("/f", Answer(more))
    result = ctx.ideas.refresh_feed(fid)
    assert result.new_ideas == 1
    assert sorted(all_ideas(ctx, wid)) == ["Bagels", "Croissant day", "Sourdough & rye"]
    # A discarded entry does not come back as new.
    assert len(ctx.ideas.list_ideas(wid).items) == 2


def test_at_most_fifty_new_ideas_per_refresh_and_the_rest_next_time(
    ctx: AppContext, server: FeedServer
) -> None:
    items = b"".join(
        f"<item><title>Item {n}</title><link>https://x.example/{n}</link></item>".encode()
        for n in range(70)
    )
    body = b'<rss version="2.0"><channel><title>Big</title>' + items + b"</channel></rss>"
    wid, fid = subscribe(ctx, server, "/f", Answer(body, etag='"big"'))
    first = ctx.ideas.refresh_feed(fid)
    assert first.new_ideas == 50 and "50" in first.problem
    second = ctx.ideas.refresh_feed(fid)  # no 304: the validators were not kept
    assert second.new_ideas == 20 and not second.problem
    assert len(all_ideas(ctx, wid)) == 70
    assert "If-None-Match" not in server.seen("/f")[1].headers


def test_hostile_feed_is_cleaned(ctx: AppContext, server: FeedServer) -> None:
    wid, fid = subscribe(ctx, server, "/f", Answer(HOSTILE))
    assert ctx.ideas.refresh_feed(fid).new_ideas == 1
    idea = ctx.ideas.list_ideas(wid).items[0]
    assert "alert" not in idea.title and "\x01" not in idea.title
    assert idea.title == "Hi there"
    assert idea.link == ""  # javascript: is never kept
    assert "steal" not in idea.text and "<" not in idea.text and "onclick" not in idea.text
    assert len(idea.text) <= feedlib.TEXT_CHARS


def test_a_feed_larger_than_the_cap_is_refused(ctx: AppContext, server: FeedServer) -> None:
    huge = RSS2.replace(b"Butter.", b"B" * (10 * 1024 * 1024))
    wid, fid = subscribe(ctx, server, "/f", Answer(huge))
    result = ctx.ideas.refresh_feed(fid)
    assert "larger than 5 MB" in result.error
    assert ctx.ideas.get_feed(fid).last_error == result.error
    assert all_ideas(ctx, wid) == []


def test_malformed_xml_keeps_what_parsed_and_says_so(ctx: AppContext, server: FeedServer) -> None:
    broken = RSS2.replace(b"</channel></rss>", b"<item><title>Half")
    _wid, fid = subscribe(ctx, server, "/f", Answer(broken))
    result = ctx.ideas.refresh_feed(fid)
    assert result.ok and result.new_ideas >= 2
    assert "not well-formed" in result.problem
    assert "not well-formed" in ctx.ideas.get_feed(fid).last_error


def test_an_html_page_suggests_its_feed(ctx: AppContext, server: FeedServer) -> None:
    _wid, fid = subscribe(ctx, server, "/page", Answer(HTML_PAGE, "text/html; charset=utf-8"))
    result = ctx.ideas.refresh_feed(fid)
    assert result.suggested_url == server.url("/feed.xml")
    assert "web page, not a feed" in result.error and server.url("/feed.xml") in result.error


def test_plain_text_is_not_a_feed(ctx: AppContext, server: FeedServer) -> None:
    _wid, fid = subscribe(ctx, server, "/t", Answer(b"hello there", "text/plain"))
    assert "does not give an RSS or Atom feed" in ctx.ideas.refresh_feed(fid).error


@pytest.mark.parametrize(
    ("status", "expected"),
    [(404, "404"), (500, "500"), (503, "503"), (403, "403")],
)
def test_http_errors_are_stored_with_a_clear_message(
    ctx: AppContext, server: FeedServer, status: int, expected: str
) -> None:
    _wid, fid = subscribe(ctx, server, "/f", Answer(b"no", "text/plain", status))
    result = ctx.ideas.refresh_feed(fid)
    assert expected in result.error
    feed = ctx.ideas.get_feed(fid)
    assert feed.last_error == result.error and feed.is_active and feed.last_fetched_at


def test_410_pauses_the_feed(ctx: AppContext, server: FeedServer) -> None:
    _wid, fid = subscribe(ctx, server, "/f", Answer(b"gone", "text/plain", 410))
    result = ctx.ideas.refresh_feed(fid)
    assert result.paused and "gone for good" in result.error
    assert not ctx.ideas.get_feed(fid).is_active


def test_429_waits_until_retry_after(ctx: AppContext, server: FeedServer, clock: FakeClock) -> None:
    answer = Answer(b"slow down", "text/plain", 429, headers={"Retry-After": "7200"})
    _wid, fid = subscribe(ctx, server, "/f", answer)
    ctx.ideas.refresh_all()
    until = ctx.ideas.backoff.waiting_until(fid)
    assert until is not None and until >= clock.now() + timedelta(minutes=119)
    server.put("/f", Answer(RSS2))
    clock.advance(timedelta(minutes=61))
    assert ctx.ideas.refresh_all(interval=timedelta(minutes=60)) == []  # still waiting
    clock.advance(timedelta(minutes=60))
    assert [r.new_ideas for r in ctx.ideas.refresh_all(interval=timedelta(minutes=60))] == [2]


def test_slow_server_times_out(ctx: AppContext, server: FeedServer, fast: None) -> None:
    _wid, fid = subscribe(ctx, server, "/f", Answer(RSS2, delay=2.0))
    assert "took too long" in ctx.ideas.refresh_feed(fid).error


def test_a_feed_that_drips_in_is_cut_off(ctx: AppContext, server: FeedServer, fast: None) -> None:
    _wid, fid = subscribe(ctx, server, "/f", Answer(RSS2, drip=0.3))
    assert "too slowly" in ctx.ideas.refresh_feed(fid).error


def test_dropped_connection(ctx: AppContext, server: FeedServer, fast: None) -> None:
    wid, fid = subscribe(ctx, server, "/f", Answer(RSS2, drop=True))
    error = ctx.ideas.refresh_feed(fid).error
    assert "dropped" in error or "took too long" in error
    assert all_ideas(ctx, wid) == []


def test_unknown_host_and_refused_connection(ctx: AppContext) -> None:
    wid = workspace(ctx)
    bad_host = ctx.ideas.subscribe(wid, "http://no-such-host.invalid/feed")
    assert "Cannot find the server no-such-host.invalid" in ctx.ideas.refresh_feed(bad_host).error
    refused = ctx.ideas.subscribe(wid, "http://127.0.0.1:9/feed")
    assert "Could not connect" in ctx.ideas.refresh_feed(refused).error


def test_failures_back_off_per_feed_and_a_success_clears_it(
    ctx: AppContext, server: FeedServer, clock: FakeClock
) -> None:
    hour = timedelta(minutes=60)
    wid, bad = subscribe(ctx, server, "/bad", Answer(b"x", "text/plain", 503))
    server.put("/good", Answer(ATOM))
    good = ctx.ideas.subscribe(wid, server.url("/good"))
    assert {r.feed_id for r in ctx.ideas.refresh_all(interval=hour)} == {bad, good}
    first_wait = ctx.ideas.backoff.waiting_until(bad)
    assert first_wait == clock.now() + hour
    clock.advance(hour)
    ctx.ideas.refresh_all(interval=hour)
    assert ctx.ideas.backoff.waiting_until(bad) == clock.now() + 2 * hour  # doubled
    clock.advance(hour)
    assert bad not in {r.feed_id for r in ctx.ideas.refresh_all(interval=hour)}
    server.put("/bad", Answer(RSS2))
    clock.advance(hour)
    results = ctx.ideas.refresh_all(interval=hour)
    assert [r.new_ideas for r in results if r.feed_id == bad] == [2]
    assert ctx.ideas.backoff.waiting_until(bad) is None
    assert ctx.ideas.get_feed(bad).last_error == ""


def test_refresh_all_reads_only_due_active_feeds(
    ctx: AppContext, server: FeedServer, clock: FakeClock
) -> None:
    _wid, fid = subscribe(ctx, server, "/f", Answer(RSS2))
    assert len(ctx.ideas.refresh_all(interval=timedelta(minutes=60))) == 1
    clock.advance(timedelta(minutes=30))
    assert ctx.ideas.refresh_all(interval=timedelta(minutes=60)) == []
    assert len(ctx.ideas.refresh_all(interval=timedelta(minutes=15))) == 1  # a shorter interval
    ctx.ideas.set_active(fid, False)
    clock.advance(timedelta(days=1))
    assert ctx.ideas.refresh_all() == []


def test_tick_honours_the_interval_setting(
    ctx: AppContext, server: FeedServer, clock: FakeClock
) -> None:
    _wid, _fid = subscribe(ctx, server, "/f", Answer(RSS2))
    assert len(feed_upkeep.tick(ctx)) == 1
    clock.advance(timedelta(minutes=20))
    assert feed_upkeep.tick(ctx) == []
    ctx.settings.set("feed_refresh_minutes", 15)
    assert len(feed_upkeep.tick(ctx)) == 1


def test_tick_runs_through_a_real_housekeeper(ctx: AppContext, server: FeedServer) -> None:
    wid, _fid = subscribe(ctx, server, "/f", Answer(ATOM))
    keeper = Housekeeper()
    feed_upkeep.register_upkeep(keeper, ctx)
    assert keeper.names == ["feeds"]
    assert keeper.run_now("feeds") is True
    assert all_ideas(ctx, wid) == ["Cold brew"]


def test_a_tick_never_raises_even_on_a_bug(
    ctx: AppContext, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _wid, fid = subscribe(ctx, server, "/f", Answer(RSS2))

    def boom(*args: object, **kwargs: object) -> object:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(feedlib, "parse", boom)
    assert ctx.ideas.refresh_all() == []
    assert ctx.ideas.backoff.waiting_until(fid) is not None


def test_removing_a_feed_keeps_used_ideas(ctx: AppContext, server: FeedServer) -> None:
    wid, fid = subscribe(ctx, server, "/f", Answer(RSS2))
    ctx.ideas.refresh_feed(fid)
    first, _second = ctx.ideas.list_ideas(wid).items
    post_id = ctx.ideas.to_draft(first.id)
    ctx.ideas.remove(fid)
    left = ctx.ideas.list_ideas(wid, IdeaFilter(states=frozenset()))
    assert [i.id for i in left.items] == [first.id]
    assert left.items[0].state is IdeaState.USED and left.items[0].post_id == post_id
    assert ctx.ideas.list_feeds(wid) == []
    assert ctx.plan.get_post(post_id).notes == "From feed Bakery news"


def test_a_feed_moved_for_good_is_followed_at_its_new_address(
    ctx: AppContext, server: FeedServer
) -> None:
    wid, fid = subscribe(
        ctx, server, "/old", Answer(b"", "text/plain", 301, headers={"Location": "/new"})
    )
    server.put("/new", Answer(RSS2))
    assert ctx.ideas.refresh_feed(fid).new_ideas == 2
    assert ctx.ideas.get_feed(fid).url == server.url("/new")
    server.put("/tmp", Answer(b"", "text/plain", 302, headers={"Location": "/new"}))
    other = ctx.ideas.subscribe(wid, server.url("/tmp"))
    ctx.ideas.refresh_feed(other)
    assert ctx.ideas.get_feed(other).url == server.url("/tmp")  # a temporary move is not followed
