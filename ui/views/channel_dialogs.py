"""Dialogs that connect an account: the shared frame, and the Bluesky dialog.

Every check with the network runs on the :class:`~ui.tasks.TaskRunner`; while it runs the form is
read-only and Cancel abandons it. A refusal (wrong password, unknown server, revoked sign-in) is
shown inline, the dialog stays open with what was typed, except the password, which is cleared:
a secret is never shown again once it left the field. The Mastodon dialog is in
:mod:`ui.views.channel_dialogs_mastodon`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.dto import ChannelDTO
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.services.signin import DEFAULT_BLUESKY_SERVICE, SignInService
from ui.errors import show_error
from ui.tasks import Task, TaskRunner

T = TypeVar("T")

APP_PASSWORDS_URL = "https://bsky.app/settings/app-passwords"
ERROR_STYLE = "color: #b00020; background: #fdecee; border-radius: 4px; padding: 6px 8px;"


class ChannelDialog(QDialog):
    """The frame of a connect dialog: a form, an inline message line, busy state, Cancel.

    Signals:
        connected(object): the ChangeSet of the channel just added or reconnected (then the
            dialog closes with Accepted).
    """

    connected = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        signin: SignInService,
        workspace_id: int,
        channel: ChannelDTO | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.signin = signin
        self.workspace_id = workspace_id
        self.channel = channel  # None: add a new channel; else reconnect this one
        self.changes: ChangeSet | None = None
        self._task: Task[Any] | None = None
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.message = QLabel()
        self.message.setObjectName("dialogError")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setAccessibleName("Problem")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.progress = QLabel()
        self.progress.setObjectName("dialogProgress")
        self.progress.setWordWrap(True)
        self.progress.setAccessibleName("Progress")
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout()  # what comes between the form and the messages
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addLayout(self.body)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    @property
    def reconnecting(self) -> bool:
        return self.channel is not None

    @property
    def busy(self) -> bool:
        return self._task is not None

    def add_action_button(self, text: str, name: str) -> QPushButton:
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setAccessibleName(name)
        return button

    # --- messages ---

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.setAccessibleDescription(text)

    def show_progress(self, text: str) -> None:
        self.progress.setText(text)
        self.progress.setVisible(bool(text))

    # --- work on the runner ---

    def start(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], None],
        progress: str,
        *,
        cancel: Callable[[], None] | None = None,
        discard: Callable[[T], None] | None = None,
    ) -> None:
        """Run ``fn`` off the GUI thread with the form locked; failures come back inline."""
        self.show_problem("")
        self.show_progress(progress)
        self.set_busy(True)

        def succeeded(value: T) -> None:
            self._task = None
            self.show_progress("")
            self.set_busy(False)
            on_success(value)

        self._task = self.runner.run(
            fn, succeeded, self._failed, name=type(self).__name__, cancel=cancel, discard=discard
        )

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.show_progress("")
        self.set_busy(False)
        if isinstance(exc, UserError):
            self.show_problem(exc.message)
        else:
            self.show_problem("Something went wrong; nothing was saved. Try again.")
            show_error(self, exc)
        self.after_failure(exc)

    def set_busy(self, busy: bool) -> None:
        """Lock or unlock the inputs (dialogs extend this)."""

    def after_failure(self, exc: BaseException) -> None:
        """Hook: restore the form after a refusal (e.g. clear the password)."""

    def finish(self, changes: ChangeSet) -> None:
        self.changes = changes
        self.connected.emit(changes)
        self.accept()

    def cancel_work(self) -> None:
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()

    def reject(self) -> None:
        self.cancel_work()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_work()
        super().closeEvent(event)


class BlueskyDialog(ChannelDialog):
    """Add a Bluesky account (handle and app password), or give a channel a new app password."""

    def __init__(
        self,
        runner: TaskRunner,
        signin: SignInService,
        workspace_id: int,
        channel: ChannelDTO | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, signin, workspace_id, channel, parent)
        self.setWindowTitle("Reconnect Bluesky" if channel else "Add a Bluesky account")
        self.setAccessibleName(self.windowTitle())
        self.name_edit = line_edit("Channel name", "e.g. Harbor · Bluesky (default: the handle)")
        self.handle_edit = line_edit("Handle", "e.g. brand.bsky.social")
        self.password_edit = line_edit("App password", "xxxx-xxxx-xxxx-xxxx", clearable=False)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.service_edit = line_edit("Service", DEFAULT_BLUESKY_SERVICE)
        self.service_edit.setText(DEFAULT_BLUESKY_SERVICE)
        help_link = QLabel(
            "Use an app password, not your account password: create one in Bluesky under "
            f"<a href='{APP_PASSWORDS_URL}'>Settings → Privacy and security → App passwords</a>. "
            "You can revoke it there at any time without changing your password."
        )
        help_link.setObjectName("appPasswordHelp")
        help_link.setWordWrap(True)
        help_link.setOpenExternalLinks(True)
        help_link.setAccessibleName("What is an app password?")
        help_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        if channel is None:
            self.form.addRow("&Name:", self.name_edit)
        self.form.addRow("&Handle:", self.handle_edit)
        self.form.addRow("App &password:", self.password_edit)
        self.form.addRow("&Service:", self.service_edit)
        self.body.addWidget(help_link)
        if channel is not None:
            self.handle_edit.setText(channel.handle)
            self.service_edit.setText(channel.base_url)
            self.service_edit.setReadOnly(True)
        self.connect_button = self.add_action_button(
            "&Reconnect" if channel else "&Connect", "Connect"
        )
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.submit)
        (self.handle_edit if channel is None else self.password_edit).setFocus()

    def submit(self) -> None:
        handle, password = self.handle_edit.text(), self.password_edit.text()
        if self.channel is not None:
            cid = self.channel.id
            self.start(
                lambda: self.signin.reconnect_bluesky(cid, handle, password),
                self.finish,
                "Signing in to Bluesky…",
            )
            return
        name, service, wid = self.name_edit.text(), self.service_edit.text(), self.workspace_id
        self.start(
            lambda: self.signin.connect_bluesky(wid, name, handle, password, service),
            self.finish,
            "Signing in to Bluesky…",
        )

    def set_busy(self, busy: bool) -> None:
        for edit in (self.name_edit, self.handle_edit, self.password_edit):
            edit.setReadOnly(busy)
        if self.channel is None:
            self.service_edit.setReadOnly(busy)
        self.connect_button.setEnabled(not busy)

    def after_failure(self, exc: BaseException) -> None:
        self.password_edit.clear()
        field = getattr(exc, "field", None)
        target = {"handle": self.handle_edit, "service": self.service_edit}.get(
            field or "", self.password_edit
        )
        target.setFocus()

    def finish(self, changes: ChangeSet) -> None:
        self.password_edit.clear()
        super().finish(changes)


def line_edit(name: str, placeholder: str, *, clearable: bool = True) -> QLineEdit:
    """A connect dialog's text field, named for screen readers; a secret's has no clear button."""
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(clearable)
    return edit
