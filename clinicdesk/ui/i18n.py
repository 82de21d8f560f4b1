"""Qt translation machinery: installs translators for the chosen language; every visible string passes here."""

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from clinicdesk.resources import resources_dir

LANGUAGES = {"en": "English", "hi": "हिन्दी (Hindi)", "ml": "മലയാളം (Malayalam)"}


def translate(context: str, text: str) -> str:
    """For module-level code that is not a QObject (QObject subclasses use self.tr)."""
    return QCoreApplication.translate(context, text)


def install_translators(app: QCoreApplication, language: str | None = None) -> list[QTranslator]:
    """Load Qt's own strings and ClinicDesk's for `language` (default: the system locale), if shipped.

    English is the source language, so nothing is loaded for it. Returned translators must be kept alive.
    """
    locale = QLocale(language) if language else QLocale.system()
    if locale.language() == QLocale.Language.English:
        return []
    installed = []
    directories = [("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    try:
        directories.append(("clinicdesk", str(resources_dir() / "translations")))
    except FileNotFoundError:  # a stripped-down install: Qt's own strings still translate
        pass
    for name, directory in directories:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", directory):
            app.installTranslator(translator)
            installed.append(translator)
    return installed
