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
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from cmdesk.dto import ChannelDTO
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.services.signin import MastodonSignIn, SignInService
from ui.tasks import TaskRunner
from ui.views.channel_dialogs import ChannelDialog

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
        self.session: MastodonSignIn | None = None
        self.paste_requested = False
        self.setWindowTitle("Reconnect Mastodon" if channel else "Add a Mastodon account")
        self.setAccessibleName(self.windowTitle())
        self.server_edit = _line("Server", "e.g. mastodon.social")
        self.name_edit = _line("Channel name", "e.g. Harbor · Mastodon (default: the server)")
        self.form.addRow("&Server:", self.server_edit)
        if channel is None:
            self.form.addRow("&Name:", self.name_edit)
        else:
            self.server_edit.setText(channel.base_url)
            self.server_edit.setReadOnly(True)
        self.form.addRow(self._build_paste_box())
        self.browser_button = self.add_action_button("Sign in in the &browser", "Sign in")
        self.browser_button.setDefault(True)
        self.browser_button.clicked.connect(lambda: self.begin(paste=False))
        self.paste_button = self.add_action_button("&Paste the code instead", "Paste instead")
        self.paste_button.clicked.connect(lambda: self.begin(paste=True))
        self.server_edit.setFocus()

    def _build_paste_box(self) -> QGroupBox:
        self.paste_box = QGroupBox("Paste the code instead")
        self.paste_box.setAccessibleName("Paste the code")
        self.paste_hint = QLabel(
            "If the browser cannot come back to cmdesk (it runs on another computer, or it "
            "shows an error page), open the page below, approve cmdesk, then paste the code the "
            "server shows, or the whole address the browser ended on."
        )
        self.paste_hint.setWordWrap(True)
        self.oob_link = QLabel()
        self.oob_link.setOpenExternalLinks(False)
        self.oob_link.linkActivated.connect(self.open_url)
        self.oob_link.setAccessibleName("Page that shows the code")
        self.oob_link.setWordWrap(True)
        self.copy_button = QPushButton("Cop&y address")
        self.copy_button.setAccessibleName("Copy the address of the page that shows the code")
        self.copy_button.clicked.connect(self._copy_oob_url)
        self.code_edit = _line("Sign-in code", "the code, or the address the browser ended on")
        self.use_code_button = QPushButton("&Use this code")
        self.use_code_button.setAccessibleName("Use this code")
        self.use_code_button.clicked.connect(self.submit_code)
        self.code_edit.returnPressed.connect(self.submit_code)
        row = QHBoxLayout()
        row.addWidget(self.code_edit, 1)
        row.addWidget(self.use_code_button)
        links = QHBoxLayout()
        links.addWidget(self.oob_link, 1)
        links.addWidget(self.copy_button)
        box = QFormLayout(self.paste_box)
        box.addRow(self.paste_hint)
        box.addRow(links)
        box.addRow("&Code:", row)
        self.paste_box.hide()
        return self.paste_box

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
        self.session = session
        self.oob_link.setText(f"<a href='{session.oob_url}'>Open the page that shows the code</a>")
        self.paste_box.show()
        url = session.oob_url if self.paste_requested else session.url
        opened = self.open_url(url)
        self._wait(session)
        if self.paste_requested:
            self.show_progress(f"Approve cmdesk on {session.host}, then paste the code below.")
            self.code_edit.setFocus()
        elif not opened:
            self.show_progress(f"Open this address in a browser and approve cmdesk:\n{session.url}")

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
        if self.session is None or not self.session.listening:
            self.show_problem("Start the sign-in first.")
            return
        try:
            self.session.paste(self.code_edit.text())
        except UserError as exc:
            self.show_problem(exc.message)
            self.code_edit.setFocus()
            return
        self.show_problem("")
        self.show_progress("Signing in with the code…")

    def _copy_oob_url(self) -> None:
        if self.session is not None:
            QGuiApplication.clipboard().setText(self.session.oob_url)

    # --- state ---

    def set_busy(self, busy: bool) -> None:
        self.server_edit.setReadOnly(busy or self.channel is not None)
        self.name_edit.setReadOnly(busy)
        self.browser_button.setEnabled(not busy)
        self.paste_button.setEnabled(not busy)
        waiting = busy and self.session is not None and self.session.listening
        self.code_edit.setEnabled(waiting)
        self.use_code_button.setEnabled(waiting)
        self.copy_button.setEnabled(waiting)

    def after_failure(self, exc: BaseException) -> None:
        # The listener is closed once the wait ends: a new attempt starts from the server.
        self.session = None
        self.code_edit.clear()
        self.paste_box.hide()
        self.server_edit.setFocus()


def _line(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit
