"""The List page: every post matching a filter, in a sortable table, with actions on a selection.

The filter bar (text, channel, status, campaign, tag, date range) goes to the plan service; the
table sorts what came back by any column. Several posts can be selected (Shift/Ctrl click,
Ctrl+A) and given a status, archived or deleted at once, each as one undo step. Double click or
Enter opens a post; Delete deletes the selection; the context menu has the calendar's actions.
Filters are remembered per workspace for the session.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, PostSummary, WorkspaceDTO
from cmdesk.events import ChangeSet
from cmdesk.status import PostStatus
from ui.actions import PlanActions
from ui.errors import show_error
from ui.models.post_table import PostColumn, PostSortProxy, PostTableModel, PostTableRole
from ui.views.page import PlanPage
from ui.views.post_filter_bar import PostFilterBar
from ui.views.post_menu import allowed_statuses, build_post_menu, run_action

#: More rows than this are not loaded; the page asks for a narrower filter instead.
MAX_ROWS = 20_000
_RELEVANT = {"post", "channel", "campaign", "tag", "workspace", "metric_snapshot", "series"}


class PostTableView(QTableView):
    """The table of posts.

    Signals:
        enter_pressed(): Enter or Return: open the current post.
        delete_pressed(): Delete: delete the selection.
    """

    enter_pressed = Signal()
    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
        elif event.key() == Qt.Key.Key_Delete:
            self.delete_pressed.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()


class ListPage(PlanPage):
    """The sortable, filterable table of posts (see the module docstring).

    Signals (from PlanPage):
        edit_requested(int): open the composer on this post.
        new_post_requested(object): not emitted by the list.
    """

    title = "List"

    def __init__(
        self, ctx: AppContext, actions: PlanActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("listPage")
        self.setAccessibleName("List of posts")
        self.ctx = ctx
        self.plan_actions = actions
        self._filters: dict[int, PostFilter] = {}
        # A new workspace or filter opens at today, not at the oldest post of the plan.
        self._to_today = True
        self._today_pending = False
        self.model = PostTableModel(self)
        self.proxy = PostSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter_bar = PostFilterBar(with_status=True, parent=self)
        self.filter_bar.filter_changed.connect(self._filter_changed)
        self.table = self._make_table()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("listCount")
        self.status_button = QPushButton("Change status", self)
        self.status_button.setAccessibleName("Change the status of the selected posts")
        self.status_button.setMenu(QMenu(self.status_button))
        self.archive_button = QPushButton("Archive", self)
        self.archive_button.setAccessibleName("Archive the selected posts")
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setAccessibleName("Delete the selected posts")
        self.archive_button.clicked.connect(lambda: self.change_status(PostStatus.ARCHIVED))
        self.delete_button.clicked.connect(self.delete_selected)
        bar = QHBoxLayout()
        bar.addWidget(self.count_label, 1)
        for w in (self.status_button, self.archive_button, self.delete_button):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self._update_buttons()

    def _make_table(self) -> PostTableView:
        table = PostTableView(self)
        table.setObjectName("postTable")
        table.setAccessibleName("Posts")
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(PostColumn.WHEN, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setDragEnabled(True)
        table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(PostColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(PostColumn.STATUS, 110)
        header.resizeSection(PostColumn.WHEN, 150)
        header.resizeSection(PostColumn.CHANNELS, 240)
        header.resizeSection(PostColumn.CAMPAIGN, 200)
        header.resizeSection(PostColumn.ENGAGEMENT, 320)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._menu)
        table.doubleClicked.connect(self._open)
        table.enter_pressed.connect(lambda: self._open(table.currentIndex()))
        table.delete_pressed.connect(self.delete_selected)
        table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        table.verticalScrollBar().rangeChanged.connect(lambda *_: self._scroll_to_today())
        return table

    # --- PlanPage --------------------------------------------------------------------------

    def relevant(self, changes: ChangeSet) -> bool:
        pools = changes.created | changes.updated | changes.deleted
        return any(kind in _RELEVANT for kind, _ in pools)

    def reload(self) -> None:
        ws = self.workspace
        if ws is None:
            self.model.set_posts(())
            self._update_buttons()
            return
        keep = self.selected_ids()
        f = self.current_filter()
        try:
            channels = self.ctx.channels.list(ws.id)
            campaigns = self.ctx.plan.list_campaigns(ws.id)
            self.filter_bar.set_zone(ws.timezone)
            self.filter_bar.set_options(channels, campaigns, self.ctx.plan.list_tags(ws.id))
            f = self._filters[ws.id] = self.filter_bar.show_filter(f)
            posts = self.ctx.plan.list_posts(ws.id, f, limit=MAX_ROWS + 1)
            # One query for the counts of the published rows; the others have none.
            published = [p.id for p in posts[:MAX_ROWS] if p.status == PostStatus.PUBLISHED]
            engagement = self.ctx.metrics.latest(published)
            marks = self.ctx.series.marks(ws.id)  # ↻ repeating and ♻ evergreen posts
        except Exception as exc:  # the one error path; the old rows stay
            show_error(self, exc)
            return
        self.model.set_context(ws.id, ws.timezone, channels, campaigns)
        self.model.set_series_marks(marks)
        self.model.set_posts(posts[:MAX_ROWS])
        self.model.set_engagement(engagement)
        self._set_count(len(posts), f)
        self.select_ids(keep)
        if self._to_today and not keep:
            self._today_pending = True
            self._scroll_to_today()
        self._to_today = False
        self._update_buttons()

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        self._to_today = True
        super().set_workspace(workspace)

    def show_attention(self) -> None:
        """Show only the posts that need the person (the status bar's attention link)."""
        self.show_filter(PostFilter(needs_attention=True))

    def show_filter(self, f: PostFilter) -> None:
        """Show the posts ``f`` selects (the bar then shows ``f`` too)."""
        self._filter_changed(f)

    def current_filter(self) -> PostFilter:
        ws = self.workspace
        return self._filters.get(ws.id, PostFilter()) if ws is not None else PostFilter()

    # --- selection -------------------------------------------------------------------------

    def selected_posts(self) -> list[PostSummary]:
        rows = self.table.selectionModel().selectedRows(PostColumn.TITLE)
        rows.sort(key=lambda i: i.row())
        return [i.data(PostTableRole.SUMMARY) for i in rows]

    def selected_ids(self) -> list[int]:
        return [p.id for p in self.selected_posts()]

    def select_ids(self, post_ids: list[int]) -> None:
        selection = QItemSelection()
        last = self.proxy.columnCount() - 1
        first: QModelIndex | None = None
        for pid in post_ids:
            row = self.model.row_of(pid)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            selection.select(index, index.siblingAtColumn(last))
            first = first or index
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.table.selectionModel().select(selection, flags)
        if first is not None:
            self.table.selectionModel().setCurrentIndex(
                first, QItemSelectionModel.SelectionFlag.NoUpdate
            )
            self.table.scrollTo(first)

    # --- actions ---------------------------------------------------------------------------

    def change_status(self, status: PostStatus) -> bool:
        """Give every selected post ``status`` as one undo step."""
        ids = self.selected_ids()
        if not ids:
            return False
        return run_action(self, lambda: self.plan_actions.change_status_many(ids, status))

    def delete_selected(self) -> bool:
        ids = self.selected_ids()
        if not ids:
            return False
        return run_action(self, lambda: self.plan_actions.delete(ids))

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_requested.emit(int(index.data(PostTableRole.POST_ID)))

    def _menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        if not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.table.selectRow(index.row())
        posts = self.selected_posts()
        posts.sort(key=lambda p: p.id != index.data(PostTableRole.POST_ID))
        menu = build_post_menu(self, posts, self.plan_actions, self.edit_requested.emit)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _scroll_to_today(self) -> None:
        """Show the first post from now on at the top, when the table is in time order."""
        if not self._today_pending or self.table.verticalScrollBar().maximum() == 0:
            # A table shown for the first time has no height yet: wait for its scroll range.
            return
        self._today_pending = False
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() != PostColumn.WHEN:
            return
        now = self.ctx.clock.now()
        upcoming = [p for p in self.model.posts() if p.scheduled_at and p.scheduled_at >= now]
        if not upcoming:
            return
        first = min(upcoming, key=lambda p: (p.scheduled_at, p.id))
        hint = QAbstractItemView.ScrollHint.PositionAtTop
        if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder:
            hint = QAbstractItemView.ScrollHint.PositionAtBottom  # the future is above
        row = self.model.row_of(first.id)
        if row is not None:
            self.table.scrollTo(self.proxy.mapFromSource(self.model.index(row, 0)), hint)

    def _update_buttons(self) -> None:
        posts = self.selected_posts()
        allowed = allowed_statuses(posts)
        menu = self.status_button.menu()
        menu.clear()
        for status in allowed:
            act = menu.addAction(status.label)
            act.triggered.connect(lambda _=False, s=status: self.change_status(s))
        self.status_button.setEnabled(bool(allowed))
        self.archive_button.setEnabled(PostStatus.ARCHIVED in allowed)
        self.delete_button.setEnabled(bool(posts))
        n = len(posts)
        self.delete_button.setText(f"Delete {n}" if n > 1 else "Delete")

    def _set_count(self, found: int, f: PostFilter) -> None:
        if found > MAX_ROWS:
            text = f"Showing the first {MAX_ROWS:,} posts; narrow the filter to see the rest."
        else:
            filtered = not f.is_empty() or f.start is not None or f.end is not None
            text = f"{found:,} posts" + (" match the filter" if filtered else "")
        self.count_label.setText(text)

    def _filter_changed(self, f: PostFilter) -> None:
        ws = self.workspace
        if ws is None:
            return
        self._filters[ws.id] = f
        self._to_today = True
        self.refresh()
