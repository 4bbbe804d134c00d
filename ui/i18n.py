"""The interface language: Qt's own strings and cmdesk's, from the ``language`` setting.

``install_translators(app, language)`` is called once at start, before any window is built:
widgets read their texts when they are made, so a new choice takes effect at the next start
(the Settings page says so). "system" follows the desktop's locale; a language cmdesk has no
translation for falls back to English, the language the strings are written in.

Qt's translations (``qtbase_xx.qm``: standard buttons, dialogs, context menus) ship with Qt in
``QLibraryInfo``'s translations folder. cmdesk's own are ``resources/translations/cmdesk_xx.qm``,
built from the ``.ts`` sources with ``pyside6-lrelease`` (built files are not committed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"
#: The choices offered for the ``language`` setting, with their names in their own language.
LANGUAGE_NAMES = {"system": "System language", "en": "English", "es": "Español"}


@dataclass(frozen=True, slots=True)
class InstalledLanguage:
    """What ``install_translators`` did: the locale chosen and the catalogues it loaded."""

    locale: QLocale
    loaded: tuple[str, ...]
    translators: tuple[QTranslator, ...]
    previous_default: QLocale


def locale_for(language: str) -> QLocale:
    """The locale of a ``language`` setting value ("system" is the desktop's)."""
    return QLocale.system() if language == "system" else QLocale(language)


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def install_translators(
    app: QCoreApplication, language: str, *, app_dir: Path = TRANSLATIONS
) -> InstalledLanguage:
    """Install Qt's and cmdesk's translations for ``language``; keeps them alive on ``app``.

    A missing catalogue is normal (English needs none) and only logged at debug level.
    """
    locale = locale_for(language)
    previous = QLocale()
    if language != "system":
        # Dates, numbers and day names follow the chosen language too.
        QLocale.setDefault(locale)
    loaded: list[str] = []
    translators: list[QTranslator] = []
    for name, folder in (("qtbase", qt_translations_dir()), ("cmdesk", app_dir)):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", str(folder)):
            app.installTranslator(translator)
            loaded.append(Path(translator.filePath()).name or name)
            translators.append(translator)
        else:
            log.debug("no %s translation for %s in %s", name, locale.name(), folder)
            translator.deleteLater()
    return InstalledLanguage(locale, tuple(loaded), tuple(translators), previous)


def remove_translators(app: QCoreApplication, installed: InstalledLanguage) -> None:
    """Undo :func:`install_translators` (tests; a language switch needs a restart anyway)."""
    for translator in installed.translators:
        app.removeTranslator(translator)
        translator.deleteLater()
    QLocale.setDefault(installed.previous_default)
