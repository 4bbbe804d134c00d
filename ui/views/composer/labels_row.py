"""The composer's labels: the post's campaign, its content pillar and its tags.

One row under the channels: a campaign list ("No campaign" first), a pillar list ("No pillar"
first) and a Tags button whose menu ticks tags on and off (the button names the ticked ones).
The choices go into the saved ``PostInput`` (:func:`ui.views.composer.state.content_of`).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QMenu, QSizePolicy, QToolButton, QWidget

from cmdesk.dto import CampaignDTO, PostDetail, TagDTO


class LabelsRow(QWidget):
    """Campaign, pillar and tags of the post being composed.

    Signals:
        changed(): a choice changed (the composer marks itself dirty).
    """

    changed = Signal()

    def __init__(
        self,
        campaigns: Sequence[CampaignDTO],
        labels: Sequence[TagDTO],
        post: PostDetail | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.campaign = QComboBox(self)
        self.campaign.setAccessibleName("Campaign")
        self.campaign.setToolTip("The campaign this post belongs to")
        self.campaign.addItem("No campaign", None)
        for c in campaigns:
            self.campaign.addItem(c.name, c.id)
        self.pillar = QComboBox(self)
        self.pillar.setAccessibleName("Content pillar")
        self.pillar.setToolTip("The content pillar (theme) of this post")
        self.pillar.addItem("No pillar", None)
        for t in labels:
            if t.kind == "pillar":
                self.pillar.addItem(t.name, t.id)
        self._build_tags(labels)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.campaign, 2)
        row.addWidget(self.pillar, 2)
        row.addWidget(self.tags_button, 3)
        self._show(post)
        self.campaign.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.pillar.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def _build_tags(self, labels: Sequence[TagDTO]) -> None:
        self.tags_button = QToolButton(self)
        self.tags_button.setAccessibleName("Tags")
        self.tags_button.setToolTip("Tick the tags of this post")
        self.tags_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.tags_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.tags_menu = QMenu(self.tags_button)
        self.tag_actions: dict[int, QAction] = {}
        for t in labels:
            if t.kind == "tag":
                action = self.tags_menu.addAction(t.name)
                action.setCheckable(True)
                action.toggled.connect(self._tags_toggled)
                self.tag_actions[t.id] = action
        if not self.tag_actions:
            self.tags_menu.addAction("No tags yet: add them on the Campaigns page").setEnabled(
                False
            )
        self.tags_button.setMenu(self.tags_menu)

    def _show(self, post: PostDetail | None) -> None:
        if post is not None:
            # A label removed meanwhile is not offered: the post is saved without it.
            self.campaign.setCurrentIndex(max(0, self.campaign.findData(post.campaign_id)))
            self.pillar.setCurrentIndex(max(0, self.pillar.findData(post.pillar_id)))
            for tid, action in self.tag_actions.items():
                action.blockSignals(True)
                action.setChecked(tid in post.tag_ids)
                action.blockSignals(False)
        self._name_tags()

    def campaign_id(self) -> int | None:
        value = self.campaign.currentData()
        return value if isinstance(value, int) else None

    def pillar_id(self) -> int | None:
        value = self.pillar.currentData()
        return value if isinstance(value, int) else None

    def tag_ids(self) -> tuple[int, ...]:
        return tuple(sorted(tid for tid, a in self.tag_actions.items() if a.isChecked()))

    def _tags_toggled(self, _on: bool) -> None:
        self._name_tags()
        self.changed.emit()

    def _name_tags(self) -> None:
        names = [a.text() for a in self.tag_actions.values() if a.isChecked()]
        self.tags_button.setText(f"Tags: {', '.join(names)}" if names else "No tags")
