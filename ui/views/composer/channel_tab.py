"""One channel's tab of the composer: its version of the text, its counter, problems and preview.

A channel posts the master text unless the person gives it its own text or makes it a thread.
Every change is checked at once by ``ctx.composer.check`` (pure and fast): the counter shows the
network's own count against the channel's limit ("287 / 300", red when over) and the problems
are listed under the text, with a button where cmdesk can fix them (shrink an image, split a
long text at sentence boundaries). For a published post, a line above the text shows the
latest engagement counts on this channel (:meth:`ChannelTab.set_engagement`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from cmdesk.autosave import VariantDraft
from cmdesk.bootstrap import AppContext
from cmdesk.dto import ChannelDTO, MediaDTO, MetricsDTO
from cmdesk.errors import UserError
from cmdesk.services.composer import ChannelCheck, ComposerProblem
from cmdesk.timeutil import utc_to_local
from ui.errors import show_error
from ui.views.composer.preview import PreviewPane
from ui.views.composer.thread_editor import OVER_STYLE, ThreadEditor, counter_text


class Mode(StrEnum):
    """Where a channel's text comes from."""

    MASTER = "master"
    OWN = "own"
    THREAD = "thread"


_MODE_LABELS = {
    Mode.MASTER: "Same as the main text",
    Mode.OWN: "Own text",
    Mode.THREAD: "Thread",
}


class ChannelTab(QWidget):
    """A channel's version of the post.

    Signals:
        changed(): this channel's text, mode or thread parts changed.
        resize_requested(int): the person asked to shrink this media id to fit the channel.
    """

    changed = Signal()
    resize_requested = Signal(int)

    def __init__(self, ctx: AppContext, channel: ChannelDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.channel = channel
        self.check: ChannelCheck | None = None
        self._master = ""
        self._shown_problems: tuple[ComposerProblem, ...] | None = None
        self._offer_split = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 8)
        outer.addWidget(self._build_editor())
        # The composer shows the preview in its own column, next to the texts, for the open tab.
        self.preview_area = self._build_preview()
        self._set_mode(Mode.MASTER)

    def _build_editor(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        modes = QHBoxLayout()
        self.modes = QButtonGroup(self)
        self.mode_buttons: dict[Mode, QRadioButton] = {}
        for mode in Mode:
            button = QRadioButton(_MODE_LABELS[mode])
            button.setAccessibleName(f"{self.channel.name}: {_MODE_LABELS[mode]}")
            button.toggled.connect(lambda on, mode=mode: self._toggled(mode, on))
            self.modes.addButton(button)
            self.mode_buttons[mode] = button
            modes.addWidget(button)
        modes.addStretch(1)
        self.counter = QLabel()
        self.counter.setAccessibleName(f"Length on {self.channel.name}")
        modes.addWidget(self.counter)
        layout.addLayout(modes)
        self.engagement = QLabel()
        self.engagement.setObjectName("channelEngagement")
        self.engagement.setAccessibleName(f"Engagement on {self.channel.name}")
        self.engagement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.engagement.hide()
        layout.addWidget(self.engagement)
        self.master_note = QLabel(
            "This channel posts the main text as it is. Choose Own text or Thread to adapt it."
        )
        self.master_note.setWordWrap(True)
        self.master_note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.master_note.setEnabled(False)
        layout.addWidget(self.master_note)
        self.own = QPlainTextEdit()
        self.own.setAccessibleName(f"Text for {self.channel.name}")
        self.own.setPlaceholderText(f"What {self.channel.name} posts instead of the main text")
        self.own.setTabChangesFocus(True)
        self.own.textChanged.connect(self._edited)
        layout.addWidget(self.own, 1)
        self.thread_editor = ThreadEditor()
        self.thread_editor.changed.connect(self._edited)
        self.thread_area = QScrollArea()
        self.thread_area.setWidgetResizable(True)
        self.thread_area.setWidget(self.thread_editor)
        layout.addWidget(self.thread_area, 1)
        self.problems = QVBoxLayout()
        layout.addLayout(self.problems)
        # Under the main text's note, spare height stays at the bottom, not between the lines.
        self._tail = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)
        layout.addItem(self._tail)
        self._editor_layout = layout
        return box

    def _build_preview(self) -> QScrollArea:
        self.preview = PreviewPane()
        area = QScrollArea()
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidgetResizable(True)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setWidget(self.preview)
        area.setAccessibleName(f"Preview on {self.channel.name}")
        return area

    # --- the variant -------------------------------------------------------------------------

    def mode(self) -> Mode:
        return next((m for m, b in self.mode_buttons.items() if b.isChecked()), Mode.MASTER)

    def parts(self) -> list[str]:
        """The texts this channel will post, as things stand."""
        mode = self.mode()
        if mode is Mode.THREAD:
            parts: list[str] = self.thread_editor.parts()
            return parts
        return [self.own.toPlainText() if mode is Mode.OWN else self._master]

    def variant(self) -> VariantDraft:
        mode = self.mode()
        if mode is Mode.THREAD:
            return VariantDraft(self.channel.id, None, tuple(self.thread_editor.parts()))
        if mode is Mode.OWN:
            return VariantDraft(self.channel.id, self.own.toPlainText(), None)
        return VariantDraft(self.channel.id, None, None)

    def set_variant(self, variant: VariantDraft | None) -> None:
        if variant is not None and variant.thread_parts:
            self.thread_editor.set_parts(variant.thread_parts)
            self.mode_buttons[Mode.THREAD].setChecked(True)
        elif variant is not None and variant.text is not None:
            self.own.setPlainText(variant.text)
            self.mode_buttons[Mode.OWN].setChecked(True)
        else:
            self.mode_buttons[Mode.MASTER].setChecked(True)

    def set_engagement(self, metrics: MetricsDTO | None, zone: str = "UTC") -> None:
        """Show this channel's latest counts of the published post (None: hide the line)."""
        if metrics is None:
            self.engagement.clear()
            self.engagement.hide()
            return
        local = utc_to_local(metrics.taken_at.astimezone(UTC), zone)
        self.engagement.setText(f"Engagement: {metrics.summary()}")
        self.engagement.setToolTip(f"Counted on {self.channel.name} at {local:%Y-%m-%d %H:%M}")
        self.engagement.show()

    def offer_split(self) -> None:
        """Turn this channel's text into a thread cut at sentence boundaries."""
        text = self.own.toPlainText() if self.mode() is Mode.OWN else self._master
        try:
            parts = self.ctx.composer.split(self.channel, text)
        except UserError as exc:
            show_error(self, exc)
            return
        self.thread_editor.set_parts(parts)
        self.mode_buttons[Mode.THREAD].setChecked(True)

    # --- checking ----------------------------------------------------------------------------

    def refresh(self, master: str, media: Sequence[MediaDTO]) -> ChannelCheck:
        """Check the channel's text as it stands and show the verdict."""
        self._master = master
        parts = self.parts()
        check = self.ctx.composer.check(self.channel, parts, media)
        self.check = check
        self.counter.setText(f"{counter_text(check.count, check.limit)} {check.unit}")
        self.counter.setToolTip(check.length_rule)
        self.counter.setStyleSheet(OVER_STYLE if check.over_limit else "")
        self.counter.setAccessibleDescription(
            "over the limit" if check.over_limit else "within the limit"
        )
        if self.mode() is Mode.THREAD:
            self.thread_editor.set_counts(check.part_counts, check.limit)
        offer = check.over_limit and check.threads and self.mode() is not Mode.THREAD
        self._show_problems(check.problems, offer)
        self.preview.show_parts(self.channel, parts, media)
        return check

    def problem_texts(self) -> list[str]:
        return [p.message for p in self.check.problems] if self.check else []

    def _show_problems(self, problems: tuple[ComposerProblem, ...], offer_split: bool) -> None:
        if problems == self._shown_problems and offer_split == self._offer_split:
            return  # rebuilt only when they change: typing must not churn widgets
        self._shown_problems, self._offer_split = problems, offer_split
        while self.problems.count():
            item = self.problems.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        for problem in problems:
            self.problems.addWidget(self._problem_row(problem))
        if offer_split:
            button = QPushButton("Split into a thread at sentence boundaries")
            button.setObjectName("splitOffer")
            button.setAccessibleName(f"Split the text for {self.channel.name} into a thread")
            button.clicked.connect(self.offer_split)
            self.problems.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)

    def _problem_row(self, problem: ComposerProblem) -> QWidget:
        row = QWidget()
        row.setObjectName("problemRow")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        icon = QLabel()
        pixmap = (
            QStyle.StandardPixmap.SP_MessageBoxCritical
            if problem.blocking
            else QStyle.StandardPixmap.SP_MessageBoxWarning
        )
        icon.setPixmap(self.style().standardIcon(pixmap).pixmap(16, 16))
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        label = QLabel(problem.message)
        label.setWordWrap(True)
        label.setStyleSheet("color: #d93025;" if problem.blocking else "color: #b06000;")
        label.setAccessibleName(
            ("Problem: " if problem.blocking else "Warning: ") + problem.message
        )
        layout.addWidget(label, 1)
        if problem.resizable and problem.media_id is not None:
            button = QPushButton("Resize")
            button.setAccessibleName("Resize the image to fit this channel")
            media_id = problem.media_id
            button.clicked.connect(lambda: self.resize_requested.emit(media_id))
            layout.addWidget(button)
        return row

    # --- plumbing ----------------------------------------------------------------------------

    def _toggled(self, mode: Mode, on: bool) -> None:
        if on:
            self._set_mode(mode)

    def _set_mode(self, mode: Mode) -> None:
        if not self.mode_buttons[mode].isChecked():
            self.mode_buttons[mode].setChecked(True)
            return  # the toggle calls back here
        if mode is Mode.OWN and not self.own.toPlainText():
            self.own.blockSignals(True)
            self.own.setPlainText(self._master)  # start from the main text, not from nothing
            self.own.blockSignals(False)
        if mode is Mode.THREAD and not any(self.thread_editor.parts()):
            self.thread_editor.blockSignals(True)
            self.thread_editor.set_parts([self._master])
            self.thread_editor.blockSignals(False)
        self.master_note.setVisible(mode is Mode.MASTER)
        self.own.setVisible(mode is Mode.OWN)
        self.thread_area.setVisible(mode is Mode.THREAD)
        grow = QSizePolicy.Policy.Expanding if mode is Mode.MASTER else QSizePolicy.Policy.Minimum
        self._tail.changeSize(0, 0, QSizePolicy.Policy.Minimum, grow)
        self._editor_layout.invalidate()
        self._edited()

    def _edited(self) -> None:
        self.changed.emit()
