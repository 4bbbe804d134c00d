"""What a calendar chip shows of a post: local time, status, campaign colour and channels.

Both calendar models (month, time grid) build their chips with one :class:`ChipMaker`, so a post
looks the same in every view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cmdesk.dto import ChannelDTO, PostSummary
from cmdesk.timeutil import utc_to_local

# A campaign created after the month was loaded has no known colour until the next reload; these
# stand in, distinct at a glance and stable per campaign id.
_FALLBACK_CAMPAIGN_COLORS = (
    "#d35400",
    "#27ae60",
    "#8e44ad",
    "#c0392b",
    "#16a085",
    "#2c3e50",
    "#b7950b",
    "#7f8c8d",
)

#: A channel without a colour of its own shows its network's.
NETWORK_COLORS = {
    "mastodon": "#6364ff",
    "bluesky": "#1185fe",
    "telegram": "#229ed9",
    "discord": "#5865f2",
}
DEFAULT_CHANNEL_COLOR = "#6b7785"


@dataclass(frozen=True, slots=True)
class ChannelGlyph:
    """What a chip shows of one of the post's channels: its network and colour."""

    network: str
    color: str
    name: str = ""

    @classmethod
    def of(cls, channel: ChannelDTO) -> ChannelGlyph:
        color = channel.color or NETWORK_COLORS.get(channel.network, DEFAULT_CHANNEL_COLOR)
        return cls(channel.network, color, channel.name)


@dataclass(frozen=True, slots=True)
class PostChip:
    """A post as a calendar cell shows it: local time, label, status, campaign and channels."""

    post: PostSummary
    local_time: str  # HH:MM in the workspace's zone
    campaign_color: str | None  # "#rrggbb", or None outside any campaign
    channels: tuple[ChannelGlyph, ...] = ()
    series: str = ""  # "↻ Every Monday at 09:00" for an occurrence of a series (else "")


class ChipMaker:
    """Builds chips in one zone with the workspace's campaign colours and channels."""

    def __init__(self, time_zone: str) -> None:
        self.time_zone = time_zone
        self.campaign_colors: dict[int, str] = {}
        self.channels: dict[int, ChannelGlyph] = {}
        #: Recurring and evergreen occurrences by post id: their mark and rule (``ctx.series``).
        self.series_marks: dict[int, str] = {}

    def chip(self, post: PostSummary) -> PostChip:
        assert post.scheduled_at is not None  # only posts with a time reach the grid
        local = utc_to_local(post.scheduled_at, self.time_zone)
        color = None
        if post.campaign_id is not None:
            color = self.campaign_colors.get(post.campaign_id) or fallback_campaign_color(
                post.campaign_id
            )
        glyphs = tuple(self.channels[c] for c in post.channel_ids if c in self.channels)
        mark = self.series_marks.get(post.id, "")
        if mark:  # the chip's label starts with the ↻ or ♻ of its series
            post = replace(post, title=f"{mark[:1]} {post.label}")
        return PostChip(post, f"{local:%H:%M}", color, glyphs, mark)


def fallback_campaign_color(campaign_id: int) -> str:
    return _FALLBACK_CAMPAIGN_COLORS[campaign_id % len(_FALLBACK_CAMPAIGN_COLORS)]
