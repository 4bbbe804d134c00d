"""The Mastodon dialog: sign in through the browser, or paste the code the server shows.

Two steps. First the server address: "Sign in in the browser" (or "Paste the code instead")
checks that it is a Mastodon server, starts a listener on 127.0.0.1 and registers cmdesk there,
all on the task runner. Then the dialog waits, also on the runner, for the browser to come back
to the listener, while offering the paste path: the page where the server shows a code, and a
field for that code (or for the whole address the browser ended on). Cancel stops the listener.
Opening the browser goes through an injected callable, so tests do it themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.dto import ChannelDTO
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.services.signin import MastodonSignIn, SignInService
from ui.tasks import TaskRunner
from ui.views.channel_dialogs import ChannelDialog, line_edit

UrlOpener = Callable[[str], bool]


def open_in_browser(url: str) -> bool:
    """The default opener: the desktop's browser."""
    return bool(QDesktopServices.openUrl(QUrl(url)))


class MastodonDialog(ChannelDialog):
    """Add a Mastodon account, or sign a channel in again, through the browser."""

    def __init__(
        self,
        runner: TaskRunner,
        signin: SignInService,
        workspace_id: int,
        channel: ChannelDTO | None = None,
        parent: QWidget | None = None,
        *,
        open_url: UrlOpener = open_in_browser,
        timeout: float = 300.0,
    ) -> None:
        super().__init__(runner, signin, workspace_id, channel, parent)
        self.open_url = open_url
        self.timeout = timeout
        self.flow: MastodonSignIn | None = None
        self.paste_requested = False
        self.setWindowTitle("Reconnect Mastodon" if channel else "Add a Mastodon account")
        self.setAccessibleName(self.windowTitle())
        self.server_edit = line_edit("Server", "e.g. mastodon.social")
        self.name_edit = line_edit("Channel name", "e.g. Harbor · Mastodon (default: the server)")
        self.form.addRow("&Server:", self.server_edit)
        if channel is None:
            self.form.addRow("&Name:", self.name_edit)
        else:
            self.server_edit.setText(channel.base_url)
            self.server_edit.setReadOnly(True)
        self.body.addWidget(self._build_waiting_panel())
        self.browser_button = self.add_action_button("Sign in in the &browser", "Sign in")
        self.browser_button.setDefault(True)
        self.browser_button.clicked.connect(lambda: self.begin(paste=False))
        self.paste_button = self.add_action_button("&Paste the code instead", "Paste instead")
        self.paste_button.clicked.connect(lambda: self.begin(paste=True))
        self.server_edit.setFocus()

    def _build_waiting_panel(self) -> QFrame:
        """What shows while cmdesk waits: the browser's page again, and the paste path."""
        self.waiting_panel = QFrame()
        self.waiting_panel.setObjectName("waitingPanel")
        self.waiting_panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.waiting_panel.setAccessibleName("Waiting for the sign-in")
        self.browser_hint = _wrapped("")
        self.reopen_button = QPushButton("&Open the sign-in page")
        self.reopen_button.setAccessibleName("Open the sign-in page")
        self.reopen_button.clicked.connect(self._reopen)
        self.copy_url_button = QPushButton("Copy its address")
        self.copy_url_button.setAccessibleName("Copy the address of the sign-in page")
        self.copy_url_button.clicked.connect(lambda: self._copy(paste=False))
        paste_title = QLabel("<b>Or paste the code instead</b>")
        self.paste_hint = _wrapped(
            "If the browser cannot come back to cmdesk (it runs on another computer, or it "
            "shows an error page), open the page that shows a code, approve cmdesk there, then "
            "paste the code, or the whole address the browser ended on."
        )
        self.oob_button = QPushButton("Open the page that shows the &code")
        self.oob_button.setAccessibleName("Open the page that shows the code")
        self.oob_button.clicked.connect(self._open_oob)
        self.copy_button = QPushButton("Cop&y its address")
        self.copy_button.setAccessibleName("Copy the address of the page that shows the code")
        self.copy_button.clicked.connect(lambda: self._copy(paste=True))
        self.code_edit = line_edit("Sign-in code", "the code, or the address the browser ended on")
        self.code_edit.returnPressed.connect(self.submit_code)
        code_label = QLabel("Co&de:")
        code_label.setBuddy(self.code_edit)
        self.use_code_button = QPushButton("&Use this code")
        self.use_code_button.setAccessibleName("Use this code")
        self.use_code_button.clicked.connect(self.submit_code)
        layout = QVBoxLayout(self.waiting_panel)
        layout.addWidget(self.browser_hint)
        layout.addLayout(_row(self.reopen_button, self.copy_url_button))
        layout.addSpacing(8)
        layout.addWidget(paste_title)
        layout.addWidget(self.paste_hint)
        layout.addLayout(_row(self.oob_button, self.copy_button))
        layout.addLayout(_row(code_label, self.code_edit, self.use_code_button, stretch=1))
        self.waiting_panel.hide()
        return self.waiting_panel

    # --- step 1: the server ---

    def begin(self, *, paste: bool) -> None:
        """Check the server and start listening (on the runner), then open the browser."""
        base_url = self.server_edit.text()
        self.paste_requested = paste
        self.start(
            lambda: self.signin.begin_mastodon(base_url),
            self._begun,
            "Contacting the server…",
            discard=lambda session: session.close(),
        )

    def _begun(self, session: MastodonSignIn) -> None:
        self.flow = session
        url = session.oob_url if self.paste_requested else session.url
        opened = self.open_url(url)
        self._wait(session)
        if self.paste_requested:
            hint = f"Approve cmdesk on {session.host}, then paste the code it shows below."
        elif opened:
            hint = f"Approve cmdesk on {session.host} in the browser; this finishes by itself."
        else:
            hint = "The browser did not open: copy the sign-in page's address into a browser."
        self.browser_hint.setText(hint)
        self.waiting_panel.show()
        (self.code_edit if self.paste_requested else self.reopen_button).setFocus()
        self.adjustSize()

    # --- step 2: waiting for the browser or a pasted code ---

    def _wait(self, session: MastodonSignIn) -> None:
        wid, name, timeout = self.workspace_id, self.name_edit.text(), self.timeout
        if self.channel is not None:
            cid = self.channel.id

            def work() -> ChangeSet:
                return self.signin.reconnect_mastodon(cid, session, timeout=timeout)
        else:

            def work() -> ChangeSet:
                return self.signin.connect_mastodon(wid, name, session, timeout=timeout)

        self.start(
            work,
            self.finish,
            f"Waiting for you to approve cmdesk on {session.host} in the browser…",
            cancel=session.cancel,
        )

    def submit_code(self) -> None:
        if self.flow is None or not self.flow.listening:
            self.show_problem("Start the sign-in first.")
            return
        try:
            self.flow.paste(self.code_edit.text())
        except UserError as exc:
            self.show_problem(exc.message)
            self.code_edit.setFocus()
            return
        self.show_problem("")
        self.show_progress("Signing in with the code…")

    def _reopen(self) -> None:
        if self.flow is not None:
            self.open_url(self.flow.url)

    def _open_oob(self) -> None:
        if self.flow is not None:
            self.open_url(self.flow.oob_url)
            self.code_edit.setFocus()

    def _copy(self, *, paste: bool) -> None:
        if self.flow is not None:
            url = self.flow.oob_url if paste else self.flow.url
            QGuiApplication.clipboard().setText(url)

    # --- state ---

    def set_busy(self, busy: bool) -> None:
        self.server_edit.setReadOnly(busy or self.channel is not None)
        self.name_edit.setReadOnly(busy)
        waiting = busy and self.flow is not None and self.flow.listening
        # While waiting, the panel offers both ways; starting over is Cancel.
        self.browser_button.setVisible(not waiting)
        self.paste_button.setVisible(not waiting)
        self.browser_button.setEnabled(not busy)
        self.paste_button.setEnabled(not busy)
        for widget in (
            self.code_edit,
            self.use_code_button,
            self.copy_button,
            self.oob_button,
            self.reopen_button,
            self.copy_url_button,
        ):
            widget.setEnabled(waiting)

    def after_failure(self, exc: BaseException) -> None:
        # The listener is closed once the wait ends: a new attempt starts from the server.
        self.flow = None
        self.code_edit.clear()
        self.waiting_panel.hide()
        self.server_edit.setFocus()
        self.adjustSize()


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _row(*widgets: QWidget, stretch: int = -1) -> QHBoxLayout:
    """Widgets side by side; the one at index ``stretch`` takes the spare room (else none)."""
    row = QHBoxLayout()
    for i, widget in enumerate(widgets):
        row.addWidget(widget, 1 if i == stretch else 0)
    if stretch < 0:
        row.addStretch(1)
    return row
