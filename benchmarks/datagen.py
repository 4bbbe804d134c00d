"""A reproducible data generator for the benchmarks: a busy plan of N posts over M channels.

``generate()`` builds a database at the current schema (``cmdesk.db.open_database`` runs the
migrations) and bulk-inserts, with SQLAlchemy Core ``executemany``, one or more workspaces whose
posts are spread over ``days`` days from ``start``. Everything comes from one seeded
``random.Random``, and "now" is fixed (the middle of the period, at noon UTC), so the same
arguments always give the same database:

* posts before "now" are published (most), archived, failed or missed; posts after it are scheduled
  (most of those in the next two weeks), approved, in review, drafts or ideas; a few ideas and drafts
  have no time at all (the side list);
* posts go out at the usual wall-clock hours in the workspace's zone, fewer at weekends;
* each post has 1-3 targets whose states match the post's status (published targets carry a remote
  id, URL and the frozen payload; archived ones are sometimes cancelled);
* titles are 20-90 characters, texts 80-400; there are campaigns (bands of 2-6 weeks), content
  pillars and tags, and a few per-channel variants.

``posts`` is the total over all workspaces; ``channels`` is per workspace.

Command line::

    python benchmarks/datagen.py --posts 100000 --channels 8 --out /tmp/bench.sqlite3
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert

from cmdesk.db import normalize_url, open_database, sqlite_file
from cmdesk.models import Campaign, Channel, Post, PostTag, Tag, Target, Variant, Workspace

SEED = 20260101
DEFAULT_START = date(2026, 1, 1)
DEFAULT_DAYS = 365
ZONES = ("Europe/Madrid", "America/New_York", "Europe/Berlin", "America/Mexico_City")
NETWORKS = ("mastodon", "bluesky", "telegram", "discord", "wordpress")
# Wall-clock posting slots (minutes after midnight) and how often each is picked.
SLOTS = (8 * 60, 9 * 60, 10 * 60 + 30, 12 * 60, 13 * 60 + 30, 17 * 60, 18 * 60 + 30, 20 * 60)
SLOT_WEIGHTS = (6, 10, 6, 8, 5, 7, 8, 4)
UNSCHEDULED_SHARE = 0.06
BATCH = 20_000

_SUBJECTS = (
    "Our new spring menu",
    "The community meetup",
    "This week's newsletter",
    "Our head baker",
    "The summer collection",
    "Tonight's live stream",
    "The volunteer team",
    "Our latest guide",
    "The open studio day",
    "Every workshop seat",
    "The product roadmap",
    "Our partner café",
    "The photo contest",
    "Saturday's market stall",
    "The podcast episode",
    "Our support team",
)
_VERBS = (
    "is finally here",
    "starts on Thursday",
    "needs your feedback",
    "shares three quick tips",
    "is back by popular demand",
    "goes live at 18:00",
    "sold out in two hours",
    "explains the why",
    "has a surprise for you",
    "opens registrations today",
    "celebrates its first year",
    "answers your questions",
    "comes to your city",
    "gets a fresh look",
)
_TAILS = (
    "Tell us what you think in the replies.",
    "Link in the bio.",
    "Bring a friend!",
    "Thank you for making this possible.",
    "Save the date and share it around.",
    "Spots are limited, so book early.",
    "More details on our website.",
    "We read every comment.",
    "Behind the scenes photos in the thread.",
    "Tag someone who should see this.",
    "Free entry, all ages welcome.",
)
_HASHTAGS = (
    "#community",
    "#local",
    "#bakery",
    "#events",
    "#behindthescenes",
    "#newrelease",
    "#sustainability",
    "#craft",
    "#weekend",
    "#tips",
    "#meetup",
    "#thankyou",
)
_TITLE_STARTS = (
    "Announce",
    "Teaser for",
    "Reminder about",
    "Recap of",
    "Poll on",
    "Thread on",
    "Q&A about",
    "Countdown to",
    "Photo set from",
    "Thanks for",
)
_TITLE_TOPICS = (
    "the spring menu",
    "the community meetup",
    "the newsletter",
    "the summer collection",
    "the live stream",
    "volunteer day",
    "the new guide",
    "the open studio",
    "the workshop series",
    "the product roadmap",
    "the photo contest",
    "the market stall",
    "the podcast",
    "our anniversary",
)
_PILLARS = ("Education", "Community", "Product", "Behind the scenes", "Promotions")
_TAGS = (
    "video",
    "carousel",
    "poll",
    "thread",
    "ugc",
    "evergreen",
    "seasonal",
    "partner",
    "event",
    "giveaway",
    "quote",
    "infographic",
    "faq",
    "milestone",
    "hiring",
    "press",
    "tutorial",
    "recap",
    "teaser",
    "live",
    "survey",
    "story",
    "announcement",
    "reminder",
)
_AUTHORS = ("Ana", "Bruno", "Carla", "Diego", "Elena", "Farid")


@dataclass
class Generated:
    """What ``generate`` built: enough for a benchmark to choose its window."""

    url: str
    now: datetime
    start: date
    days: int
    workspaces: list[tuple[int, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def fixed_now(start: date = DEFAULT_START, days: int = DEFAULT_DAYS) -> datetime:
    """The generator's "now": the middle of the period, at noon UTC."""
    mid = start + timedelta(days=days // 2)
    return datetime(mid.year, mid.month, mid.day, 12, tzinfo=UTC)


class _Text:
    """Titles and post texts from a pool of sentences (fast to sample in bulk)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = [
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)}. {rng.choice(_TAILS)}"
            for _ in range(1500)
        ]

    def title(self) -> str:
        r = self.rng
        t = f"{r.choice(_TITLE_STARTS)} {r.choice(_TITLE_TOPICS)}"
        if r.random() < 0.6:
            t += f" ({r.choice(_TAGS)}, week {r.randint(1, 52)})"
        if r.random() < 0.3:
            t += f" - {r.choice(_TAILS)}"
        return t[:90]

    def body(self) -> str:
        r = self.rng
        target = int(84 + (400 - 84) * r.random() ** 1.5)
        parts: list[str] = []
        size = 0
        while size < target:
            s = r.choice(self.sentences)
            parts.append(s)
            size += len(s) + 1
        text = " ".join(parts)
        tail = " ".join(r.sample(_HASHTAGS, r.randint(0, 3)))
        if r.random() < 0.25:
            tail += f" https://example.org/p/{r.randint(1000, 99999)}"
        tail = tail.strip()
        room = target - len(tail) - 2 if tail else target - 1
        cut = text[:room]
        whole_words = cut.rsplit(" ", 1)[0]
        if len(text) > room and len(whole_words) + len(tail) >= 82:
            cut = whole_words
        cut = cut.rstrip(" .,") + "."
        return f"{cut} {tail}" if tail else cut


def _post_status(rng: random.Random, when: int | None, now: int) -> str:
    if when is None:
        return "idea" if rng.random() < 0.6 else "draft"
    if when <= now:
        x = rng.random()
        return (
            "published"
            if x < 0.88
            else "archived"
            if x < 0.94
            else "failed"
            if x < 0.97
            else "missed"
        )
    days_ahead = (when - now) / 86400
    p_sched = 0.85 if days_ahead < 14 else 0.5 if days_ahead < 45 else 0.15
    if rng.random() < p_sched:
        return "scheduled"
    return rng.choice(("approved", "in_review", "draft", "draft", "idea"))


def _times(rng: random.Random, n: int, start: date, days: int, tz: ZoneInfo) -> list[int | None]:
    """Post times as epoch seconds, at wall-clock slots in ``tz``; a share has no time."""
    all_days = [start + timedelta(days=i) for i in range(days)]
    weights = [0.5 if d.weekday() >= 5 else 1.0 for d in all_days]
    picked = rng.choices(all_days, weights=weights, k=n)
    slots = rng.choices(SLOTS, weights=SLOT_WEIGHTS, k=n)
    out: list[int | None] = []
    for d, slot in zip(picked, slots, strict=True):
        if rng.random() < UNSCHEDULED_SHARE:
            out.append(None)
            continue
        minute = slot + rng.choice((0, 0, 0, 5, 10, 15, 30, 45))
        local = datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=tz)
        out.append(int(local.timestamp()))
    return out


def _dt(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


class _Builder:
    """Rows of one workspace, collected as dicts and inserted in batches."""

    def __init__(self, conn: Connection, rng: random.Random, now: datetime) -> None:
        self.conn = conn
        self.rng = rng
        self.now = now
        self.now_ts = int(now.timestamp())
        self.text = _Text(rng)
        self.next_post_id = 1
        self.next_target_id = 1
        self.counts: dict[str, int] = {}

    def insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        for i in range(0, len(rows), BATCH):
            self.conn.execute(insert(table), rows[i : i + BATCH])
        name = table.__tablename__
        self.counts[name] = self.counts.get(name, 0) + len(rows)

    def workspace(self, index: int, channels: int) -> tuple[int, str, list[int]]:
        tz = ZONES[index % len(ZONES)]
        name = f"Benchmark brand {index + 1}"
        ws_id = self.conn.execute(
            insert(Workspace).values(
                name=name,
                timezone=tz,
                color="#3367d6",
                description="Generated for benchmarks.",
                objectives="Grow engagement 10% per quarter.",
                kpi_targets={"engagement_rate": 0.04},
                week_start=0,
                default_post_time="09:00",
                is_demo=False,
                created_at=self.now - timedelta(days=400),
                updated_at=self.now,
            )
        ).inserted_primary_key[0]
        rows = [
            dict(
                workspace_id=ws_id,
                network=NETWORKS[i % len(NETWORKS)],
                name=f"Channel {i + 1}",
                handle=f"@brand{index + 1}_{i + 1}",
                base_url="https://social.example",
                credential_ref=f"bench:{index + 1}:{i + 1}",
                limits={"max_chars": 500},
                health="ok",
                health_detail="",
                color="",
                is_demo=False,
                removed_at=None,
                inbox_cursor=None,
                created_at=self.now - timedelta(days=400),
                updated_at=self.now,
            )
            for i in range(channels)
        ]
        self.insert(Channel, rows)
        ids = [
            cid
            for (cid,) in self.conn.exec_driver_sql(
                "SELECT id FROM channel WHERE workspace_id = ? ORDER BY id", (ws_id,)
            )
        ]
        return ws_id, tz, ids

    def campaigns(self, ws_id: int, start: date, days: int) -> list[tuple[int, int, int]]:
        """Campaign bands as (id, first day index, last day index)."""
        r = self.rng
        bands = []
        day = r.randint(0, 14)
        n = 0
        while day < days:
            length = r.randint(14, 42)
            n += 1
            cid = self.conn.execute(
                insert(Campaign).values(
                    workspace_id=ws_id,
                    name=f"Campaign {n}",
                    color="#8e44ad",
                    starts_on=start + timedelta(days=day),
                    ends_on=start + timedelta(days=day + length - 1),
                    objective="Launch and awareness.",
                    notes="",
                )
            ).inserted_primary_key[0]
            bands.append((cid, day, day + length - 1))
            self.counts["campaign"] = self.counts.get("campaign", 0) + 1
            day += length + r.randint(7, 30)
        return bands

    def labels(self, ws_id: int) -> tuple[list[int], list[int]]:
        rows = [dict(workspace_id=ws_id, kind="pillar", name=n, color="#16a085") for n in _PILLARS]
        rows += [dict(workspace_id=ws_id, kind="tag", name=n, color="#7f8c8d") for n in _TAGS]
        self.insert(Tag, rows)
        ids = dict(
            ((k, n), i)
            for i, k, n in self.conn.exec_driver_sql(
                "SELECT id, kind, name FROM tag WHERE workspace_id = ?", (ws_id,)
            )
        )
        return [ids["pillar", n] for n in _PILLARS], [ids["tag", n] for n in _TAGS]

    def posts(
        self,
        ws_id: int,
        tz: str,
        n: int,
        start: date,
        days: int,
        channel_ids: list[int],
        bands: list[tuple[int, int, int]],
        labels: tuple[list[int], list[int]],
    ) -> None:
        r = self.rng
        times = _times(r, n, start, days, ZoneInfo(tz))
        # Ids grow with creation time, which runs a few weeks ahead of the posting time.
        created = [
            min(self.now_ts, t - r.randint(3600, 45 * 86400))
            if t is not None
            else self.now_ts - r.randint(0, 120 * 86400)
            for t in times
        ]
        order = sorted(range(n), key=created.__getitem__)
        start_ts = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())
        posts, targets, tags, variants = [], [], [], []
        for i in order:
            pid = self.next_post_id
            self.next_post_id += 1
            row = self._post(pid, ws_id, times[i], created[i], start_ts, bands, labels)
            posts.append(row)
            tags += [dict(post_id=pid, tag_id=t) for t in r.sample(labels[1], r.randint(0, 3))]
            chosen = r.sample(
                channel_ids, min(len(channel_ids), r.choices((1, 2, 3), (4, 4, 2))[0])
            )
            targets += self._targets(pid, row, chosen)
            if len(chosen) > 1 and r.random() < 0.08:
                variants.append(
                    dict(
                        post_id=pid,
                        channel_id=chosen[-1],
                        text=row["text"][:200],
                        thread_parts=None,
                        media_ids=None,
                        options={"visibility": "public"},
                    )
                )
        self.insert(Post, posts)
        self.insert(Target, targets)
        self.insert(PostTag, tags)
        self.insert(Variant, variants)

    def _post(
        self,
        pid: int,
        ws_id: int,
        when: int | None,
        created: int,
        start_ts: int,
        bands: list[tuple[int, int, int]],
        labels: tuple[list[int], list[int]],
    ) -> dict[str, Any]:
        r = self.rng
        status = _post_status(r, when, self.now_ts)
        campaign = None
        if when is not None:
            day = (when - start_ts) // 86400
            band = next((b for b in bands if b[1] <= day <= b[2]), None)
            if band and r.random() < 0.6:
                campaign = band[0]
        published = when + r.randint(0, 90) if status == "published" and when else None
        updated = max(created, published or created)
        return dict(
            id=pid,
            workspace_id=ws_id,
            title=self.text.title(),
            text=self.text.body(),
            status=status,
            scheduled_at=_dt(when),
            campaign_id=campaign,
            pillar_id=r.choice(labels[0]) if r.random() < 0.7 else None,
            notes="Check the photo credits." if r.random() < 0.1 else "",
            author=r.choice(_AUTHORS),
            published_at=_dt(published),
            revision=r.randint(1, 6),
            created_at=_dt(created),
            updated_at=_dt(updated),
        )

    def _targets(
        self, pid: int, post: dict[str, Any], channel_ids: list[int]
    ) -> list[dict[str, Any]]:
        r = self.rng
        status = post["status"]
        rows = []
        for k, cid in enumerate(channel_ids):
            state = {
                "published": "published",
                "scheduled": "queued",
                "missed": "missed",
                "failed": "failed" if k == 0 else "published",
                "archived": "published" if r.random() < 0.5 else "cancelled",
            }.get(status, "pending")
            done = state == "published"
            when = post["scheduled_at"]
            published = (post["published_at"] or when) if done else None
            rows.append(
                dict(
                    id=self.next_target_id,
                    post_id=pid,
                    channel_id=cid,
                    state=state,
                    due_at=when if state in ("queued", "failed", "missed") else None,
                    remote_id=f"{cid}-{pid}" if done else None,
                    remote_url=f"https://social.example/@brand/{cid}{pid}" if done else None,
                    attempts=1 if done else 3 if state == "failed" else 0,
                    last_error="503 Service Unavailable (gave up)" if state == "failed" else "",
                    idempotency_token=f"{pid:08x}{cid:04x}" if state != "pending" else None,
                    payload={"text": post["text"]} if done or state == "failed" else None,
                    progress=None,
                    next_retry_at=None,
                    lease_owner=None,
                    lease_until=None,
                    published_at=published,
                    created_at=post["created_at"],
                    updated_at=post["updated_at"],
                )
            )
            self.next_target_id += 1
        return rows


def generate(
    db_url: str,
    posts: int = 100_000,
    channels: int = 8,
    workspaces: int = 1,
    start: date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
    seed: int = SEED,
) -> Generated:
    """Build a fresh plan in ``db_url`` (a path or URL to an empty or new database)."""
    t0 = time.perf_counter()
    url = normalize_url(db_url)
    db = open_database(url)
    now = fixed_now(start, days)
    info = Generated(url=url, now=now, start=start, days=days)
    rng = random.Random(seed)
    try:
        with db.engine.begin() as conn:
            if conn.exec_driver_sql("SELECT count(*) FROM workspace").scalar():
                raise SystemExit(f"{db.display_url} already holds a plan; give an empty database.")
            b = _Builder(conn, rng, now)
            for w in range(workspaces):
                ws_id, tz, channel_ids = b.workspace(w, channels)
                bands = b.campaigns(ws_id, start, days)
                labels = b.labels(ws_id)
                share = posts // workspaces + (1 if w < posts % workspaces else 0)
                b.posts(ws_id, tz, share, start, days, channel_ids, bands, labels)
                info.workspaces.append((ws_id, tz))
            info.counts = dict(b.counts)
        with db.engine.connect() as conn:
            if db.is_sqlite:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
    finally:
        db.dispose()
    info.seconds = time.perf_counter() - t0
    return info


def remove_sqlite(url: str) -> None:
    """Delete a SQLite database file and its WAL and shared-memory companions, if present."""
    path = sqlite_file(normalize_url(url))
    if path is None:
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--posts", type=int, default=100_000, help="posts in total (default 100000)")
    p.add_argument("--channels", type=int, default=8, help="channels per workspace (default 8)")
    p.add_argument("--workspaces", type=int, default=1)
    p.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="YYYY-MM-DD")
    p.add_argument("--days", type=int, default=DEFAULT_DAYS)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--out", required=True, help="SQLite file (replaced if it exists) or a URL")
    a = p.parse_args(argv)
    remove_sqlite(a.out)
    info = generate(a.out, a.posts, a.channels, a.workspaces, a.start, a.days, a.seed)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(info.counts.items()))
    print(
        f"{info.url}: {counts}; now fixed at {info.now:%Y-%m-%d %H:%M} UTC; "
        f"workspaces {info.workspaces}; {info.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
