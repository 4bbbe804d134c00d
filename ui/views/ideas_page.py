"""The Ideas page: the ideas bin (typed-in ideas and feed entries) and the feeds that fill it.

The bin is apart from posts in the "Idea" status (those are posts being planned): an idea is a
title, notes and a link worth a post some day. Left, the ideas as cards, newest first, filtered by
state (new by default), source (a feed, or typed in) and words; "Show more" reads the next page.
Right, the selected idea (its link opens in the web browser only when clicked) above the Feeds
panel (:mod:`ui.views.ideas_feeds`).

Keys: Ctrl+Shift+N a new idea (the window keeps Ctrl+N for a new post), Enter or F2 edits the
selected idea, Ctrl+Return makes it a draft and opens it in the composer, Delete discards
(Undo brings it back), Ctrl+F searches. Ideas drag onto the calendar (each becomes a draft there).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.planning.ideas_dto import IdeaDTO, IdeaFilter, IdeaState
from ui.actions import PlanActions
from ui.errors import show_error
from ui.models.idea_drops import make_draft, set_ideas_state
from ui.models.ideas import IdeasModel
from ui.tasks import TaskRunner
from ui.views.idea_dialog import IdeaDialog
from ui.views.ideas_layout import IdeasPageLayout
from ui.views.page import PlanPage

PAGE_SIZE = 200
RELEVANT_KINDS = ("idea", "feed", "workspace")
STATE_CHOICES: tuple[tuple[str, frozenset[IdeaState]], ...] = (
    ("New", frozenset({IdeaState.NEW})),
    ("Used", frozenset({IdeaState.USED})),
    ("Discarded", frozenset({IdeaState.DISCARDED})),
    ("All", frozenset()),
)
#: Runs the idea dialog; returns whether it saved (replaced in tests).
DialogRunner = Callable[[IdeaDialog], bool]


def run_dialog(dialog: IdeaDialog) -> bool:
    return bool(dialog.exec())


class IdeasPage(PlanPage, IdeasPageLayout):
    """The ideas bin and its feeds (see the module docstring).

    Signals: those of :class:`~ui.views.page.PlanPage`; ``edit_requested(post_id)`` opens the
    composer on a draft just made from an idea.
    """

    title = "Ideas"

    def __init__(
        self,
        ctx: AppContext,
        actions: PlanActions,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ideasPage")
        self.setAccessibleName("Ideas")
        self.ctx = ctx
        self.plan_actions = actions
        self.runner = runner
        self.open_url = open_url
        self.run_dialog: DialogRunner = run_dialog
        self.model = IdeasModel(self)
        self._limit = PAGE_SIZE
        self.build(ctx, runner, self.model, [label for label, _ in STATE_CHOICES])
        self._connect()

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.new_idea)
        self.edit_button.clicked.connect(self.edit_selected)
        self.draft_button.clicked.connect(self.draft_selected)
        self.discard_button.clicked.connect(self.discard_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.more_button.clicked.connect(self.show_more)
        self.state_combo.currentIndexChanged.connect(lambda _i: self._filter_changed())
        self.source_combo.currentIndexChanged.connect(lambda _i: self._filter_changed())
        self.search_edit.textChanged.connect(lambda _t: self._filter_changed())
        self.ideas_list.activated_idea.connect(lambda _id: self.edit_selected())
        self.ideas_list.draft_requested.connect(lambda _id: self.draft_selected())
        self.ideas_list.discard_requested.connect(self.discard_selected)
        self.ideas_list.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.detail.anchorClicked.connect(self._link_clicked)
        self.model.modelReset.connect(self._show_selected)
        # The page's own feed actions show at once, with or without the window's bridge.
        self.feeds_panel.changed.connect(self.refresh)

    # --- PlanPage ---------------------------------------------------------------------------

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        self._limit = PAGE_SIZE
        self.feeds_panel.workspace = workspace
        super().set_workspace(workspace)

    def relevant(self, changes: ChangeSet) -> bool:
        return any(changes.ids(kind) for kind in RELEVANT_KINDS)

    def reload(self) -> None:
        try:
            self.feeds_panel.reload()
            self._load_sources()
            self._load_ideas()
        except UserError as exc:
            show_error(self, exc)

    # --- reading ------------------------------------------------------------------------------

    def current_filter(self) -> IdeaFilter:
        states = STATE_CHOICES[max(0, self.state_combo.currentIndex())][1]
        source = self.source_combo.currentData()
        return IdeaFilter(
            states=states,
            feed_id=source if isinstance(source, int) else None,
            text=self.search_edit.text(),
        )

    def _load_ideas(self) -> None:
        ws = self.workspace
        if ws is None:
            self.model.set_ideas(0, [])
        else:
            page = self.ctx.ideas.list_ideas(ws.id, self.current_filter(), limit=self._limit)
            self.model.set_ideas(ws.id, page.items, timezone=ws.timezone, total=page.total)
        self._update_counts()

    def _load_sources(self) -> None:
        chosen = self.source_combo.currentData()
        feeds = self.feeds_panel.feeds()
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        self.source_combo.addItem("All sources", None)
        self.source_combo.addItem("Typed in", 0)
        for feed in feeds:
            self.source_combo.addItem(feed.label, feed.id)
        found = self.source_combo.findData(chosen)
        self.source_combo.setCurrentIndex(found if found >= 0 else 0)
        self.source_combo.blockSignals(False)

    def _filter_changed(self) -> None:
        self._limit = PAGE_SIZE
        if self.workspace is not None:
            self._load_ideas()

    def show_more(self) -> None:
        self._limit += PAGE_SIZE
        self._load_ideas()

    def _update_counts(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        self.count_label.setText(f"{total} idea{'s' if total != 1 else ''}")
        self.more_button.setVisible(total > shown)
        self.empty_label.setVisible(total == 0)
        self.new_button.setEnabled(self.workspace is not None)

    def selected_ideas(self) -> list[IdeaDTO]:
        rows = sorted(i.row() for i in self.ideas_list.selectionModel().selectedRows())
        ideas = [self.model.ideas()[r] for r in rows if r < self.model.rowCount()]
        if not ideas:
            current = self.model.idea_at(self.ideas_list.currentIndex())
            ideas = [current] if current is not None else []
        return ideas

    def select_idea(self, idea_id: int) -> bool:
        row = self.model.row_of(idea_id)
        if row >= 0:
            self.ideas_list.setCurrentIndex(self.model.index(row))
        return row >= 0

    def _show_selected(self) -> None:
        ideas = self.selected_ideas()
        self.show_detail(ideas[0] if len(ideas) == 1 else None, len(ideas), self.model)
        one = len(ideas) == 1
        self.edit_button.setEnabled(one)
        self.draft_button.setEnabled(one and ideas[0].state is not IdeaState.USED)
        self.discard_button.setEnabled(any(i.state is not IdeaState.DISCARDED for i in ideas))
        self.restore_button.setEnabled(any(i.state is not IdeaState.NEW for i in ideas))

    def _link_clicked(self, url: QUrl) -> None:
        # Only links the person clicks, and only to the web.
        if url.scheme() in ("http", "https"):
            self.open_url(url)

    # --- actions -----------------------------------------------------------------------------

    def new_idea(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        dialog = IdeaDialog(lambda t, x, link: self.ctx.ideas.add(ws.id, t, x, link), None, self)
        if self.run_dialog(dialog) and dialog.saved_id is not None:
            self.refresh()
            self.select_idea(dialog.saved_id)

    def edit_selected(self) -> None:
        ideas = self.selected_ideas()
        if len(ideas) != 1:
            return
        idea = ideas[0]

        def save(title: str, text: str, link: str) -> int:
            self.ctx.ideas.edit(idea.id, title, text, link)
            return idea.id

        dialog = IdeaDialog(save, idea, self)
        if self.run_dialog(dialog):
            self.refresh()
            self.select_idea(idea.id)

    def draft_selected(self) -> None:
        """Make the selected idea a draft and open it in the composer."""
        ideas = self.selected_ideas()
        if len(ideas) != 1:
            return
        try:
            post_id = make_draft(self.plan_actions, ideas[0].id)
        except UserError as exc:
            show_error(self, exc)
            return
        self.refresh()
        self.edit_requested.emit(post_id)

    def discard_selected(self) -> None:
        self._set_state(IdeaState.DISCARDED)

    def restore_selected(self) -> None:
        self._set_state(IdeaState.NEW)

    def _set_state(self, state: IdeaState) -> None:
        ideas = [i for i in self.selected_ideas() if i.state is not state]
        if not ideas:
            return
        row = self.ideas_list.currentIndex().row()
        try:
            set_ideas_state(self.plan_actions, ideas, state)
        except UserError as exc:
            show_error(self, exc)
        self.refresh()
        if self.model.rowCount():
            self.ideas_list.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1)))
