"""Staff & roles: everyone who can sign in, with role, centre, active and locked state, and the admin actions."""

from functools import partial

from PySide6.QtWidgets import QLineEdit, QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import admin
from clinicdesk.services.admin_dto import StaffItem
from clinicdesk.services.context import Changes
from clinicdesk.ui.admin.list_view import AdminListView
from clinicdesk.ui.admin.staff_dialog import StaffDialog
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_label
from clinicdesk.ui.widgets.form_dialog import FormDialog
from clinicdesk.ui.widgets.list_model import Column
from clinicdesk.ui.widgets.messages import confirm


class ResetPasswordDialog(FormDialog):
    """An administrator sets a new password for someone (this also clears a lock-out)."""

    def __init__(self, app: AppContext, staff: StaffItem, parent: QWidget | None = None):
        super().__init__(app, self.tr("Reset password"), parent)
        self.staff = staff
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(self.tr("Staff member"), QLineEdit(f"{staff.full_name} ({staff.username})", readOnly=True))
        self.form.addRow(self.tr("New password"), self.password)
        self.errors.fields = {"password": self.password}

    def save(self) -> None:
        self.submit(admin.reset_staff_password, self.app.ctx, self.staff.id, self.password.text())


class StaffView(AdminListView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        yes, no = self.tr("Yes"), self.tr("No")
        super().__init__(app, self.tr("Staff & roles"), [
            Column(self.tr("Name"), lambda s: s.full_name, stretch=True),
            Column(self.tr("Username"), lambda s: s.username),
            Column(self.tr("Role"), lambda s: code_label(s.role)),
            Column(self.tr("Centre"), lambda s: self.centre_name(s.centre_id)),
            Column(self.tr("Active"), lambda s: yes if s.active else no),
            Column(self.tr("Locked"), lambda s: self.tr("Locked") if s.locked else ""),
        ], parent)
        for column, width in ((1, 150), (2, 200), (3, 200), (4, 70), (5, 80)):
            self.table.setColumnWidth(column, width)
        manage = app.may(Action.STAFF_MANAGE)
        self.dialog: QWidget | None = None
        buttons = [self.add_button(self.tr("New staff member…"), self.open_new),
                   self.add_button(self.tr("Edit…"), self.edit_selected),
                   self.add_button(self.tr("Activate / deactivate"), self.toggle_active, stretch_before=True),
                   self.add_button(self.tr("Reset password…"), self.reset_password),
                   self.add_button(self.tr("Unlock"), self.unlock)]
        for button in buttons:
            button.setVisible(manage)

    def is_relevant(self, changes: Changes) -> bool:
        return changes.staff or changes.centres

    def loader(self):
        return partial(admin.list_staff, self.app.ctx)

    def open_new(self) -> StaffDialog:
        self.dialog = StaffDialog(self.app, list(self.centres.values()), parent=self.window())
        self.dialog.open()
        return self.dialog

    def edit_selected(self) -> StaffDialog | None:
        if (staff := self.selected()) is None:
            return None
        self.dialog = StaffDialog(self.app, list(self.centres.values()), staff, parent=self.window())
        self.dialog.open()
        return self.dialog

    def toggle_active(self) -> None:
        if (staff := self.selected()) is None:
            return
        question = (self.tr("Deactivate %1? They will not be able to sign in.") if staff.active
                    else self.tr("Activate %1 again?")).replace("%1", staff.full_name)
        if confirm(self, question):
            self.run_action(admin.set_staff_active, staff.id, not staff.active)

    def reset_password(self) -> None:
        if (staff := self.selected()) is not None:
            self.dialog = ResetPasswordDialog(self.app, staff, self.window())
            self.dialog.open()

    def unlock(self) -> None:
        if (staff := self.selected()) is not None:
            self.run_action(admin.unlock_staff, staff.id)
