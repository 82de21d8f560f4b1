"""Showing a refused save: a banner with one sentence per problem, and a red border and tooltip on each field."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from clinicdesk.domain.errors import ValidationError


class ErrorBanner(QLabel):
    """Sits at the top of a form; hidden until there is something to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def show_messages(self, messages: list[str]) -> None:
        if len(messages) == 1:
            self.setText(messages[0] + ".")
        else:
            intro = self.tr("Please correct these fields:")
            self.setText(intro + "\n" + "\n".join(f"• {m}." for m in messages))
        self.show()

    def clear_messages(self) -> None:
        self.clear()
        self.hide()


def _repolish(widget: QWidget) -> None:
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def mark_invalid(widget: QWidget, message: str) -> None:
    widget.setProperty("invalid", True)  # the style sheet's QWidget[invalid="true"] draws the red border
    widget.setToolTip(message)
    _repolish(widget)


def clear_invalid(widget: QWidget) -> None:
    widget.setProperty("invalid", False)
    widget.setToolTip("")
    _repolish(widget)


class FieldErrors:
    """Maps service field names (the keys of ValidationError.problems) to the widgets that edit them."""

    def __init__(self, banner: ErrorBanner, fields: dict[str, QWidget]):
        self.banner = banner
        self.fields = dict(fields)
        self._marked: set[str] = set()

    def show(self, error: ValidationError) -> QWidget | None:
        """Mark every wrong field; returns the first marked widget so the form can scroll to it."""
        self.clear()
        self.banner.show_messages(error.messages())
        first = None
        for (name, _), sentence in zip(error.problems.items(), error.messages(), strict=True):
            widget = self.fields.get(name)
            if widget is not None:
                mark_invalid(widget, sentence + ".")
                self._marked.add(name)
                first = first or widget
        return first

    def show_text(self, text: str) -> None:
        self.clear()
        self.banner.show_messages([text.rstrip(".")])

    def clear(self) -> None:
        self.banner.clear_messages()
        for name in self._marked:
            if name in self.fields:
                clear_invalid(self.fields[name])
        self._marked.clear()

    def invalid_fields(self) -> list[str]:
        return [name for name in self.fields if name in self._marked]
