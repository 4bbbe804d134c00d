"""The adapters' public ``search`` (DESIGN.md), called directly against the fake servers.

Bluesky hashtags go out as the ``tag`` parameter (no '#') with ``q`` the lexicon requires;
Mastodon hashtags read the tag timeline and text queries ``/api/v2/search``, where a server
without full-text search answers with a note instead of an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from cmdesk.adapters.base import ChannelRef
from cmdesk.adapters.bluesky import PLC_URL_ENV, BlueskyAdapter
from cmdesk.adapters.bluesky_search import search_params
from cmdesk.adapters.mastodon.adapter import MastodonAdapter
from cmdesk.adapters.search import Searcher
from tests.fakes.bluesky_listening import SEARCH, FakeListeningBluesky
from tests.fakes.bluesky_server import MemoryCredentials
from tests.fakes.mastodon_listening import FakeListeningMastodon
from tests.fakes.mastodon_server import DEFAULT_TOKEN


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _sky_ref(sky: FakeListeningBluesky) -> ChannelRef:
    return ChannelRef(
        id=1, network="bluesky", name="Sky", handle=sky.handle, base_url=sky.entryway_url
    )


def test_both_adapters_are_searchers() -> None:
    assert isinstance(BlueskyAdapter(), Searcher)
    assert isinstance(MastodonAdapter(), Searcher)


def test_bluesky_hashtag_is_sent_as_tag_without_hash(
    monkeypatch: pytest.MonkeyPatch, http: requests.Session
) -> None:
    assert search_params("hashtag", " #Brew ") == {"q": "#Brew", "tag": ["Brew"]}
    assert search_params("query", " cold brew ") == {"q": "cold brew"}
    with FakeListeningBluesky() as sky:
        monkeypatch.setenv(PLC_URL_ENV, sky.plc_url)
        sky.post_public("bob.test", "love #brew today")
        sky.post_public("carol.test", "brew without the tag")
        creds = MemoryCredentials({"identifier": sky.handle, "app_password": sky.password})
        batch = BlueskyAdapter().search(_sky_ref(sky), creds, http, "hashtag", "#brew", None)
        assert [n.author_handle for n in batch.items] == ["@bob.test"]
        assert all(n.kind == "listening" for n in batch.items)
        sent = [r.path for r in sky.requests if r.nsid == SEARCH]
        query = parse_qs(urlsplit(sent[-1]).query)
        assert query["tag"] == ["brew"] and query["q"] == ["#brew"]


def test_mastodon_search_reads_the_tag_timeline_and_notes_missing_full_text(
    http: requests.Session,
) -> None:
    with FakeListeningMastodon() as masto:
        masto.post_public("bob", "Coffee time", tags=("cafe",))
        ref = ChannelRef(
            id=1,
            network="mastodon",
            name="Masto",
            handle=f"@alice@{masto.host}",
            base_url=masto.url,
        )
        creds = MemoryCredentials({"access_token": DEFAULT_TOKEN})
        adapter = MastodonAdapter()
        batch = adapter.search(ref, creds, http, "hashtag", "#cafe", None)
        assert len(batch.items) == 1 and batch.cursor and batch.note == ""
        masto.search_refused = True
        refused = adapter.search(ref, creds, http, "query", "coffee", None)
        assert refused.items == () and "may not be available" in (refused.note or "")
