"""Builds the inputs of an intake form from its definition; large touch targets so it works on the tablet."""

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.intake_forms import FormDefinition, Question, QuestionType
from clinicdesk.ui.widgets.flow_layout import FlowLayout
from clinicdesk.ui.widgets.form_errors import clear_invalid, mark_invalid
from clinicdesk.ui.widgets.signature_pad import SignaturePad

TOUCH_HEIGHT = 44  # a fingertip, not a mouse pointer


class _Choice(QWidget):
    """Radio buttons (one choice, yes/no) or check boxes (several), laid out to wrap; value() gives the answer."""

    def __init__(self, options: list[tuple[str, object]], *, multiple: bool):
        super().__init__()
        self.multiple = multiple
        self.group = QButtonGroup(self)
        self.group.setExclusive(not multiple)
        layout = FlowLayout(self)
        self.buttons: list[tuple[QCheckBox | QRadioButton, object]] = []
        for text, value in options:
            button = QCheckBox(text) if multiple else QRadioButton(text)
            button.setMinimumHeight(TOUCH_HEIGHT)
            self.group.addButton(button)
            layout.addWidget(button)
            self.buttons.append((button, value))

    def value(self) -> object:
        picked = [value for button, value in self.buttons if button.isChecked()]
        if self.multiple:
            return picked
        return picked[0] if picked else None

    def set_value(self, value: object) -> None:
        wanted = set(value) if self.multiple and isinstance(value, list) else {value}
        self.group.setExclusive(False)  # an exclusive group refuses to uncheck its last button
        for button, option in self.buttons:
            button.setChecked(option in wanted)
        self.group.setExclusive(not self.multiple)

    def watch(self, callback) -> None:
        self.group.buttonToggled.connect(lambda *_: callback())


class _Scale(QWidget):
    """A row of numbered buttons from min to max: one tap, no typing."""

    def __init__(self, question: Question):
        super().__init__()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for number in range(int(question.minimum), int(question.maximum) + 1):
            button = QPushButton(str(number))
            button.setCheckable(True)
            button.setMinimumSize(TOUCH_HEIGHT, TOUCH_HEIGHT)
            self.group.addButton(button, number)
            layout.addWidget(button)
        layout.addStretch(1)

    def value(self) -> object:
        checked = self.group.checkedId()
        return None if checked < 0 else checked

    def set_value(self, value: object) -> None:
        button = self.group.button(int(value)) if value is not None else None
        if button is not None:
            button.setChecked(True)
        elif self.group.checkedButton() is not None:
            self.group.setExclusive(False)
            self.group.checkedButton().setChecked(False)
            self.group.setExclusive(True)

    def watch(self, callback) -> None:
        self.group.idToggled.connect(lambda *_: callback())


class _OptionalDate(QWidget):
    """A date edit with an 'unknown' box, because an empty QDateEdit does not exist."""

    def __init__(self):
        super().__init__()
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("dd MMM yyyy")
        self.edit.setMinimumHeight(TOUCH_HEIGHT)
        self.edit.setDate(QDate.currentDate())
        self.given = QCheckBox(self.tr("Answered"))
        self.given.setMinimumHeight(TOUCH_HEIGHT)
        self.given.toggled.connect(self.edit.setEnabled)
        self.edit.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.given)
        layout.addWidget(self.edit)
        layout.addStretch(1)

    def value(self) -> object:
        return self.edit.date().toPython() if self.given.isChecked() else None

    def set_value(self, value: object) -> None:
        if value:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
            self.edit.setDate(QDate(day.year, day.month, day.day))
        self.given.setChecked(bool(value))

    def watch(self, callback) -> None:
        self.given.toggled.connect(lambda *_: callback())
        self.edit.dateChanged.connect(lambda *_: callback())


class _Text(QLineEdit):
    def __init__(self, question: Question):
        super().__init__()
        self.setMinimumHeight(TOUCH_HEIGHT)
        self.setMaxLength(question.max_length)
        if question.type is QuestionType.NUMBER:
            bounds = [str(b) for b in (question.minimum, question.maximum) if b is not None]
            self.setPlaceholderText(" – ".join(bounds))

    def value(self) -> object:
        return self.text()

    def set_value(self, value: object) -> None:
        self.setText("" if value is None else str(value))

    def watch(self, callback) -> None:
        self.textChanged.connect(lambda *_: callback())


class _Statement(QCheckBox):
    """The tick that says the person agrees to the statement written above it."""

    def __init__(self):
        super().__init__(self.tr("Agreed"))
        self.setMinimumHeight(TOUCH_HEIGHT)

    def value(self) -> object:
        return self.isChecked()

    def set_value(self, value: object) -> None:
        self.setChecked(value is True)

    def watch(self, callback) -> None:
        self.toggled.connect(lambda *_: callback())


class _Signature(QWidget):
    """The signature pad with its Clear button; the answer is the drawn PNG, or nothing."""

    def __init__(self):
        super().__init__()
        self.pad = SignaturePad()
        clear = QPushButton(self.tr("Clear signature"))
        clear.setMinimumHeight(TOUCH_HEIGHT)
        clear.clicked.connect(self.pad.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pad, 1)
        layout.addWidget(clear)

    def value(self) -> object:
        return self.pad.png_bytes() or None

    def set_value(self, value: object) -> None:
        if not value:
            self.pad.clear()  # a stored signature is shown by printing the form, never redrawn for editing

    def watch(self, callback) -> None:
        self.pad.changed.connect(callback)


def _choices(question: Question) -> list[tuple[str, object]]:
    return [(question.choice_label(c), c) for c in question.choices]


def _input_for(question: Question) -> QWidget:
    kind = question.type
    if kind in (QuestionType.SINGLE, QuestionType.SCORE):
        return _Choice(_choices(question), multiple=False)
    if kind is QuestionType.MULTIPLE:
        return _Choice(_choices(question), multiple=True)
    if kind is QuestionType.STATEMENT:
        return _Statement()
    if kind is QuestionType.SIGNATURE:
        return _Signature()
    if kind is QuestionType.YES_NO:
        return _Choice([("Yes", True), ("No", False)], multiple=False)
    if kind is QuestionType.SCALE:
        return _Scale(question)
    if kind is QuestionType.DATE:
        return _OptionalDate()
    return _Text(question)


class FormRenderer(QScrollArea):
    """One group box per section, one input per question; `answers()` reads them, `show_problems()` marks them."""

    changed = Signal()  # any answer changed: a screen that shows a live result (the dosha bar) recalculates

    def __init__(self, form: FormDefinition, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = form
        self.setWidgetResizable(True)
        self.inputs: dict[str, QWidget] = {}
        body = QWidget()
        layout = QVBoxLayout(body)
        title = QLabel(f"<h2>{form.title}</h2>")
        layout.addWidget(title)
        for section in form.sections:
            box = QGroupBox(section.title)
            grid = QGridLayout(box)  # each question's label on its own full-width line: room for long wording
            grid.setVerticalSpacing(2)
            for index, question in enumerate(section.questions):
                widget = _input_for(question)
                widget.setObjectName(f"question_{question.key}")
                widget.watch(self.changed.emit)
                if question.help:
                    widget.setToolTip(question.help)
                label = QLabel(question.label + (" *" if question.required else ""))
                label.setWordWrap(True)
                label.setStyleSheet("font-weight: 600; margin-top: 6px;")
                label.setBuddy(widget)
                row, column = divmod(index, section.columns)
                grid.addWidget(label, 2 * row, column)
                grid.addWidget(widget, 2 * row + 1, column)
                self.inputs[question.key] = widget
            for column in range(section.columns):
                grid.setColumnStretch(column, 1)
            layout.addWidget(box)
        layout.addStretch(1)
        self.setWidget(body)

    def answers(self) -> dict[str, object]:
        return {key: widget.value() for key, widget in self.inputs.items()}

    def set_answers(self, answers: dict[str, object]) -> None:
        for key, value in answers.items():
            if key in self.inputs:
                self.inputs[key].set_value(value)

    def clear_answers(self) -> None:
        for widget in self.inputs.values():
            widget.set_value(None)
        self.show_problems({})

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, widget in self.inputs.items():
            if key in problems:
                mark_invalid(widget, problems[key])
            else:
                clear_invalid(widget)
        first = next((self.inputs[k] for k in self.inputs if k in problems), None)
        if first is not None:
            self.ensureWidgetVisible(first)

