"""Rounded labels for allergies (red, always visible) and current medications, with an optional remove button."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class Chip(QFrame):
    remove_requested = Signal(str)  # the item id

    def __init__(self, text: str, item_id: str, *, kind: str = "allergy", removable: bool = False,
                 tooltip: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("allergyChip" if kind == "allergy" else "medicationChip")
        self.item_id = item_id
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 2, 4 if removable else 10, 2)
        layout.setSpacing(4)
        self.label = QLabel(text)
        layout.addWidget(self.label)
        if tooltip:
            self.setToolTip(tooltip)
        if removable:
            button = QToolButton()
            button.setText("×")
            button.setAutoRaise(True)
            button.setToolTip(self.tr("Remove"))
            button.clicked.connect(lambda: self.remove_requested.emit(self.item_id))
            layout.addWidget(button)
