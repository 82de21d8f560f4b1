"""Centres & holidays: each clinic location with its time zone, contact details and holiday list."""

from functools import partial

from PySide6.QtWidgets import QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import admin
from clinicdesk.services.admin_dto import CentreItem
from clinicdesk.services.context import Changes
from clinicdesk.ui.admin.centre_dialog import CentreDialog
from clinicdesk.ui.admin.list_view import AdminListView
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_date, format_phone
from clinicdesk.ui.widgets.list_model import Column


def _next_holidays(centre: CentreItem, today) -> str:
    upcoming = sorted((d, n) for d, n in centre.holidays if d >= today)[:3]
    return ", ".join(f"{n} ({format_date(d)})" for d, n in upcoming)


class CentresView(AdminListView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, self.tr("Centres & holidays"), [
            Column(self.tr("Code"), lambda c: c.code),
            Column(self.tr("Name"), lambda c: c.name),
            Column(self.tr("State"), lambda c: c.state),
            Column(self.tr("Time zone"), lambda c: c.timezone),
            Column(self.tr("Phone"), lambda c: format_phone(c.phone)),
            Column(self.tr("Holidays"), lambda c: str(len(c.holidays))),
            Column(self.tr("Next holidays"), lambda c: _next_holidays(c, app.today()), stretch=True),
        ], parent)
        for column, width in ((0, 70), (1, 200), (2, 120), (3, 120), (4, 130), (5, 80)):
            self.table.setColumnWidth(column, width)
        self.dialog: CentreDialog | None = None
        manage = app.may(Action.CENTRE_MANAGE)
        self.add_button(self.tr("New centre…"), self.open_new).setVisible(manage)
        self.add_button(self.tr("Edit…"), self.edit_selected).setVisible(manage)
        self.button_row.addStretch(1)

    def is_relevant(self, changes: Changes) -> bool:
        return changes.centres

    def loader(self):
        return partial(admin.list_centres, self.app.ctx)

    def open_new(self) -> CentreDialog:
        self.dialog = CentreDialog(self.app, parent=self.window())
        self.dialog.open()
        return self.dialog

    def edit_selected(self) -> CentreDialog | None:
        if (centre := self.selected()) is None:
            return None
        self.dialog = CentreDialog(self.app, centre, parent=self.window())
        self.dialog.open()
        return self.dialog
