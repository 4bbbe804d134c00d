"""The demo shows the planning tools at work: posting slots on every channel, ideas in the bin."""

from __future__ import annotations

from cmdesk.bootstrap import AppContext


def test_the_demo_gives_every_channel_posting_slots_and_fills_the_ideas_bin(
    ctx: AppContext,
) -> None:
    ctx.demo.create_demo()
    for ws in ctx.workspaces.list():
        channels = ctx.channels.list(ws.id)
        assert channels
        assert ctx.queues.channels_with_slots([c.id for c in channels]) == {c.id for c in channels}
        assert ctx.ideas.list_ideas(ws.id).total >= 3
