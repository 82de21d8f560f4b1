"""Patient records: registration, UHIDs, sealed Aadhaar, edits, search, clinical lists, consents, documents."""

from dataclasses import replace
from datetime import date, time

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import auth, patient_records, patients
from clinicdesk.services.admin import save_centre
from clinicdesk.services.admin_dto import CentreDraft
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.patient_dto import CommunicationPreferences
from clinicdesk.store.database import create_database
from clinicdesk.store.models import AuditEntryRow, PatientDocumentRow, PatientRow, UhidCounterRow
from tests.conftest import ADMIN_PASSWORD
from tests.services.helpers import aadhaar, audit_rows, count_rows, patient_draft, standalone_clinic

FULL = patient_draft(
    given_name="Lakshmi", family_name="Nair", name_local="ലക്ഷ്മി നായർ", date_of_birth=date(1979, 8, 15),
    sex="female", blood_group="b+", phone="+91 94470 12345", alt_phone="0484 2345678", email="Lakshmi@Example.in",
    address_line="12 Temple Road, Edappally", city="Kochi", state="Kerala", pincode="682 024",
    aadhaar="2345 6789 0124", abha_number="91-2345-6789-0123", abha_address="lakshmi.nair@abdm",
    emergency_contact_name="Gopan Nair", emergency_contact_relation="Husband", emergency_contact_phone="9447000001",
    occupation="Teacher", preferred_language="ml", medical_history="Type 2 diabetes since 2015",
    family_history="Father: hypertension", lifestyle="Walks daily", diet="Vegetarian")


def register(ctx, **overrides) -> str:
    patient_id, changes = patients.register_patient(ctx, patient_draft(**overrides))
    assert changes.patients
    return patient_id


def patient_row(ctx, patient_id) -> PatientRow:
    with ctx.db.session() as session:
        return session.get(PatientRow, patient_id)


# --- registration and UHIDs ----------------------------------------------------------------------------------

def test_register_with_every_field(admin_ctx):
    patient_id, _ = patients.register_patient(admin_ctx, FULL)
    profile = patients.get_profile(admin_ctx, patient_id)
    expected = replace(FULL, blood_group="B+", phone="+919447012345", alt_phone="+914842345678",
                       email="lakshmi@example.in", pincode="682024", emergency_contact_phone="+919447000001",
                       aadhaar="")
    assert profile.draft == expected
    assert profile.uhid == "KOC-A-000001"
    assert profile.centre_id == admin_ctx.user.centre_id
    assert profile.aadhaar_masked == "XXXX XXXX 0124"
    assert profile.row_version == 1
    assert profile.display_name == "Lakshmi Nair"
    assert patient_row(admin_ctx, patient_id).created_by == admin_ctx.user.staff_id


def test_uhids_count_up_per_centre(admin_ctx):
    pune_id, _ = save_centre(admin_ctx, CentreDraft(code="PUN", name="Pune", state="Maharashtra"))
    uhids = [patients.get_profile(admin_ctx, register(admin_ctx, phone=f"98470{n:05d}")).uhid for n in range(3)]
    pune = patients.register_patient(admin_ctx, patient_draft(), centre_id=pune_id)[0]
    assert uhids == ["KOC-A-000001", "KOC-A-000002", "KOC-A-000003"]
    assert patients.get_profile(admin_ctx, pune).uhid == "PUN-A-000001"


def test_two_devices_never_issue_the_same_uhid(admin_ctx, tmp_path, clock):
    other_db = create_database(tmp_path / "second-machine", passphrase=None, device_code="B")
    try:
        other = ServiceContext(other_db, clock=clock)
        other.user = auth.set_up_clinic(other, auth.ClinicSetup(
            "Sukham Ayurveda", "KOC", "Kochi", "Asia/Kolkata", "Kerala", "admin", "Asha Menon", ADMIN_PASSWORD))
        first = {patients.get_profile(admin_ctx, register(admin_ctx)).uhid for _ in range(3)}
        second = {patients.get_profile(other, register(other)).uhid for _ in range(3)}
    finally:
        other_db.close()
    assert first == {"KOC-A-000001", "KOC-A-000002", "KOC-A-000003"}
    assert second == {"KOC-B-000001", "KOC-B-000002", "KOC-B-000003"}


def test_refused_registration_changes_nothing_and_uses_no_number(admin_ctx):
    register(admin_ctx, aadhaar=aadhaar())
    counts = (count_rows(admin_ctx, PatientRow), count_rows(admin_ctx, AuditEntryRow))
    with pytest.raises(ValidationError) as caught:
        patients.register_patient(admin_ctx, patient_draft(phone="12345", email="nope"))
    assert set(caught.value.problems) == {"phone", "email"}
    with pytest.raises(ValidationError, match="Aadhaar is already registered to patient KOC-A-000001"):
        patients.register_patient(admin_ctx, patient_draft(given_name="Ravi", aadhaar=aadhaar()))
    assert (count_rows(admin_ctx, PatientRow), count_rows(admin_ctx, AuditEntryRow)) == counts
    with admin_ctx.db.session() as session:
        assert session.scalar(select(UhidCounterRow.next_number)) == 2
    assert patients.get_profile(admin_ctx, register(admin_ctx)).uhid == "KOC-A-000002"


# --- Aadhaar -------------------------------------------------------------------------------------------------

def test_aadhaar_is_sealed_masked_and_revealed(admin_ctx):
    number = aadhaar("98765432101")
    patient_id = register(admin_ctx, aadhaar=" ".join([number[:4], number[4:8], number[8:]]))
    row = patient_row(admin_ctx, patient_id)
    assert row.aadhaar_last4 == number[-4:]
    assert number.encode() not in row.aadhaar_sealed and number[:8].encode() not in row.aadhaar_sealed
    assert number not in (row.aadhaar_lookup or "") and len(row.aadhaar_lookup) == 64
    assert patients.get_profile(admin_ctx, patient_id).aadhaar_masked == f"XXXX XXXX {number[-4:]}"
    assert patients.get_profile(admin_ctx, patient_id).draft.aadhaar == ""
    assert patients.reveal_aadhaar(admin_ctx, patient_id) == number


def test_reveal_without_aadhaar_is_not_found(admin_ctx):
    with pytest.raises(NotFound, match="No Aadhaar number"):
        patients.reveal_aadhaar(admin_ctx, register(admin_ctx))


def test_duplicate_aadhaar_on_edit_names_the_other_patient(admin_ctx):
    register(admin_ctx, aadhaar=aadhaar())
    ravi = register(admin_ctx, given_name="Ravi")
    with pytest.raises(ValidationError) as caught:
        patients.update_patient(admin_ctx, ravi, patient_draft(given_name="Ravi", aadhaar=aadhaar()),
                                expected_version=1)
    assert caught.value.messages() == ["Aadhaar is already registered to patient KOC-A-000001; open that record "
                                       "instead"]
    assert patient_row(admin_ctx, ravi).aadhaar_sealed is None


# --- editing -------------------------------------------------------------------------------------------------

def test_update_saves_and_keeps_aadhaar_when_left_empty(admin_ctx):
    patient_id = register(admin_ctx, aadhaar=aadhaar())
    patients.update_patient(admin_ctx, patient_id, patient_draft(city="Thrissur", phone="9447099999"),
                            expected_version=1)
    profile = patients.get_profile(admin_ctx, patient_id)
    assert (profile.draft.city, profile.draft.phone, profile.row_version) == ("Thrissur", "+919447099999", 2)
    assert patients.reveal_aadhaar(admin_ctx, patient_id) == aadhaar()
    [edit] = audit_rows(admin_ctx, action="patient.edit")
    assert edit.detail == "fields: city,phone"


def test_stale_update_raises_and_changes_nothing(admin_ctx):
    patient_id = register(admin_ctx)
    patients.update_patient(admin_ctx, patient_id, patient_draft(city="Kochi"), expected_version=1)
    before = patient_row(admin_ctx, patient_id)
    audits = count_rows(admin_ctx, AuditEntryRow)
    with pytest.raises(patients.StaleRecord, match="Someone else changed this patient"):
        patients.update_patient(admin_ctx, patient_id, patient_draft(city="Pune", given_name="Other"),
                                expected_version=1)
    after = patient_row(admin_ctx, patient_id)
    assert (after.city, after.given_name, after.row_version) == (before.city, before.given_name, 2)
    assert count_rows(admin_ctx, AuditEntryRow) == audits


def test_bad_edit_changes_nothing(admin_ctx):
    patient_id = register(admin_ctx)
    audits = count_rows(admin_ctx, AuditEntryRow)
    with pytest.raises(ValidationError) as caught:
        patients.update_patient(admin_ctx, patient_id, patient_draft(city="Pune", date_of_birth=date(2030, 1, 1)),
                                expected_version=1)
    assert caught.value.messages() == ["Date of birth cannot be in the future"]
    row = patient_row(admin_ctx, patient_id)
    assert (row.city, row.row_version) == ("", 1)
    assert count_rows(admin_ctx, AuditEntryRow) == audits


def test_missing_patient_is_not_found(admin_ctx):
    with pytest.raises(NotFound):
        patients.update_patient(admin_ctx, "no-such-id", patient_draft(), expected_version=1)
    with pytest.raises(NotFound):
        patients.get_profile(admin_ctx, "no-such-id")


# --- search --------------------------------------------------------------------------------------------------

def add_people(ctx, clock) -> dict[str, str]:
    made = {}
    for key, values in {
        "asha": {"given_name": "Asha", "family_name": "Menon", "name_local": "ആശ മേനോൻ", "phone": "9847012345",
                 "abha_number": "91-2345-6789-0123", "abha_address": "asha.menon@abdm"},
        "ravi": {"given_name": "Ravi", "family_name": "Kumar", "name_local": "रवि कुमार", "phone": "9822099999"},
        "rahul": {"given_name": "Rahul", "family_name": "Sharma", "name_local": "राहुल शर्मा",
                  "phone": "9822012345"},
        "lakshmi": {"given_name": "Lakshmi", "family_name": "Nair", "name_local": "ലക്ഷ്മി നായർ",
                    "phone": "9447012345", "abha_number": "91-5555-4444-3333"},
        "ashok": {"given_name": "Ashok", "family_name": "Nair", "phone": "7012345678"},
    }.items():
        clock.advance(minutes=1)
        made[key] = register(ctx, **values)
    return made


@pytest.fixture
def people(admin_ctx, clock):
    return add_people(admin_ctx, clock)


@pytest.fixture(scope="module")
def search_clinic(tmp_path_factory):
    """Read-only search tests share one clinic."""
    with standalone_clinic(tmp_path_factory.mktemp("search") / "clinic") as ctx:
        yield ctx, add_people(ctx, ctx.clock)


@pytest.mark.parametrize(("typed", "expected"), [
    ("asha", {"asha"}),
    ("ASH", {"asha", "ashok"}),
    ("nair", {"lakshmi", "ashok"}),
    ("ashok nair", {"ashok"}),
    ("menon asha", {"asha"}),
    ("र", {"ravi", "rahul"}),
    ("रवि", {"ravi"}),
    ("राहु", {"rahul"}),
    ("शर्मा", {"rahul"}),
    ("ല", {"lakshmi"}),
    ("ലക്ഷ്", {"lakshmi"}),
    ("ആശ", {"asha"}),
    ("9822", {"ravi", "rahul"}),
    ("98220 12", {"rahul"}),
    ("9847012345", {"asha"}),
    ("98470 12345", {"asha"}),
    ("+91 98470 12345", {"asha"}),
    ("+919847012345", {"asha"}),
    ("098470 12345", {"asha"}),
    ("KOC-A-000002", {"ravi"}),
    ("koc-a-000003", {"rahul"}),
    ("000004", {"lakshmi"}),
    ("4", {"lakshmi"}),
    ("91-2345-6789-0123", {"asha"}),
    ("91234567890123", {"asha"}),
    ("91-5555", {"lakshmi"}),
    ("asha.menon@abdm", {"asha"}),
    ("zzz", set()),
    ('"', None),
])
def test_search(search_clinic, typed, expected):
    ctx, people = search_clinic
    found = {key for key, pid in people.items() for hit in patients.search_patients(ctx, typed) if hit.id == pid}
    if expected is None:  # nothing searchable typed: the recent list
        expected = set(people)
    assert found == expected


def test_empty_search_lists_recent_patients_first(admin_ctx, people, clock):
    clock.advance(minutes=5)
    patients.update_patient(admin_ctx, people["ravi"], patient_draft(given_name="Ravi", family_name="Kumar",
                                                                     phone="9822099999"), expected_version=1)
    hits = patients.search_patients(admin_ctx, "  ")
    order = {pid: key for key, pid in people.items()}
    assert [order[h.id] for h in hits] == ["ravi", "ashok", "lakshmi", "rahul", "asha"]
    assert [h.id for h in patients.search_patients(admin_ctx, "", limit=2)] == [people["ravi"], people["ashok"]]


def test_search_results_are_summaries(search_clinic):
    [hit] = patients.search_patients(search_clinic[0], "asha.menon@abdm")
    assert (hit.uhid, hit.display_name, hit.name_local, hit.phone, hit.abha_number) == (
        "KOC-A-000001", "Asha Menon", "ആശ മേനോൻ", "+919847012345", "91-2345-6789-0123")


def test_search_follows_edits(admin_ctx, people):
    patients.update_patient(admin_ctx, people["ashok"], patient_draft(given_name="Ashwin", family_name="Pillai",
                                                                      phone="7012345678"), expected_version=1)
    assert [h.id for h in patients.search_patients(admin_ctx, "pillai")] == [people["ashok"]]
    assert patients.search_patients(admin_ctx, "ashok") == []


# --- clinical lists ------------------------------------------------------------------------------------------

def test_allergies_add_and_remove(admin_ctx, clock):
    patient_id = register(admin_ctx)
    patient_records.add_allergy(admin_ctx, patient_id, "Penicillin", "rash", "severe")
    clock.advance(seconds=1)
    patient_records.add_allergy(admin_ctx, patient_id, " Sesame oil ", severity="mild")
    allergies = patients.get_profile(admin_ctx, patient_id).allergies
    assert [(a.substance, a.reaction, a.severity) for a in allergies] == [("Penicillin", "rash", "severe"),
                                                                        ("Sesame oil", "", "mild")]
    patient_records.remove_allergy(admin_ctx, patient_id, allergies[0].id)
    assert [a.substance for a in patients.get_profile(admin_ctx, patient_id).allergies] == ["Sesame oil"]
    with pytest.raises(ValidationError) as caught:
        patient_records.add_allergy(admin_ctx, patient_id, " ", severity="deadly")
    assert set(caught.value.messages()) == {"Allergy substance is required (at most 120 characters)",
                                            "Allergy severity must be mild, moderate or severe"}
    with pytest.raises(NotFound):
        patient_records.remove_allergy(admin_ctx, register(admin_ctx), allergies[1].id)


def test_medications_add_and_stop(admin_ctx, clock):
    patient_id = register(admin_ctx)
    patient_records.add_medication(admin_ctx, patient_id, "Metformin", "500 mg", "twice daily", date(2020, 1, 1))
    clock.advance(seconds=1)
    patient_records.add_medication(admin_ctx, patient_id, "Triphala churna", "5 g", "at night")
    meds = patients.get_profile(admin_ctx, patient_id).medications
    assert [(m.name, m.dose, m.frequency, m.since) for m in meds] == [
        ("Metformin", "500 mg", "twice daily", date(2020, 1, 1)), ("Triphala churna", "5 g", "at night", None)]
    patient_records.stop_medication(admin_ctx, patient_id, meds[0].id)
    assert [m.name for m in patients.get_profile(admin_ctx, patient_id).medications] == ["Triphala churna"]
    with pytest.raises(ValidationError, match="Medication name is required"):
        patient_records.add_medication(admin_ctx, patient_id, "")
    with pytest.raises(ValidationError, match="Medication start date cannot be in the future"):
        patient_records.add_medication(admin_ctx, patient_id, "Ashwagandha", since=date(2027, 1, 1))
    with pytest.raises(NotFound):
        patient_records.stop_medication(admin_ctx, patient_id, "no-such-id")


VATA_HEAVY = {"frame": "vata", "skin": "vata", "hair": "vata", "appetite": "vata", "digestion": "pitta",
              "sleep": "vata", "temperature": "kapha", "speech": "vata"}
BALANCED = {"frame": "vata", "skin": "pitta", "hair": "kapha", "appetite": "vata", "digestion": "pitta",
            "sleep": "kapha"}


def test_assessment_is_scored_stored_and_newest_first(admin_ctx, clock):
    patient_id = register(admin_ctx)
    patient_records.record_assessment(admin_ctx, patient_id, prakriti_answers=VATA_HEAVY,
                                      vikriti_answers={"digestion": "pitta", "skin": "pitta"},
                                      agni="vishama (irregular)", koshta="krura (hard)", sleep="disturbed",
                                      stress="high", energy="low", notes="Anxious, poor sleep")
    clock.advance(days=30)
    patient_records.record_assessment(admin_ctx, patient_id, prakriti_answers=BALANCED)
    newest, older = patients.get_profile(admin_ctx, patient_id).assessments
    assert (newest.vata, newest.pitta, newest.kapha, newest.prakriti, newest.vikriti) == (2, 2, 2, "Tridoshic", "")
    assert (older.vata, older.pitta, older.kapha, older.prakriti, older.vikriti) == (6, 1, 1, "Vata", "Pitta")
    assert (older.agni, older.koshta, older.sleep, older.stress, older.energy, older.notes) == (
        "vishama (irregular)", "krura (hard)", "disturbed", "high", "low", "Anxious, poor sleep")
    assert older.assessed_by == "Asha Menon"
    assert newest.assessed_at > older.assessed_at


@pytest.mark.parametrize(("kwargs", "messages"), [
    ({"prakriti_answers": {"frame": "vata"}}, ["Questionnaire needs at least 6 answered questions"]),
    ({"prakriti_answers": {**BALANCED, "shoe": "vata"}}, ["Questionnaire unknown questionnaire items"]),
    ({"prakriti_answers": {**BALANCED, "frame": "ojas"}}, ["Questionnaire "]),
    ({"prakriti_answers": BALANCED, "agni": "strong"}, ["Digestion (agni) must be one of"]),
    ({"prakriti_answers": BALANCED, "koshta": "soft"}, ["Bowel (koshta) must be one of"]),
    ({"prakriti_answers": BALANCED, "sleep": "ok", "stress": "none", "energy": "max"},
     ["Sleep must be one of", "Stress must be one of", "Energy must be one of"]),
])
def test_assessment_validation(shared_admin_ctx, kwargs, messages):
    patient_id = register(shared_admin_ctx)
    with pytest.raises(ValidationError) as caught:
        patient_records.record_assessment(shared_admin_ctx, patient_id, **kwargs)
    got = caught.value.messages()
    assert len(got) == len(messages)
    assert all(g.startswith(m) for g, m in zip(got, messages, strict=True))
    assert patients.get_profile(shared_admin_ctx, patient_id).assessments == ()


def test_consents_record_and_withdraw(admin_ctx, clock):
    patient_id = register(admin_ctx)
    patient_records.record_consent(admin_ctx, patient_id, kind="treatment", version="2026.1", method="signed")
    clock.advance(minutes=1)
    patient_records.record_consent(admin_ctx, patient_id, kind="marketing", version="v2", method="verbal")
    marketing, treatment = patients.get_profile(admin_ctx, patient_id).consents
    assert (treatment.kind, treatment.version, treatment.method, treatment.witness) == (
        "treatment", "2026.1", "signed", "Asha Menon")
    assert marketing.withdrawn_at is None
    clock.advance(days=2)
    patient_records.withdraw_consent(admin_ctx, patient_id, marketing.id)
    withdrawn_at = clock()
    clock.advance(days=1)
    patient_records.withdraw_consent(admin_ctx, patient_id, marketing.id)  # a second withdrawal keeps the first date
    marketing, treatment = patients.get_profile(admin_ctx, patient_id).consents
    assert (marketing.withdrawn_at, treatment.withdrawn_at) == (withdrawn_at, None)
    with pytest.raises(ValidationError) as caught:
        patient_records.record_consent(admin_ctx, patient_id, kind="gossip", version="", method="telepathy")
    assert set(caught.value.problems) == {"kind", "version", "method"}
    assert {m.split(" ")[0] for m in caught.value.messages()} == {"Consent"}
    with pytest.raises(NotFound):
        patient_records.withdraw_consent(admin_ctx, register(admin_ctx), treatment.id)


def test_preferences_saved_and_default(admin_ctx):
    patient_id = register(admin_ctx)
    assert patients.get_profile(admin_ctx, patient_id).preferences == CommunicationPreferences()
    prefs = CommunicationPreferences(channels=("whatsapp", "email"), language="hi", reminder_hours_before=48,
                                     quiet_start=time(22), quiet_end=time(7), do_not_disturb=True,
                                     marketing_opt_in=True)
    patient_records.set_preferences(admin_ctx, patient_id, prefs)
    assert patients.get_profile(admin_ctx, patient_id).preferences == prefs
    none_quiet = replace(prefs, quiet_start=None, quiet_end=None, channels=())
    patient_records.set_preferences(admin_ctx, patient_id, none_quiet)
    assert patients.get_profile(admin_ctx, patient_id).preferences == none_quiet


@pytest.mark.parametrize(("change", "message"), [
    ({"channels": ("sms", "pigeon")}, "Channels may only be SMS, WhatsApp, email or phone"),
    ({"language": "ta"}, "Message language must be English, Hindi or Malayalam"),
    ({"reminder_hours_before": 0}, "Reminder timing must be between 1 and 72 hours"),
    ({"reminder_hours_before": 73}, "Reminder timing must be between 1 and 72 hours"),
    ({"quiet_end": None}, "Quiet hours need both a start and an end time, or neither"),
])
def test_preferences_validation(shared_admin_ctx, change, message):
    patient_id = register(shared_admin_ctx)
    with pytest.raises(ValidationError) as caught:
        patient_records.set_preferences(shared_admin_ctx, patient_id, replace(CommunicationPreferences(), **change))
    assert caught.value.messages() == [message]
    assert patients.get_profile(shared_admin_ctx, patient_id).preferences == CommunicationPreferences()


@pytest.mark.parametrize(("typed", "expected"), [("21:00", time(21)), (" 7:30 ", time(7, 30)), ("", None)])
def test_parse_quiet_time(typed, expected):
    assert patient_records.parse_quiet_time(typed) == expected


@pytest.mark.parametrize("typed", ["9pm", "25:00", "21"])
def test_parse_quiet_time_refuses(typed):
    with pytest.raises(ValidationError, match="Quiet hours must be written as HH:MM"):
        patient_records.parse_quiet_time(typed)


# --- documents and the timeline ------------------------------------------------------------------------------

def test_documents_are_sealed_and_open_again(admin_ctx):
    patient_id = register(admin_ctx)
    content = b"%PDF-1.4 HbA1c 7.2% Lakshmi Nair lab report " * 20
    patient_records.add_document(admin_ctx, patient_id, title="Lab report", mime_type="application/pdf",
                                 content=content)
    [doc] = patients.get_profile(admin_ctx, patient_id).documents
    assert (doc.title, doc.mime_type, doc.size_bytes) == ("Lab report", "application/pdf", len(content))
    with admin_ctx.db.session() as session:
        sealed = session.scalar(select(PatientDocumentRow.sealed_content))
    assert sealed != content and b"Lakshmi" not in sealed and b"HbA1c" not in sealed
    assert patient_records.open_document(admin_ctx, patient_id, doc.id) == ("Lab report", "application/pdf", content)
    with pytest.raises(NotFound):
        patient_records.open_document(admin_ctx, register(admin_ctx), doc.id)


@pytest.mark.parametrize(("title", "mime", "content", "field", "words"), [
    ("", "application/pdf", b"x", "title", "Document title is required"),
    ("Scan", "application/zip", b"x", "file", "File must be a PDF, JPEG, PNG or plain-text file"),
    ("Scan", "image/png", b"", "file", "File is empty"),
    ("Scan", "image/jpeg", b"x" * (patient_records.MAX_DOCUMENT_BYTES + 1), "file", "larger than 20 MB"),
])
def test_document_validation(shared_admin_ctx, title, mime, content, field, words):
    patient_id = register(shared_admin_ctx)
    with pytest.raises(ValidationError) as caught:
        patient_records.add_document(shared_admin_ctx, patient_id, title=title, mime_type=mime, content=content)
    assert set(caught.value.problems) == {field}
    assert words in caught.value.messages()[0]
    assert patients.get_profile(shared_admin_ctx, patient_id).documents == ()


def test_timeline_is_newest_first(admin_ctx, clock):
    patient_id = register(admin_ctx)
    steps = [
        lambda: patient_records.add_allergy(admin_ctx, patient_id, "Peanuts"),
        lambda: patient_records.record_consent(admin_ctx, patient_id, kind="treatment", version="1",
                                               method="digital"),
        lambda: patient_records.record_assessment(admin_ctx, patient_id, prakriti_answers=BALANCED),
        lambda: patient_records.add_document(admin_ctx, patient_id, title="X-ray", mime_type="image/png",
                                             content=b"\x89PNG"),
    ]
    for step in steps:
        clock.advance(hours=1)
        step()
    clock.advance(hours=1)
    consent = patients.get_profile(admin_ctx, patient_id).consents[0]
    patient_records.withdraw_consent(admin_ctx, patient_id, consent.id)
    timeline = patients.get_profile(admin_ctx, patient_id).timeline
    assert [e.text for e in timeline] == ["Consent withdrawn: treatment", "Document added: X-ray",
                                          "Ayurvedic assessment: Tridoshic", "Consent given: treatment",
                                          "Allergy recorded: Peanuts", "Registered"]
    assert [e.at for e in timeline] == sorted((e.at for e in timeline), reverse=True)


def test_clinical_writes_on_a_missing_patient_are_not_found(admin_ctx):
    with pytest.raises(NotFound):
        patient_records.add_allergy(admin_ctx, "missing", "Dust")
    with pytest.raises(NotFound):
        patient_records.record_consent(admin_ctx, "missing", kind="treatment", version="1", method="signed")


def test_role_context_can_register(ctx_for_role):
    ctx = ctx_for_role(Role.FRONT_DESK)
    patient_id = register(ctx)
    assert patient_row(ctx, patient_id).created_by == ctx.user.staff_id
