"""Create or edit a room: centre, name, therapy type, capacity, gender restriction and cleaning buffer."""

from PySide6.QtWidgets import QLineEdit, QSpinBox, QWidget

from clinicdesk.domain.admin_rules import GENDER_RESTRICTIONS, ROOM_TYPES
from clinicdesk.services import admin
from clinicdesk.services.admin_dto import CentreItem, RoomDraft, RoomItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_choices
from clinicdesk.ui.widgets.form_dialog import FormDialog
from clinicdesk.ui.widgets.inputs import ChoiceCombo


class RoomDialog(FormDialog):
    def __init__(self, app: AppContext, centres: list[CentreItem], room: RoomItem | None = None,
                 parent: QWidget | None = None, *, centre_id: str = ""):
        super().__init__(app, self.tr("Edit room") if room else self.tr("New room"), parent)
        self.room = room
        self.centre = ChoiceCombo([(c.id, f"{c.name} ({c.code})") for c in centres])
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Abhyanga 1"))
        self.room_type = ChoiceCombo(code_choices(ROOM_TYPES))
        self.capacity = QSpinBox()
        self.capacity.setRange(0, 99)  # the service states the real limits, with a sentence
        self.capacity.setValue(1)
        self.gender = ChoiceCombo(code_choices(GENDER_RESTRICTIONS))
        self.cleaning = QSpinBox()
        self.cleaning.setRange(0, 600)
        self.cleaning.setSuffix(self.tr(" minutes"))
        self.cleaning.setSingleStep(5)
        for label, widget in ((self.tr("Centre *"), self.centre), (self.tr("Name *"), self.name),
                              (self.tr("Type *"), self.room_type), (self.tr("Capacity (people)"), self.capacity),
                              (self.tr("Gender restriction"), self.gender),
                              (self.tr("Cleaning buffer"), self.cleaning)):
            self.form.addRow(label, widget)
        self.errors.fields = {"centre_id": self.centre, "name": self.name, "room_type": self.room_type,
                              "capacity": self.capacity, "gender_restriction": self.gender,
                              "cleaning_buffer_minutes": self.cleaning}
        if room:
            self.centre.set_value(room.centre_id)
            self.name.setText(room.name)
            self.room_type.set_value(room.room_type)
            self.capacity.setValue(room.capacity)
            self.gender.set_value(room.gender_restriction)
            self.cleaning.setValue(room.cleaning_buffer_minutes)
        elif centre_id:
            self.centre.set_value(centre_id)

    def draft(self) -> RoomDraft:
        return RoomDraft(centre_id=self.centre.value(), name=self.name.text(), room_type=self.room_type.value(),
                         capacity=self.capacity.value(), gender_restriction=self.gender.value(),
                         cleaning_buffer_minutes=self.cleaning.value())

    def save(self) -> None:
        self.submit(admin.save_room, self.app.ctx, self.draft(), self.room.id if self.room else None)
