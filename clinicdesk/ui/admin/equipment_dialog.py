"""Create or edit an equipment item: centre, name, kind, the room it stays in (optional), and quantity."""

from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QWidget

from clinicdesk.services import admin
from clinicdesk.services.admin_dto import CentreItem, EquipmentDraft, EquipmentItem, RoomItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.widgets.form_dialog import FormDialog
from clinicdesk.ui.widgets.inputs import ChoiceCombo

EQUIPMENT_KINDS = ("droni", "steam_box", "shirodhara_stand", "basti_kit", "nasya_kit", "oil_warmer", "recliner",
                   "bp_monitor", "yoga_mat")


class EquipmentDialog(FormDialog):
    def __init__(self, app: AppContext, centres: list[CentreItem], rooms: list[RoomItem],
                 item: EquipmentItem | None = None, parent: QWidget | None = None, *, centre_id: str = "",
                 known_kinds: tuple[str, ...] = ()):
        super().__init__(app, self.tr("Edit equipment") if item else self.tr("New equipment"), parent)
        self.item = item
        self.rooms = rooms
        self.centre = ChoiceCombo([(c.id, f"{c.name} ({c.code})") for c in centres])
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Droni 2"))
        self.kind = QComboBox()
        self.kind.setEditable(True)
        # Offer the kinds already in use first, so the same thing is not entered under two spellings.
        self.kind.addItems(["", *sorted(set(known_kinds) | set(EQUIPMENT_KINDS))])
        self.room = ChoiceCombo([])
        self.quantity = QSpinBox()
        self.quantity.setRange(0, 9999)
        self.quantity.setValue(1)
        for label, widget in ((self.tr("Centre *"), self.centre), (self.tr("Name *"), self.name),
                              (self.tr("Kind *"), self.kind), (self.tr("Kept in room"), self.room),
                              (self.tr("Quantity"), self.quantity)):
            self.form.addRow(label, widget)
        self.errors.fields = {"centre_id": self.centre, "name": self.name, "kind": self.kind, "room_id": self.room,
                              "quantity": self.quantity}
        self.centre.currentIndexChanged.connect(lambda _: self._fill_rooms())
        self.centre.set_value(item.centre_id if item else centre_id)
        self._fill_rooms()
        if item:
            self.name.setText(item.name)
            self.kind.setCurrentText(item.kind)
            self.room.set_value(item.room_id or "")
            self.quantity.setValue(item.quantity)

    def _fill_rooms(self) -> None:
        """Only rooms of the chosen centre are offered; equipment cannot sit in another centre's room."""
        self.room.clear()
        self.room.addItem(self.tr("Not kept in one room"), "")
        for room in self.rooms:
            if room.centre_id == self.centre.value():
                self.room.addItem(room.name, room.id)

    def draft(self) -> EquipmentDraft:
        return EquipmentDraft(centre_id=self.centre.value(), name=self.name.text(), kind=self.kind.currentText(),
                              room_id=self.room.value() or None, quantity=self.quantity.value())

    def save(self) -> None:
        self.submit(admin.save_equipment, self.app.ctx, self.draft(), self.item.id if self.item else None)
