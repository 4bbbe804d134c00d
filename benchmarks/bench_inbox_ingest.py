"""The inbox benchmark's ingest part (run it through ``bench_inbox.py --only ingest``).

``ingest``: 10,000 Mastodon mention notifications (realistic HTML: paragraphs, an h-card mention,
a link with its invisible spans, a hashtag) read the way a poll reads them: the real
``InboxService.poll_channel`` -> the real Mastodon adapter (``min_id`` paging, 80 a page, Link
headers) -> parsing, sanitising with nh3, plain text, names cleaned -> ``INSERT ... ON CONFLICT
DO NOTHING`` with the cursor stored after each page. The pages come from an in-memory transport
mounted on the HTTP session (no sockets), so the time is cmdesk's, not a fake server's. Every
stored row is counted afterwards. Target (issue 5): 10,000 at or under 2 s.

Usage::

    .venv/bin/python benchmarks/bench_inbox.py --only ingest
    .venv/bin/python benchmarks/bench_inbox.py --only ingest --notifications 10000 --repeat 3 --json
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import requests  # noqa: E402
from requests.adapters import BaseAdapter  # noqa: E402
from sqlalchemy import func, select, update  # noqa: E402

from cmdesk.bootstrap import build_context  # noqa: E402
from cmdesk.credentials import MemoryCredentialStore  # noqa: E402
from cmdesk.models import Channel, InboxItem  # noqa: E402

BASE = "https://bench.example"
FIRST_ID = 110_000_000_000_000_000


def _note(i: int) -> dict[str, Any]:
    sid = str(FIRST_ID + 2 * i)
    user = f"fan{i % 997}"
    content = (
        '<p><span class="h-card"><a href="https://bench.example/@brand" class="u-url mention">'
        f"@<span>brand</span></a></span> Loved the post number {i}! Have you seen "
        '<a href="https://example.org/a/very/long/path/to/an/article" rel="nofollow noopener" '
        'target="_blank"><span class="invisible">https://</span><span class="ellipsis">'
        'example.org/a/very/long/path/</span><span class="invisible">to/an/article</span></a>'
        ' <a href="https://bench.example/tags/bread" class="mention hashtag" rel="tag">'
        "#<span>bread</span></a></p><p>Second paragraph &amp; more.</p>"
    )
    created = f"2026-03-{1 + i // 3600 % 28:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00.000Z"
    return {
        "id": str(FIRST_ID + 2 * i + 1),
        "type": "mention",
        "created_at": created,
        "account": {"id": str(i % 997), "acct": f"{user}@other.example", "display_name": user},
        "status": {
            "id": sid,
            "created_at": created,
            "in_reply_to_id": None,
            "visibility": "public",
            "url": f"https://other.example/@{user}/{sid}",
            "content": content,
            "account": {
                "id": str(i % 997),
                "acct": f"{user}@other.example",
                "display_name": f"Fan {user} 🍞",
            },
        },
    }


class InMemoryMastodon(BaseAdapter):
    """Serves notification pages (oldest-first list, ``min_id`` paging) without a socket."""

    def __init__(self, notes: list[dict[str, Any]]) -> None:
        super().__init__()
        self.notes = notes
        self.ids = [int(n["id"]) for n in notes]
        self.requests = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.requests += 1
        parts = urlsplit(request.url or "")
        query = parse_qs(parts.query)
        body: Any = []
        headers: dict[str, str] = {"Content-Type": "application/json"}
        if parts.path == "/api/v1/notifications":
            limit = int(query.get("limit", ["40"])[0])
            min_id = int(query.get("min_id", ["0"])[0])
            start = next((k for k, v in enumerate(self.ids) if v > min_id), len(self.ids))
            page = self.notes[start : start + limit]
            body = list(reversed(page))
            if page:
                newest = page[-1]["id"]
                headers["Link"] = f'<{BASE}/api/v1/notifications?min_id={newest}>; rel="prev"'
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(body).encode()
        response.headers.update(headers)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def bench_ingest(count: int, repeat: int) -> dict[str, Any]:
    notes = [_note(i) for i in range(count)]
    times: list[float] = []
    stored = polls = requests_made = 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            ctx = build_context(
                f"sqlite:///{tmp}/bench.sqlite3", credentials=MemoryCredentialStore()
            )
            try:
                wid = ctx.workspaces.create("Bench", "Europe/Madrid").subject
                assert wid is not None
                cid = ctx.channels.add(
                    wid,
                    "mastodon",
                    "Masto",
                    handle="@brand@bench.example",
                    base_url=BASE,
                    credentials={"access_token": "t"},
                ).subject
                assert cid is not None
                with ctx.db.session() as s:  # an incremental poll from the very beginning
                    s.execute(
                        update(Channel).where(Channel.id == cid).values(inbox_cursor='{"n": "1"}')
                    )
                transport = InMemoryMastodon(notes)
                ctx.inbox._http_factory = _session_factory(transport)
                start = time.perf_counter()
                polls = 0
                while ctx.inbox.poll_channel(cid):
                    polls += 1
                times.append(time.perf_counter() - start)
                with ctx.db.session(write=False) as s:
                    stored = s.scalar(select(func.count()).select_from(InboxItem)) or 0
                requests_made = transport.requests
            finally:
                ctx.close()
    return {
        "notifications": count,
        "stored": stored,
        "polls": polls,
        "requests": requests_made,
        "seconds": [round(t, 3) for t in times],
        "median_s": round(statistics.median(times), 3),
        "per_item_us": round(statistics.median(times) / count * 1e6, 1),
        "target_s": 2.0,
    }


def _session_factory(transport: BaseAdapter) -> Callable[[], requests.Session]:
    def make() -> requests.Session:
        session = requests.Session()
        session.mount(BASE, transport)
        return session

    return make
