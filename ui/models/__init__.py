"""Item models of the UI: one source model per view family, with roles as an ``IntEnum``.

Views never read services themselves: a window loads DTOs and hands them to a model, and proxies
(filters, sorting) sit between a source model and the views that need them.
"""

from ui.models.month import CalendarRole, MonthModel, MonthPeriod, PostChip

__all__ = ["CalendarRole", "MonthModel", "MonthPeriod", "PostChip"]
