"""The demo clinic: built through the real services, complete, valid, searchable in both scripts, never rebuilt."""

import hashlib
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import keyring
import pytest
from sqlalchemy import func, select, text

from clinicdesk.domain.appointments import ACTIVE
from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.identifiers import verhoeff_valid
from clinicdesk.domain.patients import PatientDraft
from clinicdesk.domain.roles import Role
from clinicdesk.domain.scheduling.checker import validate_schedule
from clinicdesk.domain.scheduling.model import Placement
from clinicdesk.services import admin, appointments, auth, demo, patient_records, patients, waitlist
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.scheduling_adapter import load_diary
from clinicdesk.store import keys
from clinicdesk.store.audit_log import verify_audit_log
from clinicdesk.store.database import open_database
from clinicdesk.store.errors import PassphraseNeeded
from clinicdesk.store.models import AssessmentRow, ConsentRow, PatientRow
from tests.conftest import MemoryKeyring

PASSPHRASE = "demo test passphrase"
FIXED_NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
MALAYALAM = re.compile(r"[\u0D00-\u0D7F]")
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """One small demo for the whole module (building takes a second or two).

    It is unlocked by passphrase: the per-test in-memory keyring is replaced before each test, so a key kept
    only there would be gone by the time a test opens the database.
    """
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        data_dir = tmp_path_factory.mktemp("demo") / "clinic"
        summary = demo.build_demo_clinic(data_dir, passphrase=PASSPHRASE, patients=40, now=FIXED_NOW)
    finally:
        keyring.set_keyring(previous)
    return data_dir, summary


@pytest.fixture
def demo_ctx(demo_dir):
    db = open_database(demo_dir[0], passphrase=PASSPHRASE)
    ctx = ServiceContext(db, clock=lambda: FIXED_NOW)
    ctx.user = auth.sign_in(ctx, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    yield ctx
    db.close()


def _patient_rows(ctx: ServiceContext) -> list[PatientRow]:
    with ctx.unit_of_work() as session:
        return session.scalars(select(PatientRow).order_by(PatientRow.uhid)).all()


def test_summary_names_every_username_and_the_counts(demo_dir):
    _, summary = demo_dir
    assert "Patients: 40" in summary
    for username in ("admin", "dr.meera", "dr.sandeep", "reshma.fd", "pooja.fd", "kavya.cro"):
        assert username in summary


def test_two_centres_with_holidays_gstin_rooms_and_equipment(demo_ctx):
    centres = {c.code: c for c in admin.list_centres(demo_ctx)}
    assert set(centres) == {"KOC", "PUN"}
    assert centres["KOC"].gstin.startswith("32") and centres["PUN"].gstin.startswith("27")
    assert centres["KOC"].gstin == demo.gstin("32") and demo.gstin("27") == centres["PUN"].gstin
    assert {"Vishu", "Republic Day"} <= {name for _, name in centres["KOC"].holidays}
    assert {"Gudi Padwa", "Ganesh Chaturthi"} <= {name for _, name in centres["PUN"].holidays}
    for centre in centres.values():
        rooms = admin.list_rooms(demo_ctx, centre.id)
        types = {r.room_type for r in rooms}
        assert {"consultation", "abhyanga", "swedana", "shirodhara", "basti", "nasya", "vamana_virechana",
                "recovery"} <= types
        assert {r.gender_restriction for r in rooms if r.room_type == "abhyanga"} == {"female", "male"}
        assert any(r.cleaning_buffer_minutes > 0 for r in rooms)
        kinds = {e.kind for e in admin.list_equipment(demo_ctx, centre.id)}
        assert {"droni", "steam_box", "shirodhara_stand", "nasya_kit"} <= kinds


def test_twelve_staff_in_every_role_all_signing_in_with_the_demo_password(demo_ctx):
    staff = admin.list_staff(demo_ctx)
    assert len(staff) == 12
    assert {s.role for s in staff} == {r.value for r in Role}
    for member in staff:
        assert member.hours and all(h.start < h.end for h in member.hours)
        if member.role == "doctor":
            assert member.profile.licence_number and member.profile.verification_status == "verified"
        if member.role == "therapist":
            assert member.profile.skills
        user = auth.sign_in(ServiceContext(demo_ctx.db, clock=demo_ctx.clock), member.username,
                            demo.DEMO_PASSWORD)
        assert user.role.value == member.role
    assert sum(1 for s in staff if s.leave) >= 2
    assert {s.gender for s in staff if s.role == "therapist"} == {"female", "male"}


def test_forty_patients_at_both_centres_with_unique_uhids_and_valid_contacts(demo_ctx):
    rows = _patient_rows(demo_ctx)
    assert len(rows) == 40
    assert {r.uhid.split("-")[0] for r in rows} == {"KOC", "PUN"}
    assert len({r.uhid for r in rows}) == 40
    for row in rows:
        assert re.fullmatch(r"\+91[6-9]\d{9}", row.phone)
        assert re.fullmatch(r"[1-9]\d{5}", row.pincode)
        assert row.medical_history
    assert any(MALAYALAM.search(r.name_local) for r in rows)
    assert any(DEVANAGARI.search(r.name_local) for r in rows)
    assert any(r.abha_number for r in rows) and any(r.email for r in rows)


def test_every_stored_aadhaar_passes_verhoeff(demo_ctx):
    with_aadhaar = [r for r in _patient_rows(demo_ctx) if r.aadhaar_last4]
    assert len(with_aadhaar) >= 10
    for row in with_aadhaar:
        number = patients.reveal_aadhaar(demo_ctx, row.id)
        assert len(number) == 12 and number[0] in "23456789" and verhoeff_valid(number)


def test_charts_carry_consents_assessments_and_preferences(demo_ctx):
    with demo_ctx.unit_of_work() as session:
        treatment = session.scalar(select(func.count(func.distinct(ConsentRow.patient_id)))
                                   .where(ConsentRow.kind == "treatment"))
        assessed = session.scalar(select(func.count(func.distinct(AssessmentRow.patient_id))))
    assert treatment == 40
    assert 20 <= assessed < 40
    profile = patients.get_profile(demo_ctx, _patient_rows(demo_ctx)[0].id)
    assert {c.kind for c in profile.consents} >= {"treatment", "data_processing"}
    assert profile.preferences.channels


@pytest.mark.parametrize("script", [MALAYALAM, DEVANAGARI], ids=["malayalam", "devanagari"])
def test_search_finds_a_name_typed_in_its_own_script(demo_ctx, script):
    row = next(r for r in _patient_rows(demo_ctx) if script.search(r.name_local))
    given_local = row.name_local.split()[0]
    found = patients.search_patients(demo_ctx, given_local)
    assert row.id in {p.id for p in found}
    assert all(any(word.startswith(given_local) for word in p.name_local.split()) for p in found)
    assert row.id in {p.id for p in patients.search_patients(demo_ctx, row.name_local)}


def test_a_devanagari_name_does_not_find_a_different_name_sharing_its_consonants(admin_ctx):
    """Regression: the search index split Indic names at every vowel sign, so "रमेश" (Ramesh) found "रमा" (Rama)."""
    for given, family, local in (("Ramesh", "Patil", "रमेश पाटील"), ("Rama", "Sharma", "रमा शर्मा"),
                                 ("Unnikrishnan", "Nair", "ഉണ്ണികൃഷ്ണൻ നായർ"), ("Unni", "Menon", "ഉണ്ണി മേനോൻ")):
        patients.register_patient(admin_ctx, PatientDraft(given_name=given, family_name=family, name_local=local,
                                                          date_of_birth=date(1980, 1, 1), sex="male",
                                                          phone="9876500000"))

    def names(typed):
        return sorted(p.display_name for p in patients.search_patients(admin_ctx, typed))

    assert names("रमेश") == ["Ramesh Patil"]
    assert names("रमा") == ["Rama Sharma"]
    assert names("ഉണ്ണികൃഷ്ണൻ") == ["Unnikrishnan Nair"]
    assert names("ഉണ്ണി മേ") == ["Unni Menon"]


def test_audit_log_of_the_build_is_intact(demo_ctx):
    with demo_ctx.unit_of_work() as session:
        count, problems = verify_audit_log(session)
    assert count > 40 and problems == []


def test_a_second_build_is_refused_and_changes_nothing(demo_dir):
    data_dir, _ = demo_dir
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data_dir.iterdir()}
    with pytest.raises(ClinicError, match="already exists"):
        demo.build_demo_clinic(data_dir, passphrase=PASSPHRASE, patients=5)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data_dir.iterdir()}
    assert after == before
    assert sorted(p.name for p in data_dir.parent.iterdir()) == [data_dir.name]


def test_same_seed_gives_the_same_patients(tmp_path):
    def build(folder):
        demo.build_demo_clinic(folder, passphrase=None, patients=6, seed=11, now=FIXED_NOW)
        db = open_database(folder)
        try:
            with db.session() as session:
                return session.execute(select(PatientRow.uhid, PatientRow.given_name, PatientRow.family_name,
                                              PatientRow.date_of_birth, PatientRow.phone, PatientRow.aadhaar_last4)
                                       .order_by(PatientRow.uhid)).all()
        finally:
            db.close()

    first = build(tmp_path / "one")
    assert len(first) == 6
    assert build(tmp_path / "two") == first


def test_a_build_that_fails_half_way_leaves_no_clinic_behind(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(patient_records, "record_consent", broken)
    with pytest.raises(RuntimeError):
        demo.build_demo_clinic(tmp_path / "clinic", passphrase=None, patients=3)
    assert list(tmp_path.iterdir()) == []


def test_an_edit_reindexes_only_that_patient_and_puts_it_first(admin_ctx):
    """Regression: the index row was found by scanning the whole FTS table on every edit (~100 ms at 100,000)."""
    ids = [patients.register_patient(admin_ctx, PatientDraft(given_name=name, family_name="Nair", sex="female",
                                                             date_of_birth=date(1990, 1, 1), phone=f"98470{i:05d}"))[0]
           for i, name in enumerate(("Asha", "Bindu", "Divya"))]
    profile = patients.get_profile(admin_ctx, ids[0])
    patients.update_patient(admin_ctx, ids[0], replace(profile.draft, family_name="Menon"),
                            expected_version=profile.row_version)

    assert [p.id for p in patients.search_patients(admin_ctx, "menon")] == [ids[0]]
    assert [p.id for p in patients.search_patients(admin_ctx, "nair")] == [ids[2], ids[1]]
    assert [p.id for p in patients.search_patients(admin_ctx, "984")] == [ids[0], ids[2], ids[1]]  # edited first
    with admin_ctx.unit_of_work() as session:
        session.execute(text("INSERT INTO patient_fts (patient_fts) VALUES ('integrity-check')"))
        counts = [session.scalar(text(f"SELECT count(*) FROM {table}"))
                  for table in ("patients", "patient_fts", "patient_fts_rowids")]
        triggers = " ".join(session.scalars(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                                 "AND tbl_name = 'patients'")))
    assert counts == [3, 3, 3]
    assert "patient_fts WHERE rowid" in triggers and "patient_fts WHERE patient_id" not in triggers  # keyed, no scan


def test_without_keyring_or_passphrase_the_build_asks_for_a_passphrase_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(keys, "keyring_store", lambda database_id, key: False)  # a headless machine
    with pytest.raises(PassphraseNeeded):
        demo.build_demo_clinic(tmp_path / "clinic", passphrase=None, patients=3)
    assert list(tmp_path.iterdir()) == []


# --- the week of appointments --------------------------------------------------------------------------------

def _week(ctx: ServiceContext) -> dict[str, list]:
    today = FIXED_NOW.astimezone(ZoneInfo("Asia/Kolkata")).date()
    return {c.code: appointments.list_range(ctx, c.id, today - timedelta(days=3), today + timedelta(days=3))
            for c in admin.list_centres(ctx)}


def test_a_week_of_appointments_around_today_at_both_centres(demo_ctx):
    today = FIXED_NOW.astimezone(ZoneInfo("Asia/Kolkata")).date()  # Thursday, 11:30 in India; Monday is quieter
    week = _week(demo_ctx)
    both = week["KOC"] + week["PUN"]
    per_day = {day: [i for i in both if i.start.date() == day] for day in (today + timedelta(days=d)
                                                                           for d in range(-3, 4))}
    assert all(len(items) >= 25 for day, items in per_day.items() if day.weekday() != 6), \
        {day: len(items) for day, items in per_day.items()}
    assert all(i.status in ("completed", "no_show", "cancelled") for i in both if i.start.date() < today)
    assert all(i.status in ("confirmed", "requested", "cancelled") for i in both if i.start.date() > today)
    assert {i.source for i in both} == {"front_desk", "phone", "walk_in", "self_service"}
    assert any(i.follow_up_of for i in both)
    catalogue = {s.code: s for s in appointments.list_services(demo_ctx)}
    assert {"CON-NEW", "CON-FU", "ABH", "SWE", "SHI", "VIR", "BAS", "NAS", "UDV", "PIZ", "KIZ"} == set(catalogue)
    assert catalogue["VIR"].needs_approval and catalogue["ABH"].price == Decimal("1800.00")


def test_todays_queue_shows_every_kind_of_status(demo_ctx):
    today = FIXED_NOW.astimezone(ZoneInfo("Asia/Kolkata")).date()
    statuses = {item.status for centre in admin.list_centres(demo_ctx)
                for item in appointments.today_queue(demo_ctx, centre.id, today)}
    assert {"confirmed", "checked_in", "in_progress", "completed", "no_show", "cancelled"} <= statuses


def test_every_demo_booking_keeps_every_hard_rule(demo_ctx):
    """All the week's live appointments checked together by the scheduler's independent checker."""
    today = FIXED_NOW.astimezone(ZoneInfo("Asia/Kolkata")).date()
    checked = 0
    for centre in admin.list_centres(demo_ctx):
        with demo_ctx.unit_of_work() as session:
            diary = load_diary(session, centre.id, today - timedelta(days=3), today + timedelta(days=3))
        live = [i for i in _week(demo_ctx)[centre.code] if i.status in ACTIVE]
        placements = [Placement(i.id, "visit", i.patient_id, i.service_id, i.start, i.end, i.room_id, i.staff_ids)
                      for i in live]
        bare = replace(diary.clinic, bookings=())  # every appointment is checked as new, against all the others
        assert validate_schedule(bare, placements) == []
        checked += len(placements)
    assert checked > 150


def test_waiting_patients_and_an_offer_for_a_freed_slot(demo_ctx):
    entries = [e for c in admin.list_centres(demo_ctx) for e in waitlist.list_entries(demo_ctx, c.id)]
    assert len(entries) >= 4
    offered = [e for e in entries if e.status == "offered"]
    assert offered and all(e.offered_slot.staff_names and e.offered_slot.room_name for e in offered)


def test_the_demo_course_is_under_way_with_its_sessions_stock_incident_and_outcomes(demo_ctx):
    from clinicdesk.services import incidents, outcomes, stock, therapy_plans, therapy_sessions
    from clinicdesk.store.models_therapy import CarePlanRow

    with demo_ctx.db.session() as session:  # the 21-day course is the first plan made; today's floor came later
        plan = session.scalars(select(CarePlanRow).order_by(CarePlanRow.created_at).limit(1)).one()
    summary = therapy_plans.plan_summary(demo_ctx, plan.id)
    assert summary.status == "active" and summary.course_key == "classic-virechana-21"
    from clinicdesk.services import procedure_consent

    assert procedure_consent.plan_consent_status(demo_ctx, plan.id).consented  # signed before the first session
    assert [(p.phase, p.completed) for p in summary.phases] == [
        ("purvakarma", 8), ("pradhanakarma", 2), ("paschatkarma", 0)]  # today's early Basti is done by 11:30
    run = [s for s in summary.sessions if s.status == "completed"]
    details = {s.key: therapy_sessions.session_detail(demo_ctx, s.id) for s in run}
    assert details["abh-5"].board.deviations == 1
    assert [i.session_id for i in incidents.list_incidents(demo_ctx, plan.centre_id)] == [
        next(s.id for s in run if s.key == "swe-5")]
    assert any(m["code"] == "CASTOR-OIL" for m in details["vir-7"].materials)
    levels = {line.code: line for line in stock.stock_levels(demo_ctx, plan.centre_id)}
    assert levels["CASTOR-OIL"].low and levels["DHANWANTARAM"].expiring_soon
    series = outcomes.progress_series(demo_ctx, plan.id)
    assert len(series.points) == 6 and series.points[0].symptom_scores["knee pain"] > \
        series.points[-1].symptom_scores["knee pain"]
    today = FIXED_NOW.astimezone(ZoneInfo("Asia/Kolkata")).date()
    board = therapy_sessions.day_board(demo_ctx, plan.centre_id, today)  # the course goes on today
    # today's floor at 11:30 shows every state a centre sees at once, each session with its own patient
    assert {"scheduled", "in_preparation", "in_session", "recovery", "completed"} <= {b.status for b in board}
    assert sum(b.over_running for b in board) == 1 and not any(b.late for b in board)
    assert len({b.patient_id for b in board}) == len(board) and all(b.consented for b in board)


def test_past_visits_in_the_consulting_room_have_signed_notes_and_prescriptions(demo_ctx):
    from clinicdesk.services import consultations
    from clinicdesk.services.demo import CONSULTATION_VISITS
    from clinicdesk.store.models_consultation import ClinicalNoteRow, ConsultationRow, PrescriptionRow

    with demo_ctx.db.session() as session:
        visits = session.scalars(select(ConsultationRow)).all()
        notes = session.scalars(select(ClinicalNoteRow).where(ClinicalNoteRow.status == "signed")).all()
        prescribed = session.scalars(select(PrescriptionRow)).all()
    assert len(visits) == CONSULTATION_VISITS and all(v.status == "signed" for v in visits)
    assert {n.consultation_id for n in notes} == {v.id for v in visits}
    assert {p.consultation_id for p in prescribed} == {v.id for v in visits}
    summary = consultations.consultation_summary(demo_ctx, visits[0].patient_id)
    assert summary.previous_visit is not None and summary.previous_visit.chief_complaint
    assert summary.previous_visit.prescribed


def test_the_demo_has_sent_scheduled_and_failed_messages(demo_ctx):
    from clinicdesk.services import notifications
    from clinicdesk.store.models_notifications import NotificationMessageRow

    with demo_ctx.db.session() as session:
        statuses = dict(session.execute(select(NotificationMessageRow.status, func.count())
                                        .group_by(NotificationMessageRow.status)).all())
        planned = set(session.scalars(select(NotificationMessageRow.template_key)))
    assert statuses.get("sent", 0) > 0 and statuses.get("scheduled", 0) > 0
    assert {"booking_confirmation", "preparation_day_before", "recovery_one_hour", "check_in_next_day"} <= planned
    assert notifications.list_failed_messages(demo_ctx)  # the desk's list is not empty either
