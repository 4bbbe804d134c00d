"""Painting of calendar cells, post cards and chips."""

from ui.delegates.day_cell import STATUS_COLORS, ChipLayout, DayCellDelegate, layout_chips

__all__ = ["STATUS_COLORS", "ChipLayout", "DayCellDelegate", "layout_chips"]
