"""Input widgets with the small behaviours forms share: combos over (code, label) pairs, optional dates."""

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QWidget

NO_DATE = QDate(1900, 1, 1)


class ChoiceCombo(QComboBox):
    """A combo whose items carry the stored code; `value()` gives the code, `set_value` selects by code."""

    def __init__(self, choices: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        for code, label in choices:
            self.addItem(label, code)

    def value(self) -> str:
        return self.currentData() or ""

    def set_value(self, code: str) -> None:
        index = self.findData(code)
        if index < 0 and code:
            # A stored value no longer offered still shows, rather than silently changing to the first choice.
            self.addItem(code, code)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))


class OptionalDateEdit(QDateEdit):
    """A date that may be left empty: its minimum is shown as `empty_text` and read back as None."""

    def __init__(self, empty_text: str, *, latest: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("dd MMM yyyy")
        self.setMinimumDate(NO_DATE)
        if latest:
            self.setMaximumDate(QDate(latest.year, latest.month, latest.day))
        self.setSpecialValueText(empty_text)
        self.setDate(NO_DATE)

    def value(self) -> date | None:
        current = self.date()
        return None if current == NO_DATE else date(current.year(), current.month(), current.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
