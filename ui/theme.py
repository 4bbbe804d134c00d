"""Light and dark themes, or the system's choice followed live.

``apply_theme(app, "system" | "light" | "dark")`` sets the Fusion style (it honours palettes on
every platform, so a dark palette really is dark), a palette, and the style sheet: the light
``resources/styles/app.qss``, plus ``app-dark.qss`` (which only overrides colours) for dark.
"system" follows ``QStyleHints.colorScheme()`` and changes with it while cmdesk runs. Painted
widgets read their neutral colours from the palette, so they follow too.

The state lives in one ``ThemeManager`` owned by the application object (no module globals), so
calling ``apply_theme`` again (the Settings page does, when the choice changes) reuses it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

STYLES = Path(__file__).resolve().parent.parent / "resources" / "styles"
LIGHT_QSS = STYLES / "app.qss"
DARK_QSS = STYLES / "app-dark.qss"
CHOICES = ("system", "light", "dark")

_R = QPalette.ColorRole
_G = QPalette.ColorGroup

#: Palette roles per scheme; the disabled group is derived (see ``palette_for``).
PALETTES: dict[str, dict[QPalette.ColorRole, str]] = {
    "light": {
        _R.Window: "#f6f7f9",
        _R.WindowText: "#202124",
        _R.Base: "#ffffff",
        _R.AlternateBase: "#f1f3f5",
        _R.Text: "#202124",
        _R.Button: "#f6f7f9",
        _R.ButtonText: "#202124",
        _R.BrightText: "#ffffff",
        _R.Highlight: "#1a73e8",
        _R.HighlightedText: "#ffffff",
        _R.Link: "#1a5fc8",
        _R.LinkVisited: "#7b3fb8",
        _R.PlaceholderText: "#6b7075",
        _R.ToolTipBase: "#ffffff",
        _R.ToolTipText: "#202124",
        _R.Light: "#ffffff",
        _R.Midlight: "#eceff2",
        _R.Mid: "#c4c9cf",
        _R.Dark: "#9aa0a6",
        _R.Shadow: "#5f6368",
    },
    "dark": {
        _R.Window: "#1c1d20",
        _R.WindowText: "#e8eaed",
        _R.Base: "#26282c",
        _R.AlternateBase: "#2d2f33",
        _R.Text: "#e8eaed",
        _R.Button: "#303236",
        _R.ButtonText: "#e8eaed",
        _R.BrightText: "#ffffff",
        _R.Highlight: "#3d7be0",
        _R.HighlightedText: "#ffffff",
        _R.Link: "#8ab4f8",
        _R.LinkVisited: "#c58af9",
        _R.PlaceholderText: "#9aa0a6",
        _R.ToolTipBase: "#2a2b2f",
        _R.ToolTipText: "#e8eaed",
        _R.Light: "#3c4043",
        _R.Midlight: "#333539",
        _R.Mid: "#2a2c30",
        _R.Dark: "#111214",
        _R.Shadow: "#000000",
    },
}
#: Text of disabled widgets: readable, clearly fainter than normal text.
DISABLED_TEXT = {"light": "#a0a4a8", "dark": "#6f737a"}


def palette_for(scheme: str) -> QPalette:
    """The full palette of ``"light"`` or ``"dark"``."""
    palette = QPalette()
    for role, color in PALETTES[scheme].items():
        palette.setColor(role, QColor(color))
    faint = QColor(DISABLED_TEXT[scheme])
    for role in (_R.WindowText, _R.Text, _R.ButtonText, _R.PlaceholderText):
        palette.setColor(_G.Disabled, role, faint)
    return palette


def style_sheet_for(scheme: str) -> str:
    """The light sheet, and for dark the colour overrides after it (later rules win)."""
    parts = [LIGHT_QSS.read_text(encoding="utf-8")] if LIGHT_QSS.exists() else []
    if scheme == "dark" and DARK_QSS.exists():
        parts.append(DARK_QSS.read_text(encoding="utf-8"))
    return "\n".join(parts)


def system_scheme(app: QApplication) -> str:
    """``"dark"`` when the desktop asks for dark, else ``"light"`` (also when it does not say)."""
    return "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"


class ThemeManager(QObject):
    """Applies a theme choice to the application and follows the system while it is "system".

    Signals:
        scheme_changed(str): the scheme now in effect, ``"light"`` or ``"dark"``.
    """

    scheme_changed = Signal(str)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("cmdeskThemeManager")
        self._app = app
        self.choice = "system"
        self.scheme = ""
        self._applying = False
        self._styled = False
        app.styleHints().colorSchemeChanged.connect(self._system_changed)

    def apply(self, choice: str) -> str:
        """Apply ``choice`` ("system", "light" or "dark"); returns the scheme now in effect."""
        if choice not in CHOICES:
            raise ValueError(f"theme must be one of {', '.join(CHOICES)}, not {choice!r}")
        self.choice = choice
        self._request_platform_scheme(choice)
        return self._apply_scheme(system_scheme(self._app) if choice == "system" else choice)

    def _request_platform_scheme(self, choice: str) -> None:
        # Qt 6.8+ can ask the platform for a scheme too (native title bars follow on Windows and
        # macOS); "system" withdraws the request so colorScheme() reports the desktop's again.
        hints = self._app.styleHints()
        if not hasattr(hints, "setColorScheme"):
            return
        if choice == "system":
            hints.unsetColorScheme()
        else:
            dark = choice == "dark"
            hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)

    def _apply_scheme(self, scheme: str) -> str:
        if self._applying:
            return self.scheme
        self._applying = True
        try:
            app = self._app
            if not self._styled:
                # Once: the style cannot be told from a style-sheet wrapper afterwards.
                fusion = QStyleFactory.create("Fusion")
                if fusion is not None:
                    app.setStyle(fusion)
                self._styled = True
            app.setPalette(palette_for(scheme))
            app.setStyleSheet(style_sheet_for(scheme))
        finally:
            self._applying = False
        if scheme != self.scheme:
            self.scheme = scheme
            self.scheme_changed.emit(scheme)
        return scheme

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.choice == "system":
            self._apply_scheme(system_scheme(self._app))


def theme_manager(app: QApplication) -> ThemeManager:
    """The application's theme manager, made on first use."""
    existing = app.findChild(ThemeManager, "cmdeskThemeManager")
    return existing if isinstance(existing, ThemeManager) else ThemeManager(app)


def apply_theme(app: QApplication, choice: str) -> ThemeManager:
    """Apply the theme ``choice`` to ``app`` (see the module); returns its manager."""
    manager = theme_manager(app)
    manager.apply(choice)
    return manager
