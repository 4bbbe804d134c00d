"""``cmdesk post list`` gives each published post's latest engagement counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from cmdesk.bootstrap import build_context
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.models import MetricSnapshot, Post, Target
from cmdesk.status import TargetState
from tests.core.test_cli import run


def test_post_list_json_has_the_latest_counts(tmp_path: Path) -> None:
    db = tmp_path / "plan.sqlite3"
    ctx = build_context(f"sqlite:///{db}", credentials=MemoryCredentialStore())
    try:
        ctx.demo.create_demo()
        ws = ctx.workspaces.list()[0]
        with ctx.db.session() as s:
            target = s.scalars(
                select(Target)
                .join(Post, Post.id == Target.post_id)
                .where(Target.state == TargetState.PUBLISHED.value, Post.workspace_id == ws.id)
                .order_by(Target.id)
                .limit(1)
            ).one()
            pid, cid = target.post_id, target.channel_id
            old = datetime(2026, 1, 1, tzinfo=UTC)
            new = datetime(2026, 1, 2, tzinfo=UTC)
            s.add(MetricSnapshot(target_id=target.id, taken_at=old, likes=1, reposts=0, replies=0))
            s.add(MetricSnapshot(target_id=target.id, taken_at=new, likes=12, reposts=3, replies=2))
    finally:
        ctx.close()
    out = run("--db", str(db), "--json", "post", "list", "--workspace", ws.name, data=tmp_path)
    assert out.returncode == 0, out.stderr
    posts = {p["id"]: p for p in json.loads(out.stdout)}
    counted = posts[pid]["engagement"]
    assert (counted["likes"], counted["reposts"], counted["replies"]) == (12, 3, 2)
    assert counted["by_channel"][str(cid)]["likes"] == 12
    assert counted["taken_at"].startswith("2026-01-02")
    assert all(p["engagement"] is None for i, p in posts.items() if i != pid)
    text = run("--db", str(db), "post", "list", "--workspace", ws.name, data=tmp_path)
    assert "engagement: 12 likes · 3 reposts · 2 replies" in text.stdout
