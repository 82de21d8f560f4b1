"""Side-by-side review of a redaction: the transcript with what will be removed marked, and what would leave."""

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.redaction import Redacted, Span, apply_redaction, edit_spans
from clinicdesk.ui.consult.touch import set_points

MARK_COLOUR = "#ffe082"
ADDABLE_KINDS = ("PERSON", "PHONE", "ADDRESS", "AADHAAR", "ABHA", "EMAIL", "DOB", "UHID", "PAN", "PIN")


class RedactionReview(QWidget):
    """`show_text(text, spans, token_for)`; the doctor marks a selection or un-marks a span; `redacted()` is the result.

    Nothing here decides what is an identifier: the spans come from the Redactor, the doctor only corrects them.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.text = ""
        self.spans: list[Span] = []
        self._token_for = None
        self.original = QTextEdit()
        self.original.setReadOnly(True)
        self.original.setAccessibleName(self.tr("Transcript, identifiers marked"))
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        self.result.setAccessibleName(self.tr("Redacted text"))
        for view in (self.original, self.result):
            set_points(view, 14)
        self.kind_box = QComboBox()
        self.kind_box.addItems(ADDABLE_KINDS)
        self.kind_box.setMinimumHeight(44)
        self.add_button = QPushButton(self.tr("Redact the selected words"))
        self.remove_button = QPushButton(self.tr("Keep the marked words under the cursor"))
        for button in (self.add_button, self.remove_button):
            button.setMinimumHeight(44)
        self.add_button.clicked.connect(self.redact_selection)
        self.remove_button.clicked.connect(self.keep_at_cursor)
        self.summary = QLabel()
        set_points(self.summary, 13)

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("Transcript (marked: will be removed)")))
        left.addWidget(self.original, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("What leaves this computer")))
        right.addWidget(self.result, 1)
        panes = QHBoxLayout()
        panes.addLayout(left, 1)
        panes.addLayout(right, 1)
        tools = QHBoxLayout()
        tools.addWidget(self.kind_box)
        tools.addWidget(self.add_button)
        tools.addWidget(self.remove_button)
        tools.addStretch(1)
        tools.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(panes, 1)
        layout.addLayout(tools)

    def show_text(self, text: str, spans: list[Span], token_for=None) -> None:
        self.text = text
        self.spans = list(spans)
        self._token_for = token_for
        self._render()

    def redacted(self) -> Redacted:
        return apply_redaction(self.text, self.spans, token_for=self._token_for)

    def redact_selection(self) -> None:
        cursor = self.original.textCursor()
        start, end = sorted((cursor.selectionStart(), cursor.selectionEnd()))
        if start == end:
            return
        self.spans = edit_spans(self.spans, add=[Span(start, end, self.kind_box.currentText(), self.text[start:end])])
        self._render()
        self.changed.emit()

    def keep_at_cursor(self) -> None:
        position = self.original.textCursor().position()
        touched = [span for span in self.spans if span.start <= position <= span.end]
        if not touched:
            return
        self.spans = edit_spans(self.spans, remove=touched)
        self._render()
        self.changed.emit()

    def _render(self) -> None:
        self.original.setPlainText(self.text)
        mark = QTextCharFormat()
        mark.setBackground(QColor(MARK_COLOUR))
        mark.setFontWeight(700)
        for span in self.spans:
            cursor = self.original.textCursor()
            cursor.setPosition(span.start)
            cursor.setPosition(span.end, QTextCursor.MoveMode.KeepAnchor)
            mark.setToolTip(span.kind)
            cursor.mergeCharFormat(mark)
        self.result.setPlainText(self.redacted().text)
        kinds = sorted({span.kind for span in self.spans})
        self.summary.setText(self.tr("%1 removed").replace("%1", str(len(self.spans)))
                             + (f" ({', '.join(kinds)})" if kinds else ""))
