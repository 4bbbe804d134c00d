"""Changing the rule of a recurring series from one of its posts in the composer.

The form opens on the series' rule (as a custom RRULE from the series' first date); after OK and a
confirmation the future occurrences follow the new rule (``ctx.series.change_rule``). This is not
an undo step: the confirmation says so.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.planning.recurrence import RecurrenceInput, parse_key, wall_instant
from cmdesk.planning.series_dto import SeriesDTO
from ui.errors import show_error
from ui.views.composer.repeat_panel import RepeatDialog, RepeatPanel


def explain_series(parent: QWidget, series: SeriesDTO) -> bool:
    """Say which series a post belongs to; True when the person asks to change its rule."""
    box = QMessageBox(parent)
    box.setWindowTitle("Repeat")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText(f"This post is one of a series: {series.description}.")
    box.setInformativeText(
        "Saving asks whether a change is for this post only or for the following ones too. "
        "To stop the series, right-click the post in the calendar."
    )
    change = None
    if series.kind == "recurring":
        change = box.addButton("Change the rule…", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    return change is not None and box.clickedButton() is change


def change_rule(
    parent: QWidget, ctx: AppContext, workspace: WorkspaceDTO, series: SeriesDTO
) -> bool:
    """Ask for a new rule and apply it; True when the series changed."""
    panel = RepeatPanel(ctx, workspace)
    panel.set_start(wall_instant(parse_key(series.starts_local), workspace.timezone))
    panel.set_mode("custom")
    panel.rrule.setText(series.rrule)
    dialog = RepeatDialog(panel, parent)
    dialog.setWindowTitle("Change the rule of the series")
    if dialog.exec() != RepeatDialog.DialogCode.Accepted:
        return False
    try:
        rule = panel.request()
        if not isinstance(rule, RecurrenceInput):
            raise UserError(
                "To stop the series, right-click one of its posts in the calendar and choose "
                "Stop repeating."
            )
        answer = QMessageBox.question(
            parent,
            "Change the rule",
            "Future posts of this series that the new rule no longer has go to the trash "
            "(those you edited or moved on their own stay), and the new dates are added. "
            "This cannot be undone. Change the rule?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        ctx.series.change_rule(series.id, rule)
    except UserError as exc:
        show_error(parent, exc)
        return False
    return True
