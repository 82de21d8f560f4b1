"""Rooms: treatment and consultation rooms per centre, with type, capacity, gender rule and cleaning buffer."""

from functools import partial

from PySide6.QtWidgets import QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import admin
from clinicdesk.services.context import Changes
from clinicdesk.ui.admin.centre_filter import CentreFilter
from clinicdesk.ui.admin.list_view import AdminListView
from clinicdesk.ui.admin.room_dialog import RoomDialog
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_label
from clinicdesk.ui.widgets.list_model import Column
from clinicdesk.ui.widgets.messages import confirm


class RoomsView(AdminListView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, self.tr("Rooms"), [
            Column(self.tr("Name"), lambda r: r.name, stretch=True),
            Column(self.tr("Centre"), lambda r: self.centre_name(r.centre_id)),
            Column(self.tr("Type"), lambda r: code_label(r.room_type)),
            Column(self.tr("Capacity"), lambda r: str(r.capacity)),
            Column(self.tr("Gender"), lambda r: code_label(r.gender_restriction)),
            Column(self.tr("Cleaning buffer"), lambda r: self.tr("%1 min").replace("%1",
                                                                                   str(r.cleaning_buffer_minutes))),
            Column(self.tr("Active"), lambda r: self.tr("Yes") if r.active else self.tr("No")),
        ], parent)
        for column, width in ((1, 180), (2, 150), (3, 80), (4, 90), (5, 120), (6, 70)):
            self.table.setColumnWidth(column, width)
        self.centre_filter = CentreFilter()
        self.centre_filter.currentIndexChanged.connect(lambda _: self.refresh_now())
        self.filter_row.addWidget(self.centre_filter.label)
        self.filter_row.addWidget(self.centre_filter)
        self.dialog: RoomDialog | None = None
        manage = app.may(Action.CENTRE_MANAGE)
        self.add_button(self.tr("New room…"), self.open_new).setVisible(manage)
        self.add_button(self.tr("Edit…"), self.edit_selected).setVisible(manage)
        self.add_button(self.tr("Activate / deactivate"), self.toggle_active, stretch_before=True).setVisible(manage)

    def is_relevant(self, changes: Changes) -> bool:
        return changes.centres

    def loader(self):
        return partial(admin.list_rooms, self.app.ctx, self.centre_filter.value() or None)

    def after_load(self) -> None:
        self.centre_filter.set_centres(list(self.centres.values()))

    def open_new(self) -> RoomDialog:
        self.dialog = RoomDialog(self.app, list(self.centres.values()), parent=self.window(),
                                 centre_id=self.centre_filter.value() or (self.app.user.centre_id if self.app.user
                                                                          else ""))
        self.dialog.open()
        return self.dialog

    def edit_selected(self) -> RoomDialog | None:
        if (room := self.selected()) is None:
            return None
        self.dialog = RoomDialog(self.app, list(self.centres.values()), room, parent=self.window())
        self.dialog.open()
        return self.dialog

    def toggle_active(self) -> None:
        if (room := self.selected()) is None:
            return
        question = (self.tr("Take %1 out of use? It will not be offered for bookings.") if room.active
                    else self.tr("Put %1 back in use?")).replace("%1", room.name)
        if confirm(self, question):
            self.run_action(admin.set_room_active, room.id, not room.active)
