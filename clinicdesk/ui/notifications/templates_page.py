"""Admin > Message templates: the list, an editor per language, and a live preview for a sample patient."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.notifications.templates import PLACEHOLDERS, MessageTemplate, TemplateText
from clinicdesk.services import notification_templates
from clinicdesk.services.context import Changes
from clinicdesk.services.notification_templates import TemplateItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.notifications.labels import LANGUAGES
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.inputs import ChoiceCombo
from clinicdesk.ui.widgets.refreshing_view import RefreshingView


class TemplatesPage(RefreshingView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self.items: list[TemplateItem] = []
        self.current: TemplateItem | None = None
        self.texts: dict[str, TemplateText] = {}  # the edits not yet saved, per language
        self.language_shown = "en"
        heading = QLabel(self.tr("Message templates"))
        heading.setObjectName("pageTitle")
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._choose)

        self.name = QLineEdit()
        self.name.setMaxLength(120)
        self.category = QLabel()
        self.language = ChoiceCombo(list(LANGUAGES))
        self.language.currentIndexChanged.connect(self._language_changed)
        self.subject = QLineEdit()
        self.subject.setPlaceholderText(self.tr("Used for email only"))
        self.body = QPlainTextEdit()
        self.body.setMinimumHeight(120)
        for signal in (self.subject.textChanged, self.body.textChanged):
            signal.connect(self._edited)
        placeholders = QLabel(self.tr("Placeholders: ") + "  ".join(f"{{{name}}}" for name in PLACEHOLDERS))
        placeholders.setWordWrap(True)
        placeholders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        placeholders.setObjectName("hint")
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Kind"), self.category)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Subject"), self.subject)
        form.addRow(self.tr("Message"), self.body)
        form.addRow("", placeholders)

        preview_box = QGroupBox(self.tr("Preview for a sample patient"))
        self.preview_subject = QLabel()
        self.preview_subject.setObjectName("previewSubject")
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setMinimumHeight(80)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview_note = QLabel()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.preview_subject)
        preview_layout.addWidget(self.preview, 1)
        preview_layout.addWidget(self.preview_note)

        self.banner = ErrorBanner()
        self.save_button = QPushButton(self.tr("Save template"))
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton(self.tr("Back to the shipped text"))
        self.reset_button.clicked.connect(self.reset)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)

        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.addWidget(self.banner)
        editor_layout.addLayout(form)
        editor_layout.addWidget(preview_box, 1)
        editor_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(editor)
        splitter.setSizes([280, 760])
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(splitter, 1)
        self._set_enabled(False)

    # --- loading ---------------------------------------------------------------------------------------------

    def is_relevant(self, changes: Changes) -> bool:
        return changes.messages

    def reload(self) -> None:
        self.app.runner.run(notification_templates.list_templates, self.app.ctx, owner=self, on_done=self._loaded,
                            on_error=lambda e: self.banner.show_messages([error_text(e)]))

    def _loaded(self, items: list[TemplateItem]) -> None:
        keep = self.current.key if self.current else None
        self.items = items
        self.list.blockSignals(True)
        self.list.clear()
        for item in items:
            label = item.name + (self.tr("  (edited)") if item.edited else "")
            QListWidgetItem(label, self.list)
        self.list.blockSignals(False)
        keys = [item.key for item in items]
        self.list.setCurrentRow(keys.index(keep) if keep in keys else (0 if items else -1))
        if self.list.currentRow() >= 0:
            self._choose(self.list.currentRow())

    def _choose(self, row: int) -> None:
        if not 0 <= row < len(self.items):
            self._set_enabled(False)
            return
        self.current = self.items[row]
        self.texts = dict(self.current.texts)
        self.name.setText(self.current.name)
        self.category.setText(self.current.category.replace("_", " ").capitalize())
        self.reset_button.setEnabled(self.current.edited)
        self.banner.clear_messages()
        self._set_enabled(True)
        self._show_language(self.language.value())

    def _set_enabled(self, on: bool) -> None:
        for widget in (self.name, self.language, self.subject, self.body, self.save_button):
            widget.setEnabled(on)
        if not on:
            self.reset_button.setEnabled(False)

    # --- editing ---------------------------------------------------------------------------------------------

    def _show_language(self, language: str) -> None:
        self.language_shown = language
        text = self.texts.get(language, TemplateText("", ""))
        for widget in (self.subject, self.body):
            widget.blockSignals(True)
        self.subject.setText(text.subject)
        self.body.setPlainText(text.body)
        for widget in (self.subject, self.body):
            widget.blockSignals(False)
        self._update_preview()

    def _language_changed(self, _index: int) -> None:
        if self.current is not None:
            self._show_language(self.language.value())

    def _edited(self) -> None:
        subject, body = self.subject.text(), self.body.toPlainText()
        if subject.strip() or body.strip():
            self.texts[self.language_shown] = TemplateText(subject, body)
        else:
            self.texts.pop(self.language_shown, None)  # an empty language falls back to English
        self._update_preview()

    def edited_template(self) -> MessageTemplate | None:
        if self.current is None:
            return None
        return MessageTemplate(self.current.key, self.name.text().strip() or self.current.name, self.current.category,
                               dict(self.texts))

    def _update_preview(self) -> None:
        template = self.edited_template()
        if template is None:
            return
        try:
            rendered = notification_templates.preview(template, self.language_shown)
        except ValidationError as refused:
            self.preview_subject.setText("")
            self.preview.setText("")
            self.preview_note.setText("")
            self.banner.show_messages(refused.messages())
            self.save_button.setEnabled(False)
            return
        self.banner.clear_messages()
        self.save_button.setEnabled(True)
        self.preview_subject.setText(f"<b>{_escape(rendered.subject)}</b>")
        self.preview.setText(_escape(rendered.body))
        self.preview_note.setText(
            "" if rendered.language == self.language_shown
            else self.tr("No text in this language yet: patients who chose it get the English text above."))

    def save(self) -> None:
        template = self.edited_template()
        if template is None:
            return
        self.app.runner.run(notification_templates.save_template, self.app.ctx, template, owner=self,
                            on_error=lambda e: self.banner.show_messages(
                                e.messages() if isinstance(e, ValidationError) else [error_text(e)]))

    def reset(self) -> None:
        if self.current is not None and self.current.edited:
            self.app.runner.run(notification_templates.reset_template, self.app.ctx, self.current.key, owner=self,
                                on_error=lambda e: self.banner.show_messages([error_text(e)]))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
