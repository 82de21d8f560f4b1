"""The SOAP note: drafted from the transcript, edited by the doctor, signed (then final), with addenda after."""

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.soap_draft import SECTION_TITLES, SECTIONS
from clinicdesk.services import clinical_notes
from clinicdesk.services.consultation_dto import NoteView
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.consult.touch import big_button, set_points
from clinicdesk.ui.tasks import error_text

UNSUPPORTED_MARK = "⚠ "  # shown before a sentence nothing in the recording backs


def section_text(note: NoteView, name: str) -> str:
    return "\n".join(sentence.text for sentence in note.sections.get(name, ()))


def signed_note_html(note: NoteView, tz) -> str:
    """The signed note as the doctor will read it later: headed sections, vitals, medicines, then addenda."""
    parts = []
    for name in SECTIONS:
        sentences = note.sections.get(name, ())
        if sentences:
            parts.append(f"<h3>{escape(SECTION_TITLES[name])}</h3><p>"
                         + "<br>".join(escape(sentence.text) for sentence in sentences) + "</p>")
    if note.vitals:
        parts.append("<h3>Vitals</h3><p>" + ", ".join(f"{escape(key.replace('_', ' '))} {value}"
                                                      for key, value in note.vitals.items()) + "</p>")
    for item in note.addenda:
        parts.append(f"<p><b>Addendum</b> {item.at.astimezone(tz):%d %b %Y %H:%M}, {escape(item.author_name)}: "
                     f"{escape(item.text)}</p>")
    return "".join(parts)


def flagged_sentences(note: NoteView) -> list[str]:
    return [sentence.text for name in SECTIONS for sentence in note.sections.get(name, ()) if not sentence.supported]


class NotePanel(QWidget):
    signed = Signal(str)  # note id
    note_changed = Signal(object)  # NoteView or None

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.consultation_id: str | None = None
        self.note: NoteView | None = None
        self.status = QLabel()
        self.status.setWordWrap(True)
        set_points(self.status, 15, bold=True)
        self.editors: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        for name in SECTIONS:
            editor = QPlainTextEdit()
            editor.setFixedHeight(70)  # every section in view at once on a tablet
            editor.setAccessibleName(SECTION_TITLES[name])
            set_points(editor, 14)
            self.editors[name] = editor
            form.addRow(QLabel(self.tr(SECTION_TITLES[name])), editor)
        self.flags = QLabel()
        self.flags.setWordWrap(True)
        self.flags.setStyleSheet("color: #8a4b00; background: #fff3e0; padding: 6px;")
        self.flags.hide()
        self.acknowledge = QCheckBox(self.tr("I have checked the marked sentences"))
        self.acknowledge.hide()
        self.draft_button = big_button(self.tr("Draft the note from the transcript"))
        self.save_button = big_button(self.tr("Save changes"))
        self.sign_button = big_button(self.tr("Sign the note"), colour="#1b5e20")
        self.draft_button.clicked.connect(self.draft)
        self.save_button.clicked.connect(self.save)
        self.sign_button.clicked.connect(self.sign)
        self.addendum = QPlainTextEdit()
        self.addendum.setPlaceholderText(self.tr("Addendum to the signed note"))
        self.addendum.setMaximumHeight(90)
        self.addendum_button = big_button(self.tr("Add addendum"))
        self.addendum_button.clicked.connect(self.add_addendum)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(form)
        body_layout.addWidget(self.flags)
        body_layout.addWidget(self.acknowledge)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.signed_view = QTextBrowser()
        set_points(self.signed_view, 14)
        signed_page = QWidget()
        signed_layout = QVBoxLayout(signed_page)
        signed_layout.setContentsMargins(0, 0, 0, 0)
        signed_layout.addWidget(self.signed_view, 1)
        signed_layout.addWidget(self.addendum)
        signed_layout.addWidget(self.addendum_button)
        self.pages = QStackedWidget()
        self.pages.addWidget(scroll)
        self.pages.addWidget(signed_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        row = QVBoxLayout()
        for button in (self.draft_button, self.save_button, self.sign_button):
            row.addWidget(button)
        layout.addLayout(row)
        self._show(None)

    def show_consultation(self, consultation_id: str | None) -> None:
        self.consultation_id = consultation_id
        self.banner.hide()
        if consultation_id is None:
            self._show(None)
            return
        self.app.runner.run(clinical_notes.get_note, self.app.ctx, consultation_id, owner=self, on_done=self._show,
                            on_error=self._failed)

    def add_to_section(self, name: str, text: str) -> bool:
        """Append a line (e.g. a chosen ICD-10 diagnosis) to a section of the draft; saved with the next save."""
        editor = self.editors[name]
        if self.note is None or editor.isReadOnly():
            return False
        editor.appendPlainText(text)
        return True

    def draft(self) -> None:
        self.app.runner.run(clinical_notes.draft_note_from_transcript, self.app.ctx, self.consultation_id,
                            owner=self, on_done=lambda result: self._show(result[0]), on_error=self._failed)

    def edited_sections(self) -> dict[str, list[str]]:
        return {name: [line.strip() for line in editor.toPlainText().splitlines() if line.strip()]
                for name, editor in self.editors.items()}

    def save(self) -> None:
        self.app.runner.run(clinical_notes.update_note_draft, self.app.ctx, self.note.note_id, self.edited_sections(),
                            owner=self, on_done=lambda result: self._show(result[0]), on_error=self._failed)

    def sign(self) -> None:
        # unsaved edits are saved first, so the signed note is exactly what the doctor sees
        if self.note is None:
            return
        if self.edited_sections() != {name: section_text(self.note, name).splitlines() for name in SECTIONS}:
            self.app.runner.run(clinical_notes.update_note_draft, self.app.ctx, self.note.note_id,
                                self.edited_sections(), owner=self,
                                on_done=lambda result: (self._show(result[0]), self._sign_now()),
                                on_error=self._failed)
        else:
            self._sign_now()

    def _sign_now(self) -> None:
        self.app.runner.run(clinical_notes.sign_note, self.app.ctx, self.note.note_id,
                            acknowledge_unsupported=self.acknowledge.isChecked(), owner=self,
                            on_done=lambda result: self._signed(result[0]), on_error=self._failed)

    def _signed(self, note: NoteView) -> None:
        self._show(note)
        self.signed.emit(note.note_id)

    def add_addendum(self) -> None:
        text = self.addendum.toPlainText().strip()
        if not text or self.note is None:
            return
        self.app.runner.run(clinical_notes.add_addendum, self.app.ctx, self.note.note_id, text, owner=self,
                            on_done=lambda _: (self.addendum.clear(), self.show_consultation(self.consultation_id)),
                            on_error=self._failed)

    def _show(self, note: NoteView | None) -> None:
        self.note = note
        self.note_changed.emit(note)
        self.banner.hide()
        signed = note is not None and note.status == "signed"
        for name, editor in self.editors.items():
            editor.setPlainText(section_text(note, name) if note else "")
            editor.setReadOnly(signed or note is None)
        flagged = flagged_sentences(note) if note and not signed else []
        self.flags.setText(self.tr("Not heard in the recording, check before signing:") + "\n"
                           + "\n".join(UNSUPPORTED_MARK + text for text in flagged))
        self.flags.setVisible(bool(flagged))
        self.acknowledge.setVisible(bool(flagged))
        self.acknowledge.setChecked(False)
        self.draft_button.setVisible(not signed and self.consultation_id is not None)
        self.save_button.setVisible(note is not None and not signed)
        self.sign_button.setVisible(note is not None and not signed)
        self.addendum.setVisible(signed)
        self.addendum_button.setVisible(signed)
        if note is None:
            self.status.setText(self.tr("No note yet: record the consultation, then draft the note."))
        elif signed:
            self.status.setText(self.tr("Signed by %1 on %2 — final; later changes are addenda.")
                                .replace("%1", note.signed_by_name)
                                .replace("%2", f"{note.signed_at.astimezone(self.app.tz):%d %b %Y %H:%M}"))
        else:
            self.status.setText(self.tr("Draft, version %1").replace("%1", str(note.version)))
        self.pages.setCurrentIndex(1 if signed else 0)
        self.signed_view.setHtml(signed_note_html(note, self.app.tz) if signed else "")

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()
