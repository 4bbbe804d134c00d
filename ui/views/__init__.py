"""Views of the plan: the calendar now; board, composer, inbox, reports and settings later."""

from ui.views.month_view import MonthGrid, MonthView, month_title

__all__ = ["MonthGrid", "MonthView", "month_title"]
