"""Short messages shown where the person acted: a refused drop explains itself at the drop point.

A modal dialog for "you cannot move a published post" would be heavier than the mistake; a
tool-tip-like bubble at the pointer is what the hand and the eye are already on. The last message
is kept on :data:`last_refusal` so tests can read it without reading the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QToolTip, QWidget

#: The last message shown by :func:`show_refusal` (for tests and accessibility tools).
last_refusal: list[str] = []

REFUSAL_MS = 6000


def show_refusal(widget: QWidget, pos: QPoint, message: str) -> None:
    """Show ``message`` next to ``pos`` (in ``widget``'s coordinates) for a few seconds."""
    last_refusal[:] = [message]
    global_pos = widget.mapToGlobal(pos)
    QToolTip.showText(global_pos, message, widget, QRect(), REFUSAL_MS)
    widget.setAccessibleDescription(message)
