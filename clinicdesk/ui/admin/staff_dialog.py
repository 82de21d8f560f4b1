"""Create or edit a staff account: role and centre, contact, practitioner profile, working hours and leave."""

from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from clinicdesk.domain.admin_rules import STAFF_GENDERS, VERIFICATION_STATUSES
from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import admin
from clinicdesk.services.admin_dto import CentreItem, PractitionerProfile, StaffDraft, StaffItem
from clinicdesk.ui.admin.schedule_editors import LeaveEditor, WorkingHoursEditor
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_choices
from clinicdesk.ui.widgets.form_dialog import FormDialog
from clinicdesk.ui.widgets.inputs import ChoiceCombo, OptionalDateEdit

_PRACTITIONER_ROLES = {Role.DOCTOR.value, Role.THERAPIST.value, Role.NURSE.value}


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


class StaffDialog(FormDialog):
    def __init__(self, app: AppContext, centres: list[CentreItem], staff: StaffItem | None = None,
                 parent: QWidget | None = None):
        super().__init__(app, self.tr("Edit staff member") if staff else self.tr("New staff member"), parent)
        self.staff = staff
        self.resize(760, 600)
        self.tabs = QTabWidget()
        self.body.removeItem(self.form)
        self.body.addWidget(self.tabs)

        # Account
        self.username = QLineEdit()
        self.username.setPlaceholderText(self.tr("e.g. anitha.m (lower-case, used to sign in)"))
        self.full_name = QLineEdit()
        self.role = ChoiceCombo(code_choices([r.value for r in Role]))
        self.centre = ChoiceCombo([(c.id, f"{c.name} ({c.code})") for c in centres])
        self.gender = ChoiceCombo([("", self.tr("Not stated"))] + code_choices([g for g in STAFF_GENDERS if g]))
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_again = QLineEdit()
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        account = QWidget()
        form = QFormLayout(account)
        form.addRow(self.tr("Username *"), self.username)
        form.addRow(self.tr("Full name *"), self.full_name)
        form.addRow(self.tr("Role *"), self.role)
        form.addRow(self.tr("Centre *"), self.centre)
        form.addRow(self.tr("Gender"), self.gender)
        form.addRow(self.tr("Phone"), self.phone)
        form.addRow(self.tr("Email"), self.email)
        if staff is None:
            self.password.setPlaceholderText(self.tr("at least 10 characters; a short sentence works well"))
            form.addRow(self.tr("Password *"), self.password)
            form.addRow(self.tr("Password again *"), self.password_again)
        else:
            self.username.setReadOnly(True)  # usernames appear in the audit log; they never change
        self.tabs.addTab(account, self.tr("Account"))

        # Practitioner profile
        self.has_profile = QCheckBox(self.tr("This person treats patients (keep a practitioner profile)"))
        self.licence = QLineEdit()
        self.licence.setPlaceholderText(self.tr("State council or AYUSH registration number"))
        self.qualifications = QLineEdit()
        self.qualifications.setPlaceholderText(self.tr("e.g. BAMS, MD (Ayu)"))
        self.specialisations = QLineEdit()
        self.specialisations.setPlaceholderText(self.tr("comma-separated, e.g. Panchakarma, Kayachikitsa"))
        self.skills = QLineEdit()
        self.skills.setPlaceholderText(self.tr("comma-separated, e.g. abhyanga, shirodhara, basti"))
        self.languages = QLineEdit()
        self.languages.setPlaceholderText(self.tr("comma-separated, e.g. Malayalam, English, Hindi"))
        self.fee = QDoubleSpinBox()
        self.fee.setRange(0, 100000)
        self.fee.setDecimals(2)
        self.fee.setPrefix("₹ ")
        self.verification = ChoiceCombo(code_choices(VERIFICATION_STATUSES))
        self.expiry = OptionalDateEdit(self.tr("No expiry recorded"))
        profile = QWidget()
        profile_form = QFormLayout(profile)
        profile_form.addRow(self.has_profile)
        profile_form.addRow(self.tr("Licence number"), self.licence)
        profile_form.addRow(self.tr("Qualifications"), self.qualifications)
        profile_form.addRow(self.tr("Specialisations"), self.specialisations)
        profile_form.addRow(self.tr("Therapy skills"), self.skills)
        profile_form.addRow(self.tr("Languages spoken"), self.languages)
        profile_form.addRow(self.tr("Consultation fee"), self.fee)
        profile_form.addRow(self.tr("Verification"), self.verification)
        profile_form.addRow(self.tr("Credential expiry"), self.expiry)
        self._profile_fields = [self.licence, self.qualifications, self.specialisations, self.skills,
                                self.languages, self.fee, self.verification, self.expiry]
        self.has_profile.toggled.connect(self._profile_toggled)
        self.tabs.addTab(profile, self.tr("Practitioner profile"))

        # Hours and leave
        self.hours = WorkingHoursEditor()
        self.tabs.addTab(self.hours, self.tr("Working hours"))
        self.leave = LeaveEditor(app.today())
        self.tabs.addTab(self.leave, self.tr("Leave"))

        self.errors.fields = {
            "username": self.username, "full_name": self.full_name, "role": self.role, "centre_id": self.centre,
            "gender": self.gender, "phone": self.phone, "email": self.email, "password": self.password,
            "password_again": self.password_again, "licence_number": self.licence, "consultation_fee": self.fee,
            "verification_status": self.verification, "hours": self.hours.table, "leave": self.leave.table,
        }
        if staff:
            self._fill(staff)
        else:
            self.centre.set_value(app.user.centre_id if app.user else "")
            self.role.set_value(Role.FRONT_DESK.value)
            self._profile_toggled(False)
            self.role.currentIndexChanged.connect(self._suggest_profile)

    def _fill(self, staff: StaffItem) -> None:
        self.username.setText(staff.username)
        self.full_name.setText(staff.full_name)
        self.role.set_value(staff.role)
        self.centre.set_value(staff.centre_id)
        self.gender.set_value(staff.gender)
        self.phone.setText(staff.phone)
        self.email.setText(staff.email)
        p = staff.profile
        self.has_profile.setChecked(p is not None)
        self._profile_toggled(p is not None)
        if p:
            self.licence.setText(p.licence_number)
            self.qualifications.setText(p.qualifications)
            self.specialisations.setText(", ".join(p.specialisations))
            self.skills.setText(", ".join(p.skills))
            self.languages.setText(", ".join(p.languages))
            self.fee.setValue(float(p.consultation_fee))
            self.verification.set_value(p.verification_status)
            self.expiry.set_value(p.credential_expiry)
        self.hours.set_hours(staff.hours)
        self.leave.set_leave(staff.leave)

    def _suggest_profile(self) -> None:
        self.has_profile.setChecked(self.role.value() in _PRACTITIONER_ROLES)

    def _profile_toggled(self, on: bool) -> None:
        for widget in self._profile_fields:
            widget.setEnabled(on)

    def draft(self) -> StaffDraft:
        profile = None
        if self.has_profile.isChecked():
            try:
                fee = Decimal(str(round(self.fee.value(), 2)))
            except InvalidOperation:
                fee = Decimal("0")
            profile = PractitionerProfile(
                licence_number=self.licence.text().strip(), qualifications=self.qualifications.text().strip(),
                specialisations=_split(self.specialisations.text()), skills=_split(self.skills.text()),
                languages=_split(self.languages.text()), consultation_fee=fee,
                verification_status=self.verification.value(), credential_expiry=self.expiry.value())
        return StaffDraft(username=self.username.text(), full_name=self.full_name.text(), role=self.role.value(),
                          centre_id=self.centre.value(), gender=self.gender.value(), phone=self.phone.text(),
                          email=self.email.text(), profile=profile, hours=self.hours.hours(),
                          leave=self.leave.leave())

    def save(self) -> None:
        if self.staff:
            self.submit(admin.update_staff, self.app.ctx, self.staff.id, self.draft())
            return
        if self.password.text() != self.password_again.text():
            self.refused(ValidationError({"password_again": "does not match the password typed above"},
                                         {"password_again": self.tr("Password again")}))
            return
        self.submit(admin.create_staff, self.app.ctx, self.draft(), self.password.text())
