"""The whole role x action matrix through the real services, and what the audit log records (never patient values)."""

import ast
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

import clinicdesk.services
from clinicdesk.domain.errors import PermissionDenied
from clinicdesk.domain.roles import PERMISSIONS, Action, Role
from clinicdesk.services import admin, auth, patient_records, patients
from clinicdesk.services.admin_dto import CentreDraft, EquipmentDraft, RoomDraft, StaffDraft
from clinicdesk.services.auth import SignInRefused
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.services.patient_dto import CommunicationPreferences
from clinicdesk.store.models import AuditEntryRow, PatientRow
from tests.conftest import STAFF_PASSWORD, FixedClock
from tests.services import (
    appointment_matrix,
    billing_matrix,
    consultation_matrix,
    dashboard_matrix,
    documents_matrix,
    feedback_matrix,
    form_mapping_matrix,
    intake_matrix,
    notification_matrix,
    portal_matrix,
    sync_matrix,
    therapy_matrix,
)
from tests.services.appointment_matrix import Diary
from tests.services.helpers import aadhaar, audit_rows, patient_draft, standalone_clinic

ANSWERS = {"frame": "vata", "skin": "pitta", "hair": "kapha", "appetite": "vata", "digestion": "pitta",
           "sleep": "kapha"}


@dataclass
class World:
    """One clinic shared by the whole matrix: a user per role and one record of every kind to act on."""

    db: object
    clock: FixedClock
    backup_dir: Path
    users: dict[Role, SignedInUser] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    counter: itertools.count = field(default_factory=itertools.count)
    diary: Diary | None = None  # the bookable corner for the appointment actions
    floor: therapy_matrix.Floor | None = None  # the Panchakarma corner for the therapy actions
    room: consultation_matrix.ConsultRoom | None = None  # the consulting room for the consultation actions

    def ctx(self, role: Role) -> ServiceContext:
        return ServiceContext(self.db, user=self.users[role], clock=self.clock)

    def patient_version(self) -> int:
        with self.db.session() as session:
            return session.get(PatientRow, self.ids["patient"]).row_version


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    with standalone_clinic(root / "clinic") as boss:
        w = World(db=boss.db, clock=boss.clock, backup_dir=root / "backups")
        w.backup_dir.mkdir()
        w.users[Role.ADMIN] = boss.user
        build_world(w, boss)
        yield w


def build_world(w: World, boss: ServiceContext) -> None:
    centre = w.users[Role.ADMIN].centre_id
    for role in Role:
        if role is not Role.ADMIN:
            username = f"user.{role.value}".replace("_", "")
            staff_id, _ = admin.create_staff(boss, StaffDraft(username, f"Test {role.value}", role.value, centre),
                                             STAFF_PASSWORD)
            w.users[role] = SignedInUser(staff_id, username, f"Test {role.value}", role, centre)
    w.ids["centre"] = centre
    w.ids["target_staff"], _ = admin.create_staff(
        boss, StaffDraft("target.staff", "Target Staff", "therapist", centre), STAFF_PASSWORD)
    w.ids["patient"], _ = patients.register_patient(boss, patient_draft(aadhaar=aadhaar()))
    patient_records.add_allergy(boss, w.ids["patient"], "Dust")
    patient_records.add_medication(boss, w.ids["patient"], "Triphala")
    patient_records.record_consent(boss, w.ids["patient"], kind="treatment", version="1", method="signed")
    patient_records.add_document(boss, w.ids["patient"], title="Scan", mime_type="text/plain", content=b"scan")
    profile = patients.get_profile(boss, w.ids["patient"])
    w.ids |= {"allergy": profile.allergies[0].id, "medication": profile.medications[0].id,
              "consent": profile.consents[0].id, "document": profile.documents[0].id}
    w.ids["room"], _ = admin.save_room(boss, RoomDraft(centre, "Abhyanga 1", "abhyanga"))
    w.ids["equipment"], _ = admin.save_equipment(boss, EquipmentDraft(centre, "Droni", "droni", w.ids["room"]))
    w.diary = Diary(boss, centre)
    w.diary.set_up()
    w.floor = therapy_matrix.Floor(boss)
    w.floor.set_up()
    w.room = consultation_matrix.ConsultRoom(boss)
    w.room.set_up()


Call = Callable[[ServiceContext, World], object]

# Every service function that checks an action, with valid input so an allowed call really succeeds.
REGISTRY: dict[Action, dict[str, Call]] = {
    Action.PATIENT_SEARCH: {
        "patients.search_patients": lambda c, w: patients.search_patients(c, "asha")},
    Action.PATIENT_VIEW: {
        "patients.get_profile": lambda c, w: patients.get_profile(c, w.ids["patient"])},
    Action.PATIENT_REGISTER: {
        "patients.register_patient": lambda c, w: patients.register_patient(c, patient_draft(given_name="Ravi"))},
    Action.PATIENT_EDIT_DEMOGRAPHICS: {
        "patients.update_patient": lambda c, w: patients.update_patient(
            c, w.ids["patient"], patient_draft(city="Kochi"), expected_version=w.patient_version()),
        "patient_records.set_preferences": lambda c, w: patient_records.set_preferences(
            c, w.ids["patient"], CommunicationPreferences(language="ml"))},
    Action.PATIENT_EDIT_CLINICAL: {
        "patient_records.add_allergy": lambda c, w: patient_records.add_allergy(c, w.ids["patient"], "Pollen"),
        "patient_records.remove_allergy": lambda c, w: patient_records.remove_allergy(
            c, w.ids["patient"], w.ids["allergy"]),
        "patient_records.add_medication": lambda c, w: patient_records.add_medication(
            c, w.ids["patient"], "Ashwagandha", since=date(2026, 1, 1)),
        "patient_records.stop_medication": lambda c, w: patient_records.stop_medication(
            c, w.ids["patient"], w.ids["medication"])},
    Action.PATIENT_VIEW_AADHAAR: {
        "patients.reveal_aadhaar": lambda c, w: patients.reveal_aadhaar(c, w.ids["patient"])},
    Action.PATIENT_ASSESS: {
        "patient_records.record_assessment": lambda c, w: patient_records.record_assessment(
            c, w.ids["patient"], prakriti_answers=ANSWERS)},
    Action.PATIENT_CONSENT: {
        "patient_records.record_consent": lambda c, w: patient_records.record_consent(
            c, w.ids["patient"], kind="recording", version="1", method="verbal"),
        "patient_records.withdraw_consent": lambda c, w: patient_records.withdraw_consent(
            c, w.ids["patient"], w.ids["consent"])},
    Action.PATIENT_DOCUMENT_ADD: {
        "patient_records.add_document": lambda c, w: patient_records.add_document(
            c, w.ids["patient"], title="Report", mime_type="application/pdf", content=b"%PDF-1.4")},
    Action.PATIENT_DOCUMENT_VIEW: {
        "patient_records.open_document": lambda c, w: patient_records.open_document(
            c, w.ids["patient"], w.ids["document"])},
    Action.PATIENT_PRINT: {
        "patients.profile_for_print": lambda c, w: patients.profile_for_print(c, w.ids["patient"])},
    Action.PATIENT_EXPORT: {
        "patients.profile_for_export": lambda c, w: patients.profile_for_export(c, w.ids["patient"])},
    Action.STAFF_MANAGE: {
        "admin.create_staff": lambda c, w: admin.create_staff(
            c, StaffDraft(f"new.staff{next(w.counter)}", "New Staff", "nurse", w.ids["centre"]), STAFF_PASSWORD),
        "admin.update_staff": lambda c, w: admin.update_staff(
            c, w.ids["target_staff"], StaffDraft("target.staff", "Target Staff", "therapist", w.ids["centre"])),
        "admin.set_staff_active": lambda c, w: admin.set_staff_active(c, w.ids["target_staff"], True),
        "admin.reset_staff_password": lambda c, w: admin.reset_staff_password(
            c, w.ids["target_staff"], "river boat morning"),
        "admin.unlock_staff": lambda c, w: admin.unlock_staff(c, w.ids["target_staff"])},
    Action.STAFF_VIEW: {
        "admin.list_staff": lambda c, w: admin.list_staff(c)},
    Action.CENTRE_MANAGE: {
        "admin.save_centre": lambda c, w: admin.save_centre(c, CentreDraft("KOC", "Kochi"), w.ids["centre"]),
        "admin.save_room": lambda c, w: admin.save_room(
            c, RoomDraft(w.ids["centre"], "Abhyanga 1", "abhyanga", capacity=2), w.ids["room"]),
        "admin.set_room_active": lambda c, w: admin.set_room_active(c, w.ids["room"], True),
        "admin.save_equipment": lambda c, w: admin.save_equipment(
            c, EquipmentDraft(w.ids["centre"], "Droni", "droni", w.ids["room"], 2), w.ids["equipment"])},
    Action.AUDIT_VIEW: {
        "admin.verify_audit": lambda c, w: admin.verify_audit(c)},
    Action.BACKUP_RUN: {
        "admin.run_backup": lambda c, w: admin.run_backup(c, w.backup_dir)},
    **appointment_matrix.registry(lambda w: w.diary),
    **therapy_matrix.registry(lambda w: w.floor),
    **consultation_matrix.registry(lambda w: w.room),
    **sync_matrix.registry(),
    **feedback_matrix.registry(lambda w: w.floor),
    **notification_matrix.registry(),
    **billing_matrix.registry(),
    **dashboard_matrix.registry(),
}
documents_matrix.extend(REGISTRY)  # discharge summary, FHIR and archive export, erasure

for _action, _calls in intake_matrix.registry().items():  # some of these share actions with the patient chart
    REGISTRY.setdefault(_action, {}).update(_calls)
for _action, _calls in portal_matrix.registry(lambda w: w.diary).items():  # online requests share booking's actions
    REGISTRY.setdefault(_action, {}).update(_calls)
for _action, _calls in form_mapping_matrix.registry(lambda w: w.floor).items():  # the chart's and the floor's actions
    REGISTRY.setdefault(_action, {}).update(_calls)


def test_registry_covers_every_action():
    assert set(REGISTRY) == set(Action)
    assert all(REGISTRY[action] for action in Action)


def authorising_functions() -> set[tuple[str, Action]]:
    """(module.function, action) for every service function whose body calls ctx.authorise(Action.X)."""
    found, unreadable = set(), []
    for path in sorted(Path(clinicdesk.services.__file__).parent.glob("*.py")):
        for func_def in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(func_def, ast.FunctionDef):
                continue
            for node in ast.walk(func_def):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr == "authorise":
                    action = node.args[0] if node.args else None
                    if isinstance(action, ast.Attribute) and isinstance(action.value, ast.Name) \
                            and action.value.id == "Action":
                        found.add((f"{path.stem}.{func_def.name}", Action[action.attr]))
                    else:  # an action chosen at run time would hide from this check: name it literally
                        unreadable.append(f"{path.stem}.{func_def.name}")
    assert unreadable == []
    return found


def test_registry_lists_every_service_function_that_checks_an_action():
    registered = {(name, action) for action, calls in REGISTRY.items() for name in calls}
    assert authorising_functions() == registered


def denials(ctx: ServiceContext, action: Action) -> int:
    with ctx.db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntryRow).where(
            AuditEntryRow.actor == ctx.user.username, AuditEntryRow.action == action.value,
            AuditEntryRow.outcome == "denied"))


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_matrix(world, role, action):
    ctx = world.ctx(role)
    allowed = action in PERMISSIONS[role]
    for name, call in REGISTRY[action].items():
        before = denials(ctx, action)
        if allowed:
            call(ctx, world)
            assert denials(ctx, action) == before, name
        else:
            with pytest.raises(PermissionDenied, match=f"may not do this \\({action.value}\\)"):
                call(ctx, world)
            assert denials(ctx, action) == before + 1, name


def test_signed_out_context_is_refused_everywhere(world):
    ctx = ServiceContext(world.db, clock=world.clock)
    for calls in REGISTRY.values():
        for call in calls.values():
            with pytest.raises(PermissionDenied, match="Please sign in first"):
                call(ctx, world)


def test_admin_may_do_everything_and_reception_roles_cannot_manage():
    assert PERMISSIONS[Role.ADMIN] == frozenset(Action)
    for role in set(Role) - {Role.ADMIN}:
        assert not PERMISSIONS[role] & {Action.STAFF_MANAGE, Action.CENTRE_MANAGE, Action.AUDIT_VIEW,
                                        Action.BACKUP_RUN}


def test_a_denied_call_changes_nothing_but_the_audit_log(world):
    ctx = world.ctx(Role.THERAPIST)
    version = world.patient_version()
    with pytest.raises(PermissionDenied):
        patients.update_patient(ctx, world.ids["patient"], patient_draft(given_name="Changed"),
                                expected_version=version)
    assert world.patient_version() == version
    row = audit_rows(ctx, actor=ctx.user.username)[-1]
    assert (row.action, row.entity, row.entity_id, row.outcome) == (
        "patient.edit_demographics", "patient", world.ids["patient"], "denied")


# --- what is audited, and that no patient value reaches the audit log ---------------------------------------

LAKSHMI = dict(given_name="Lakshmi", family_name="Vadakkedath", name_local="ലക്ഷ്മി വടക്കേടത്ത്",
               phone="9447261835", alt_phone="9846172839", email="lakshmi.v@example.in", aadhaar=aadhaar("87654321098"),
               abha_number="91-7777-6666-5555", abha_address="lakshmi.vadakkedath@abdm", city="Thrippunithura",
               address_line="Hill Palace Road", emergency_contact_name="Gopinath", emergency_contact_phone="9995551234",
               medical_history="Psoriasis since 2011")


def test_sign_ins_views_reveals_and_documents_are_audited_without_patient_values(admin_ctx, ctx_for_role, clock):
    desk, doctor = ctx_for_role(Role.FRONT_DESK), ctx_for_role(Role.DOCTOR)
    plain = ServiceContext(admin_ctx.db, clock=clock)
    auth.sign_in(plain, desk.user.username, STAFF_PASSWORD)
    with pytest.raises(SignInRefused):
        auth.sign_in(plain, desk.user.username, "Lakshmi Vadakkedath")  # a patient's name typed as a password
    with pytest.raises(SignInRefused):
        auth.sign_in(plain, "lakshmi.vadakkedath", "9447261835")  # and as a username

    patient_id, _ = patients.register_patient(desk, patient_draft(**LAKSHMI))
    patients.search_patients(desk, "Vadakkedath")
    patients.get_profile(desk, patient_id)
    assert patients.reveal_aadhaar(desk, patient_id) == LAKSHMI["aadhaar"]
    patient_records.add_document(desk, patient_id, title="Biopsy Vadakkedath", mime_type="text/plain",
                                 content=b"Psoriasis biopsy for Lakshmi")
    document_id = patients.get_profile(desk, patient_id).documents[0].id
    patient_records.open_document(doctor, patient_id, document_id)  # front desk files documents, doctors read them
    patients.update_patient(desk, patient_id, patient_draft(**(LAKSHMI | {"city": "Ernakulam"})), expected_version=1)
    patients.profile_for_print(desk, patient_id)
    patient_records.record_consent(desk, patient_id, kind="treatment", version="1", method="signed")
    with pytest.raises(PermissionDenied):
        patients.profile_for_export(desk, patient_id)
    patients.profile_for_export(doctor, patient_id)

    rows = audit_rows(admin_ctx)
    by_desk = [(r.action, r.entity_id, r.outcome) for r in rows if r.actor == desk.user.username]
    sign_ins = [(r.entity_id, r.outcome) for r in rows if r.action == "auth.sign_in"]
    assert sign_ins == [(desk.user.staff_id, "ok"), (desk.user.staff_id, "failed"), ("", "failed")]
    for expected in [("patient.register", patient_id, "ok"), ("patient.view", patient_id, "ok"),
                     ("patient.view_aadhaar", patient_id, "ok"), ("patient.document_add", patient_id, "ok"),
                     ("patient.edit", patient_id, "ok"),
                     ("patient.print", patient_id, "ok"), ("patient.consent", patient_id, "ok"),
                     ("patient.export", patient_id, "denied")]:
        assert expected in by_desk
    by_doctor = [(r.action, r.entity_id, r.outcome) for r in rows if r.actor == doctor.user.username]
    assert ("patient.document_view", patient_id, "ok") in by_doctor
    assert ("patient.export", patient_id, "ok") in by_doctor

    secrets = list(LAKSHMI.values()) + [
        "+919447261835", "+919846172839", "9447261835", "91777766665555", "Ernakulam", "Biopsy", "Psoriasis",
        LAKSHMI["aadhaar"][:8], LAKSHMI["aadhaar"][-8:]]
    columns = [c.name for c in AuditEntryRow.__table__.columns]
    for row in rows:
        for column in columns:
            stored = str(getattr(row, column)).lower()
            leaked = [s for s in secrets if s.lower() in stored]
            assert leaked == [], (row.seq, column, leaked)
        readable = " ".join((row.actor, row.action, row.entity, row.outcome, row.detail))
        assert LAKSHMI["aadhaar"][-4:] not in readable
        assert "lakshmi" not in readable.lower()
