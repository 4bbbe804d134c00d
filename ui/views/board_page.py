"""The Board page: one column per status; dragging a card to a column changes its status.

Only moves the workflow allows are performed (``cmdesk.status``); while dragging, the columns that
would refuse are dimmed, and a refused drop says why at the drop point. Every change goes through
``PlanActions``, so it can be undone. The filter bar narrows what each column loads; the page
remembers each workspace's filter for the session.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, PostSummary, WorkspaceDTO
from cmdesk.events import ChangeSet
from cmdesk.status import PostStatus
from cmdesk.timeutil import utc_to_local
from ui.actions import PlanActions
from ui.errors import show_error
from ui.feedback import show_refusal
from ui.models.board import BoardModel, BoardRole
from ui.models.board_data import BOARD_STATUSES, PER_COLUMN, load_board
from ui.views.board_column import BoardColumn, BoardColumnView
from ui.views.page import PlanPage
from ui.views.post_filter_bar import PostFilterBar
from ui.views.post_menu import build_post_menu, run_action

_RELEVANT = {"post", "channel", "campaign", "tag", "workspace", "series"}


class BoardPage(PlanPage):
    """Columns of cards by status (see the module docstring).

    Signals (from PlanPage):
        edit_requested(int): open the composer on this post.
        new_post_requested(object): not emitted by the board.
    """

    title = "Board"

    def __init__(
        self, ctx: AppContext, actions: PlanActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("boardPage")
        self.setAccessibleName("Board")
        self.ctx = ctx
        self.plan_actions = actions
        self.per_column = PER_COLUMN
        self.model = BoardModel(self)
        self.model.mover = self._move
        self.model.drop_refused.connect(self._explain_refusal)
        self._filters: dict[int, PostFilter] = {}
        #: Columns the person asked to see more of (until the workspace or the filter changes).
        self._limits: dict[PostStatus, int] = {}
        self._anchor: tuple[QWidget, QPoint] = (self, QPoint(0, 0))
        self._follow: tuple[PostStatus, tuple[int, ...]] | None = None
        self.filter_bar = PostFilterBar(with_status=False, parent=self)
        self.filter_bar.filter_changed.connect(self._filter_changed)
        self.hint = QLabel(
            "Drag a card to another column to change its status. "
            "Keyboard: Ctrl+Shift+Left/Right moves the selected cards.",
            self,
        )
        self.hint.setWordWrap(True)
        self.columns: dict[PostStatus, BoardColumn] = {}
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self._make_columns())
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAccessibleName("Board columns")
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.hint)
        layout.addWidget(self.scroll_area, 1)

    def _make_columns(self) -> QWidget:
        strip = QWidget(self)
        row = QHBoxLayout(strip)
        row.setContentsMargins(0, 0, 0, 0)
        for status in BOARD_STATUSES:
            column = BoardColumn(self.model, status, strip)
            column.more_requested.connect(self.show_more)
            self._wire(column.view)
            self.columns[status] = column
            row.addWidget(column)
        row.addStretch(1)
        return strip

    def _wire(self, view: BoardColumnView) -> None:
        view.open_requested.connect(self.edit_requested.emit)
        view.delete_requested.connect(lambda: self._delete(view))
        view.move_requested.connect(lambda step: self.move_selection(view, step))
        view.focus_step.connect(lambda step: self._focus_column(view, step))
        view.menu_requested.connect(lambda pos: self._menu(view, pos))
        view.dropped_at.connect(lambda pos: self._set_anchor(view.viewport(), pos))

    # --- PlanPage --------------------------------------------------------------------------

    def relevant(self, changes: ChangeSet) -> bool:
        return any(
            kind in _RELEVANT for kind, _ in changes.created | changes.updated | changes.deleted
        )

    def reload(self) -> None:
        ws = self.workspace
        if ws is None:
            self.model.set_columns({})
            return
        keep = self._selection()
        try:
            channels = self.ctx.channels.list(ws.id)
            campaigns = self.ctx.plan.list_campaigns(ws.id)
            self.filter_bar.set_zone(ws.timezone)
            self.filter_bar.set_options(channels, campaigns, self.ctx.plan.list_tags(ws.id))
            f = self._filters[ws.id] = self.filter_bar.show_filter(self.current_filter())
            board = load_board(self.ctx, ws.id, f, per_column=self.per_column, limits=self._limits)
            marks = self.ctx.series.marks(ws.id)  # ↻ repeating and ♻ evergreen posts
        except Exception as exc:  # the one error path; the old board stays
            show_error(self, exc)
            return
        year = utc_to_local(self.ctx.clock.now(), ws.timezone).year
        self.model.set_context(ws.id, ws.timezone, channels, campaigns, this_year=year)
        self.model.set_series_marks(marks)
        self.model.set_columns(board)
        self._restore(keep)

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        self._limits.clear()
        super().set_workspace(workspace)

    def show_more(self, status: PostStatus) -> None:
        """Load ``per_column`` more cards into one column."""
        self._limits[status] = self._limits.get(status, self.per_column) + self.per_column
        self.refresh()

    def current_filter(self) -> PostFilter:
        ws = self.workspace
        return self._filters.get(ws.id, PostFilter()) if ws is not None else PostFilter()

    # --- actions ---------------------------------------------------------------------------

    def _move(self, post_ids: Sequence[int], status: PostStatus) -> None:
        if len(post_ids) == 1:
            self.plan_actions.change_status(post_ids[0], status)
        else:
            self.plan_actions.change_status_many(post_ids, status)
        self._follow = (status, tuple(post_ids))

    def move_selection(self, view: BoardColumnView, step: int) -> bool:
        """Move the selected cards of ``view`` to the next (+1) or previous (-1) column."""
        ids = view.selected_ids()
        i = BOARD_STATUSES.index(view.status) + step
        if not ids or not 0 <= i < len(BOARD_STATUSES):
            return False
        current = view.currentIndex()
        rect = view.visualRect(current) if current.isValid() else view.viewport().rect()
        self._set_anchor(view.viewport(), rect.center())
        return self.model.move_posts(ids, BOARD_STATUSES[i])

    def _delete(self, view: BoardColumnView) -> None:
        ids = view.selected_ids()
        if ids:
            run_action(self, lambda: self.plan_actions.delete(ids))

    def _menu(self, view: BoardColumnView, pos: QPoint) -> None:
        index = view.indexAt(pos)
        if not index.isValid():
            return
        if not view.selectionModel().isSelected(index):
            view.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            view.setCurrentIndex(index)
        posts: list[PostSummary] = [
            i.data(BoardRole.SUMMARY) for i in view.selectionModel().selectedIndexes()
        ]
        posts.sort(key=lambda p: p.id != index.data(BoardRole.POST_ID))
        menu = build_post_menu(self, posts, self.plan_actions, self.edit_requested.emit)
        menu.popup(view.viewport().mapToGlobal(pos))

    def _set_anchor(self, widget: QWidget, pos: QPoint) -> None:
        self._anchor = (widget, pos)

    def _explain_refusal(self, message: str) -> None:
        widget, pos = self._anchor
        show_refusal(widget, pos, message)

    def _filter_changed(self, f: PostFilter) -> None:
        ws = self.workspace
        if ws is None:
            return
        self._filters[ws.id] = f
        self._limits.clear()
        self.refresh()

    # --- selection and focus ---------------------------------------------------------------

    def _focus_column(self, view: BoardColumnView, step: int) -> None:
        i = BOARD_STATUSES.index(view.status) + step
        if 0 <= i < len(BOARD_STATUSES):
            target = self.columns[BOARD_STATUSES[i]].view
            self._focus(
                target,
                min(view.currentIndex().row(), target.model().rowCount(target.rootIndex()) - 1),
            )

    def _focus(self, view: BoardColumnView, row: int) -> None:
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        index = view.model().index(max(row, 0), 0, view.rootIndex())
        if index.isValid():
            view.setCurrentIndex(index)
            view.scrollTo(index)
        self.scroll_area.ensureWidgetVisible(self.columns[view.status])

    def _selection(self) -> tuple[PostStatus, tuple[int, ...]] | None:
        if self._follow is not None:
            follow, self._follow = self._follow, None
            return follow
        for status, column in self.columns.items():
            if column.view.hasFocus() and column.view.selected_ids():
                return status, tuple(column.view.selected_ids())
        return None

    def _restore(self, keep: tuple[PostStatus, tuple[int, ...]] | None) -> None:
        if keep is None:
            return
        status, ids = keep
        view = self.columns[status].view
        flags = QItemSelectionModel.SelectionFlag.Select
        first = None
        for pid in ids:
            index = self.model.card_index(pid)
            if index.isValid() and index.parent() == view.rootIndex():
                view.selectionModel().select(index, flags)
                first = first or index
        if first is not None:
            view.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            view.scrollTo(first)
            view.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll_area.ensureWidgetVisible(self.columns[status])
