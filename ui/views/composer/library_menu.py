"""The composer's "# Hashtags" and "Templates" buttons: insert a saved group or template.

Each button opens a menu of the workspace's entries with a preview (a search field on top when
the list is long; Return takes the first match). Ctrl+Shift+H and Ctrl+Shift+T open them from
the keyboard. The chosen text goes in at the cursor of the text box last focused in the composer
(the main text, a channel's own text or a thread part), replacing a selection, as one step of
that box's undo (Ctrl+Z takes it out again), with a space on either side where the neighbouring
text needs one (a template glued to a link would break the link). A template's placeholders are
filled (:mod:`cmdesk.library.templates`, the campaign as chosen in the composer's labels row);
a placeholder left as typed is pointed out next to the cursor.

Each group shows its length counted the way the network of the box's channel counts (for the
main text, the channel of the open tab), and is marked when inserting it would take that text
over the channel's limit. The text is then checked by the composer like typed text.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QStyle,
    QTabWidget,
    QToolButton,
    QToolTip,
    QWidget,
    QWidgetAction,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import ChannelDTO, PostDetail, WorkspaceDTO
from cmdesk.library.dto import HashtagGroupDTO, SnippetDTO
from cmdesk.library.templates import FilledTemplate, TemplateValues, fill_template, first_link
from cmdesk.timeutil import utc_to_local
from ui.views.composer.channel_tab import ChannelTab, Mode
from ui.views.composer.schedule import SchedulePicker

#: A search field is shown above the entries from this many on.
SEARCH_FROM = 8
PREVIEW_CHARS = 48
NOTICE_MS = 8000


class ComposerHost(Protocol):
    """What the buttons need of the composer window (``ComposerDialog`` has all of it)."""

    ctx: AppContext
    workspace: WorkspaceDTO
    post: PostDetail | None
    master: QPlainTextEdit
    title: QLineEdit
    tabs: QTabWidget
    schedule: SchedulePicker
    tabs_by_channel: dict[int, ChannelTab]


def insert_at_cursor(editor: QPlainTextEdit, text: str, *, spaced: bool = False) -> None:
    """Put ``text`` at ``editor``'s cursor (over its selection) as one undo step.

    ``spaced`` adds a space before and after where the neighbouring characters are not already
    white space, so "#a #b" never glues onto a word.
    """
    cursor = editor.textCursor()
    if spaced:
        document = editor.document()
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        before = document.characterAt(start - 1) if start > 0 else ""
        after = document.characterAt(end) if end < document.characterCount() - 1 else ""
        if before and not before.isspace():
            text = " " + text
        if after and not after.isspace() and after != "\u2029":
            text = text + " "
    cursor.beginEditBlock()
    cursor.insertText(text)
    cursor.endEditBlock()
    editor.setTextCursor(cursor)


class LibraryButtons(QWidget):
    """The two menu buttons above the composer's main text, and their shortcuts.

    Signals: none (the composer's own text boxes report the change as typing does).
    """

    def __init__(self, host: ComposerHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A weak link: a strong one would tie the dialog's Python object to this one in a
        # cycle that outlives the dialog's deletion until the collector runs.
        self._host_ref = weakref.ref(host)
        self.last_notice = ""
        self._last_editor: QPlainTextEdit | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.hashtag_button = self._button("# Hashtags", "Ctrl+Shift+H", "Insert a hashtag group")
        self.template_button = self._button("Templates", "Ctrl+Shift+T", "Insert a template")
        self.hashtag_menu = self._menu(self.hashtag_button, "Hashtag groups", self._fill_groups)
        self.template_menu = self._menu(self.template_button, "Templates", self._fill_snippets)
        row.addWidget(self.hashtag_button)
        row.addWidget(self.template_button)
        row.addStretch(1)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    @property
    def host(self) -> ComposerHost:
        target = self._host_ref()
        if target is None:
            raise RuntimeError("the composer is gone")
        return target

    def _button(self, label: str, keys: str, what: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(label)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the cursor where it was
        button.setToolTip(f"{what} at the cursor ({keys})")
        button.setAccessibleName(what)
        window = self.host if isinstance(self.host, QWidget) else self
        shortcut = QShortcut(QKeySequence(keys), window)
        shortcut.activated.connect(lambda: button.showMenu())  # looked up late: tests replace it
        return button

    def _menu(self, button: QToolButton, title: str, fill: Callable[[], None]) -> QMenu:
        menu = QMenu(title, button)
        menu.setAccessibleName(title)
        menu.setToolTipsVisible(True)
        menu.aboutToShow.connect(fill)
        button.setMenu(menu)
        return menu

    # --- where the text goes -----------------------------------------------------------------

    def editors(self) -> list[tuple[QPlainTextEdit, ChannelTab | None]]:
        """Every text box of the composer a text can go into, with the tab it belongs to."""
        found: list[tuple[QPlainTextEdit, ChannelTab | None]] = [(self.host.master, None)]
        for tab in self.host.tabs_by_channel.values():
            found.append((tab.own, tab))
            for index in range(len(tab.thread_editor.parts())):
                found.append((tab.thread_editor.editor(index), tab))
        return found

    def target(self) -> tuple[QPlainTextEdit, ChannelDTO | None]:
        """The box the text goes into (focused, else last focused, else the main text)."""
        boxes = self.editors()
        focused = QApplication.focusWidget()
        for wanted in (focused, self._last_editor):
            for editor, tab in boxes:
                if editor is wanted and _shown(editor, self.window()):
                    return editor, tab.channel if tab else self._open_channel()
        return self.host.master, self._open_channel()

    def _open_channel(self) -> ChannelDTO | None:
        """The channel the main text is measured for: the open tab's, if it posts the main text.

        Otherwise the first tab that does (a channel with its own text ignores the main text).
        """
        tabs = self.host.tabs
        shown = [tabs.widget(i) for i in range(tabs.count())]
        current = tabs.currentWidget()
        ordered = [current, *shown]
        for tab in ordered:
            if isinstance(tab, ChannelTab) and tab.mode() is Mode.MASTER:
                return tab.channel
        return current.channel if isinstance(current, ChannelTab) else None

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # Only boxes of this composer: other windows' editors (and their focus) are not ours.
        if not isinstance(new, QPlainTextEdit) or new.window() is not self.window():
            return
        if any(new is e for e, _ in self.editors()):
            self._last_editor = new

    # --- the menus ---------------------------------------------------------------------------

    def _fill_groups(self) -> None:
        menu = self.hashtag_menu
        menu.clear()
        groups = self.host.ctx.library.list_groups(self.host.workspace.id)
        editor, channel = self.target()
        entries = [self._group_action(g, editor, channel) for g in groups]
        self._finish(menu, entries, "No hashtag groups yet")

    def _fill_snippets(self) -> None:
        menu = self.template_menu
        menu.clear()
        snippets = self.host.ctx.library.list_snippets(self.host.workspace.id)
        entries = [self._snippet_action(s) for s in snippets]
        self._finish(menu, entries, "No templates yet")

    def _group_action(
        self, group: HashtagGroupDTO, editor: QPlainTextEdit, channel: ChannelDTO | None
    ) -> QAction:
        action = QAction(self.hashtag_menu)  # deleted by the menu's clear() on the next opening
        label = f"{group.name}  ·  {_elide(group.text)}"
        tip = group.text
        if channel is not None:
            composer = self.host.ctx.composer
            own = composer.check(channel, [group.text])
            label += f"   ({own.count} {own.unit})"
            after = composer.check(channel, [_with_inserted(editor, group.text)])
            if after.over_limit:
                label += f"   — too long for {channel.name}"
                tip += f"\n\nWould make the text {after.count} / {after.limit} on {channel.name}."
                action.setIcon(
                    self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                )
            action.setData(after.over_limit)
        action.setText(label.replace("&", "&&"))
        action.setToolTip(tip)
        action.triggered.connect(lambda: self.insert_group(group))
        return action

    def _snippet_action(self, snippet: SnippetDTO) -> QAction:
        action = QAction(self.template_menu)
        first = next((line for line in snippet.text.splitlines() if line.strip()), "")
        action.setText(f"{snippet.name}  ·  {_elide(first)}".replace("&", "&&"))
        tip = snippet.text
        if snippet.unknown_placeholders:
            tip += "\n\nInserted as typed: " + ", ".join(snippet.unknown_placeholders)
        action.setToolTip(tip)
        action.triggered.connect(lambda: self.insert_snippet(snippet))
        return action

    def _finish(self, menu: QMenu, entries: list[QAction], empty: str) -> None:
        if len(entries) >= SEARCH_FROM:
            menu.addAction(self._search(menu, entries))
        for action in entries:
            menu.addAction(action)
        if not entries:
            placeholder = menu.addAction(empty)
            placeholder.setEnabled(False)
        menu.addSeparator()
        manage = menu.addAction("Manage…")
        manage.setToolTip("Add, edit, delete and reorder hashtag groups and templates")
        manage.triggered.connect(self.manage)

    def _search(self, menu: QMenu, entries: list[QAction]) -> QWidgetAction:
        field = QLineEdit()
        field.setPlaceholderText("Search…")
        field.setAccessibleName(f"Search {menu.title().lower()}")
        field.setClearButtonEnabled(True)

        def apply(text: str) -> None:
            words = text.casefold().split()
            for action in entries:
                haystack = (action.text() + " " + action.toolTip()).casefold()
                action.setVisible(all(w in haystack for w in words))

        def first() -> None:
            shown = next((a for a in entries if a.isVisible()), None)
            if shown is not None:
                menu.close()
                shown.trigger()

        field.textChanged.connect(apply)
        field.returnPressed.connect(first)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(field)
        # Once the menu is up (this runs while it opens), so that typing filters at once.
        QTimer.singleShot(0, field, field.setFocus)
        return holder

    # --- inserting ---------------------------------------------------------------------------

    def insert_group(self, group: HashtagGroupDTO) -> None:
        editor, _channel = self.target()
        insert_at_cursor(editor, group.text, spaced=True)
        editor.setFocus()

    def insert_snippet(self, snippet: SnippetDTO) -> None:
        editor, _channel = self.target()
        filled = self.fill(snippet.text)
        insert_at_cursor(editor, filled.text, spaced=True)
        editor.setFocus()
        self.last_notice = filled.notice()
        if self.last_notice:
            spot = editor.viewport().mapToGlobal(editor.cursorRect().bottomLeft())
            QToolTip.showText(spot, self.last_notice, editor, QRect(), NOTICE_MS)
        editor.setAccessibleDescription(self.last_notice)

    def fill(self, text: str) -> FilledTemplate:
        """``text`` with the placeholders filled from the post as it stands in the composer."""
        host = self.host
        when = host.schedule.value()
        # The labels row (when the composer has one) holds the campaign as chosen, maybe unsaved.
        labels = getattr(host, "labels", None)
        campaign_id = labels.campaign_id() if labels is not None else None
        if labels is None and host.post is not None:
            campaign_id = host.post.campaign_id
        campaign = None
        if campaign_id is not None:
            names = {c.id: c.name for c in host.ctx.plan.list_campaigns(host.workspace.id)}
            campaign = names.get(campaign_id)
        values = TemplateValues(
            when=utc_to_local(when, host.workspace.timezone) if when else None,
            campaign=campaign,
            link=first_link(host.master.toPlainText()),
            brand=host.workspace.name,
            title=host.title.text().strip() or None,
        )
        return fill_template(text, values)

    def manage(self) -> None:
        from ui.views.library_dialog import open_library

        open_library(self.window(), self.host.ctx, self.host.workspace)


def _with_inserted(editor: QPlainTextEdit, text: str) -> str:
    """``editor``'s text as it would be with ``text`` inserted at its cursor, spaced."""
    cursor = editor.textCursor()
    current = editor.toPlainText()
    start, end = cursor.selectionStart(), cursor.selectionEnd()
    before, after = current[:start], current[end:]
    if before and not before[-1].isspace():
        text = " " + text
    if after and not after[0].isspace():
        text += " "
    return before + text + after


def _shown(widget: QWidget, window: QWidget) -> bool:
    """Whether nothing between ``widget`` and ``window`` is hidden (another tab, another mode).

    Not ``isVisibleTo``: a thread part just added is not shown until the next layout pass.
    """
    current: QWidget | None = widget
    while current is not None and current is not window:
        explicit = current.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
        if current.isHidden() and explicit:
            return False
        current = current.parentWidget()
    return True


def _elide(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"
