"""The Campaigns page: the workspace's campaigns with their progress, an editor, pillars and tags.

Left, the campaigns as cards (colour, name, dates, objective, where the campaign stands, a bar of
published posts out of its posts); right, the editor of the picked campaign (or of a new one,
Alt+N). Below, the content pillars and tags with their colours and post counts
(:mod:`ui.views.labels_panel`). A double click or Enter on a campaign, or "Show on calendar", asks
the window to show the calendar filtered on it (``show_campaign_requested``).

Campaign and label edits are not plan edits of posts, so they are not on the undo stack: a delete
asks first, and a campaign's or label's posts always stay in the plan.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.campaigns.dto import CampaignStats
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.timeutil import utc_to_local
from ui.delegates.campaign_card import CampaignCardDelegate
from ui.errors import show_error
from ui.models.campaigns import CampaignListModel, CampaignRole
from ui.views.campaign_editor import CampaignEditor
from ui.views.labels_panel import LabelsPanel
from ui.views.page import PlanPage

RELEVANT_KINDS = {"campaign", "tag", "post", "workspace"}
EMPTY_TEXT = "No campaigns yet: fill in the form on the right to plan the first one."


class CampaignList(QListView):
    """The campaign cards.

    Signals:
        open_requested(QModelIndex): Enter on a card (what a double click does too). Qt's own
            ``activated`` is not used: on single-click desktops it would fire on every pick.
    """

    open_requested = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class CampaignsPage(PlanPage):
    """Campaigns, pillars and tags of the workspace (see the module docstring).

    Signals (besides those of PlanPage):
        show_campaign_requested(int): show the calendar filtered on this campaign id.
    """

    show_campaign_requested = Signal(int)
    title = "Campaigns"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("campaignsPage")
        self.setAccessibleName("Campaigns")
        self.ctx = ctx
        self.model = CampaignListModel(self)
        self.list = CampaignList(self)
        self.list.setObjectName("campaignList")
        self.list.setAccessibleName("Campaigns")
        self.list.setModel(self.model)
        self.list.setItemDelegate(CampaignCardDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setToolTip("Double-click or press Enter to see the campaign on the calendar")
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setObjectName("emptyHint")
        self.empty.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setObjectName("pageSubtitle")
        self.summary.setAccessibleName("Campaigns summary")
        self.new_button = QPushButton("&New campaign", self)
        self.new_button.setAccessibleName("New campaign")
        # Alt+N (the mnemonic): Ctrl+N is the window's "new post".
        self.new_button.setToolTip("Plan a new campaign (Alt+N)")
        self.editor = CampaignEditor(self)
        self.labels = LabelsPanel(ctx, self)
        self._lay_out()
        self._connect()

    def _lay_out(self) -> None:
        title = QLabel("Campaigns", self)
        title.setObjectName("pageTitle")
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(12)
        head.addWidget(self.summary)
        head.addStretch(1)
        head.addWidget(self.new_button)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.empty)
        column.addWidget(self.list, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(self.editor)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(head)
        layout.addWidget(split, 3)
        layout.addWidget(self.labels, 2)

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.new_campaign)
        self.list.selectionModel().currentChanged.connect(self._picked)
        self.list.open_requested.connect(self._activated)
        self.list.doubleClicked.connect(self._activated)
        self.editor.save_requested.connect(self.save)
        self.editor.delete_requested.connect(self.delete_campaign)
        self.editor.calendar_requested.connect(self.show_campaign_requested)
        self.labels.changed.connect(self.refresh)

    # --- PlanPage --------------------------------------------------------------------------

    def relevant(self, changes: ChangeSet) -> bool:
        return any(changes.ids(kind) for kind in RELEVANT_KINDS)

    def reload(self) -> None:
        ws = self.workspace
        if ws is None:
            self.model.set_rows([], self.ctx.clock.now().date())
            self.labels.set_rows(0, [])
            self._show_counts()
            return
        try:
            campaigns = self.ctx.campaigns.list_campaigns(ws.id)
            labels = self.ctx.campaigns.list_labels(ws.id)
        except UserError as exc:
            show_error(self, exc)
            return
        keep = self.editor.campaign_id
        today = utc_to_local(self.ctx.clock.now(), ws.timezone).date()
        with_blocked = self.list.selectionModel().blockSignals(True)
        try:
            self.model.set_rows(campaigns, today)
            row = self.model.row_of(keep) if keep is not None else -1
            if row >= 0:
                self.list.setCurrentIndex(self.model.index(row))
        finally:
            self.list.selectionModel().blockSignals(with_blocked)
        if keep is not None and row < 0:
            self.editor.show_campaign(None)  # removed elsewhere
        self.labels.set_rows(ws.id, labels)
        self._show_counts()

    # --- actions ---------------------------------------------------------------------------

    def new_campaign(self) -> None:
        self.list.clearSelection()
        self.list.setCurrentIndex(QModelIndex())
        self.editor.show_campaign(None)
        self.editor.name.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def select_campaign(self, campaign_id: int) -> None:
        row = self.model.row_of(campaign_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))

    def save(self) -> None:
        """Create or update the campaign in the editor; a refusal stays in the form."""
        ws = self.workspace
        if ws is None:
            return
        data = self.editor.value()
        try:
            if self.editor.campaign_id is None:
                cid = self.ctx.campaigns.create_campaign(ws.id, data).subject
            else:
                cid = self.ctx.campaigns.update_campaign(self.editor.campaign_id, data).subject
            assert cid is not None
            saved = self.ctx.campaigns.get_campaign(cid)
        except UserError as exc:
            self.editor.show_problem(exc.message)
            return
        self.editor.show_campaign(saved)
        self.refresh()
        self.select_campaign(saved.id)

    def delete_campaign(self, campaign_id: int) -> None:
        row = self.model.row_of(campaign_id)
        if row < 0:
            return
        stats = self.model.rows()[row]
        text = (
            f"Delete the campaign “{stats.campaign.name}”? Its {stats.posts} posts stay in the "
            "plan, without a campaign."
        )
        if not self.labels.asker.confirm("Delete campaign", text):
            return
        try:
            self.ctx.campaigns.delete_campaign(campaign_id)
        except UserError as exc:
            show_error(self, exc)
            return
        self.editor.show_campaign(None)
        self.refresh()

    # --- internals -------------------------------------------------------------------------

    def _picked(self, current: QModelIndex) -> None:
        stats = current.data(CampaignRole.STATS) if current.isValid() else None
        if isinstance(stats, CampaignStats):
            self.editor.show_campaign(stats.campaign)

    def _activated(self, index: QModelIndex) -> None:
        cid = index.data(CampaignRole.ID)
        if isinstance(cid, int):
            self.show_campaign_requested.emit(cid)

    def _show_counts(self) -> None:
        rows = self.model.rows()
        running = sum(1 for i in range(len(rows)) if self._phase(i).startswith(("Running", "Last")))
        self.summary.setText(
            f"{len(rows)} campaign{'s' if len(rows) != 1 else ''} · {running} running"
            if rows
            else ""
        )
        self.empty.setVisible(not rows)

    def _phase(self, row: int) -> str:
        return str(self.model.index(row).data(CampaignRole.PHASE) or "")
