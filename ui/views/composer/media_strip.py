"""The composer's attachments: thumbnails, Attach (file dialog or dropped files), alt text.

Files are copied into the media library as soon as they are attached (``ctx.media.add_file``),
so a post never depends on the original file staying where it was. Alt text is written to the
library when the person leaves the description field (it belongs to the picture, for every post
that uses it). Files that cannot be attached say why and leave the others attached.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QIcon, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import MediaDTO
from cmdesk.errors import UserError
from ui.errors import show_error
from ui.feedback import show_refusal

THUMB = 72
FILE_FILTER = "Images and videos (*.png *.jpg *.jpeg *.gif *.webp *.mp4);;All files (*)"
_STYLE = """
#dropZone { border: 1px dashed rgba(128, 128, 128, 0.55); border-radius: 6px; }
#dropZone[dragging="true"] { border: 1px solid palette(highlight);
    background: rgba(26, 115, 232, 0.08); }
#dropZone QListWidget { background: transparent; }
"""


class MediaStrip(QFrame):
    """Attached media of a post, in order.

    Signals:
        changed(): media were attached, removed, replaced or described.
    """

    changed = Signal()

    def __init__(self, ctx: AppContext, workspace_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.workspace_id = workspace_id
        self._media: list[MediaDTO] = []
        self.setAcceptDrops(True)
        self.setObjectName("dropZone")
        self.setStyleSheet(_STYLE)
        self.setProperty("dragging", False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setFlow(QListWidget.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setFixedHeight(THUMB + 30)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setAccessibleName("Attached media")
        self.list.setAcceptDrops(False)  # drops land on the strip itself
        self.list.currentRowChanged.connect(self._selected)
        layout.addWidget(self.list)
        layout.addLayout(self._build_row())
        self._show_empty(True)  # one line until the first file: thumbnails appear with it
        self._selected(-1)

    def _build_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.attach = QPushButton("Attach…")
        self.attach.setAccessibleName("Attach images or a video")
        self.attach.clicked.connect(self.choose_files)
        self.hint = QLabel("Drop images or a video here, or use Attach…")
        self.hint.setEnabled(False)
        self.remove = QPushButton("Remove")
        self.remove.setAccessibleName("Remove the selected attachment")
        self.remove.clicked.connect(self.remove_selected)
        self.alt_label = QLabel("Alt text:")
        self.alt = QLineEdit()
        self.alt.setPlaceholderText("Describe the selected image for people who cannot see it")
        self.alt.setAccessibleName("Alt text of the selected image")
        self.alt.editingFinished.connect(self.commit_alt_text)
        self.alt_label.setBuddy(self.alt)
        row.addWidget(self.attach)
        row.addWidget(self.hint, 1)
        row.addWidget(self.remove)
        row.addWidget(self.alt_label)
        row.addWidget(self.alt, 1)
        return row

    # --- the attachments -------------------------------------------------------------------

    def media(self) -> list[MediaDTO]:
        return list(self._media)

    def media_ids(self) -> tuple[int, ...]:
        return tuple(m.id for m in self._media)

    def set_media(self, media: Sequence[MediaDTO]) -> None:
        self._media = list(media)
        self._rebuild()

    def add_files(self, paths: Sequence[str]) -> list[str]:
        """Attach files; returns the reasons of those refused (each also shown)."""
        refused: list[str] = []
        for path in paths:
            try:
                dto = self.ctx.media.add_file(self.workspace_id, path)
            except UserError as exc:
                refused.append(exc.message)
                continue
            if dto.id not in self.media_ids():
                self._media.append(dto)
        self._rebuild()
        if refused:
            show_error(self, UserError("\n".join(refused)))
        return refused

    def replace(self, old_id: int, new: MediaDTO) -> None:
        self._media = [new if m.id == old_id else m for m in self._media]
        self._rebuild()

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Attach media", "", FILE_FILTER)
        if paths:
            self.add_files(paths)

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._media):
            del self._media[row]
            self._rebuild()

    def commit_alt_text(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self._media):
            return
        text = self.alt.text().strip()
        if text == self._media[row].alt_text:
            return
        try:
            self._media[row] = self.ctx.composer.set_alt_text(self._media[row].id, text)
        except UserError as exc:
            show_error(self, exc)
            return
        self._rebuild(keep_row=row)

    # --- drops -------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
            self._set_dragging(True)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_dragging(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_dragging(False)
        urls = event.mimeData().urls()
        local = [u.toLocalFile() for u in urls if u.isLocalFile()]
        if not local:
            show_refusal(
                self,
                event.position().toPoint(),
                "Only files on this computer can be attached; save the image first.",
            )
            return
        event.acceptProposedAction()
        self.add_files(local)

    # --- plumbing ----------------------------------------------------------------------------

    def _rebuild(self, keep_row: int | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        ratio = self.devicePixelRatioF()
        for item in self._media:
            entry = QListWidgetItem(_icon(item, ratio), Path(item.original_name).name[:14])
            tip = item.alt_text or "No description yet"
            entry.setToolTip(f"{item.original_name}: {tip}")
            self.list.addItem(entry)
        self.list.blockSignals(False)
        row = keep_row if keep_row is not None else len(self._media) - 1
        self.list.setCurrentRow(row)
        self._selected(self.list.currentRow())
        self._show_empty(not self._media)
        self.changed.emit()

    def _show_empty(self, empty: bool) -> None:
        self.list.setVisible(not empty)
        self.hint.setVisible(empty)
        for widget in (self.remove, self.alt_label, self.alt):
            widget.setVisible(not empty)

    def _set_dragging(self, on: bool) -> None:
        self.setProperty("dragging", on)
        self.style().unpolish(self)
        self.style().polish(self)

    def _selected(self, row: int) -> None:
        valid = 0 <= row < len(self._media)
        self.alt.setEnabled(valid)
        self.remove.setEnabled(valid)
        self.alt.setText(self._media[row].alt_text if valid else "")


def _icon(media: MediaDTO, ratio: float) -> QIcon:
    pixmap = QPixmap(media.path)
    if pixmap.isNull():
        return QIcon()
    side = round(THUMB * ratio)
    scaled = pixmap.scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    scaled.setDevicePixelRatio(ratio)
    return QIcon(scaled)
