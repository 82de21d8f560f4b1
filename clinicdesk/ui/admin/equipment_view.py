"""Equipment: what each centre has (dronis, steam chambers, stands), where it is kept and how many."""

from PySide6.QtWidgets import QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import admin
from clinicdesk.services.admin_dto import RoomItem
from clinicdesk.services.context import Changes
from clinicdesk.ui.admin.centre_filter import CentreFilter
from clinicdesk.ui.admin.equipment_dialog import EquipmentDialog
from clinicdesk.ui.admin.list_view import AdminListView
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_label
from clinicdesk.ui.widgets.list_model import Column


class EquipmentView(AdminListView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        self.rooms: dict[str, RoomItem] = {}
        super().__init__(app, self.tr("Equipment"), [
            Column(self.tr("Name"), lambda e: e.name, stretch=True),
            Column(self.tr("Kind"), lambda e: code_label(e.kind)),
            Column(self.tr("Centre"), lambda e: self.centre_name(e.centre_id)),
            Column(self.tr("Room"), lambda e: self.rooms[e.room_id].name if e.room_id in self.rooms else ""),
            Column(self.tr("Quantity"), lambda e: str(e.quantity)),
        ], parent)
        for column, width in ((1, 180), (2, 180), (3, 160), (4, 80)):
            self.table.setColumnWidth(column, width)
        self.centre_filter = CentreFilter()
        self.centre_filter.currentIndexChanged.connect(lambda _: self.refresh_now())
        self.filter_row.addWidget(self.centre_filter.label)
        self.filter_row.addWidget(self.centre_filter)
        self.dialog: EquipmentDialog | None = None
        manage = app.may(Action.CENTRE_MANAGE)
        self.add_button(self.tr("New equipment…"), self.open_new).setVisible(manage)
        self.add_button(self.tr("Edit…"), self.edit_selected).setVisible(manage)
        self.button_row.addStretch(1)

    def is_relevant(self, changes: Changes) -> bool:
        return changes.centres

    def loader(self):
        ctx, centre_id = self.app.ctx, self.centre_filter.value() or None

        def load():
            # Rooms first, so the room column can name them when the rows arrive.
            rooms = admin.list_rooms(ctx)
            return rooms, admin.list_equipment(ctx, centre_id)

        return load

    def _loaded(self, result) -> None:
        centres, (rooms, items) = result
        self.rooms = {r.id: r for r in rooms}
        super()._loaded((centres, items))

    def after_load(self) -> None:
        self.centre_filter.set_centres(list(self.centres.values()))

    def _dialog(self, item=None) -> EquipmentDialog:
        centre_id = self.centre_filter.value() or (self.app.user.centre_id if self.app.user else "")
        self.dialog = EquipmentDialog(self.app, list(self.centres.values()), list(self.rooms.values()), item,
                                      parent=self.window(), centre_id=centre_id,
                                      known_kinds=tuple(e.kind for e in self.model.rows()))
        self.dialog.open()
        return self.dialog

    def open_new(self) -> EquipmentDialog:
        return self._dialog()

    def edit_selected(self) -> EquipmentDialog | None:
        if (item := self.selected()) is None:
            return None
        return self._dialog(item)
