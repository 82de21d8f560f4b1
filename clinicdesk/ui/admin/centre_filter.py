"""A "Centre:" combo for admin lists that belong to one centre (rooms, equipment); empty means all centres."""

from PySide6.QtWidgets import QLabel, QWidget

from clinicdesk.services.admin_dto import CentreItem
from clinicdesk.ui.i18n import translate
from clinicdesk.ui.widgets.inputs import ChoiceCombo


class CentreFilter(ChoiceCombo):
    def __init__(self, parent: QWidget | None = None):
        super().__init__([("", translate("CentreFilter", "All centres"))], parent)
        self.label = QLabel(translate("CentreFilter", "Centre:"))

    def set_centres(self, centres: list[CentreItem]) -> None:
        current = self.value()
        self.blockSignals(True)  # refilling must not trigger another reload
        while self.count() > 1:
            self.removeItem(1)
        for centre in centres:
            self.addItem(f"{centre.name} ({centre.code})", centre.id)
        index = self.findData(current)
        self.setCurrentIndex(index if index >= 0 else 0)
        self.blockSignals(False)
