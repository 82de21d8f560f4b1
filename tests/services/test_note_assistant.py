"""The note assistant sees only redacted text; its patient token maps back to the patient on this machine only."""

import re

import pytest

from clinicdesk.domain.errors import PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.domain.soap_draft import SECTIONS
from clinicdesk.services import admin, clinical_notes, note_assistant, patients, redaction_context
from clinicdesk.services.admin_dto import StaffDraft
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.services.note_assistant import RuleBasedAssistant, assistant_for, suggest_with_assistant
from tests.conftest import STAFF_PASSWORD
from tests.services.consultation_matrix import ConsultRoom
from tests.services.helpers import aadhaar, audit_rows, patient_draft

PHONE = "94472 61835"
AADHAAR = aadhaar()  # 234567890124, with a valid check digit
SPOKEN_AADHAAR = f"{AADHAAR[:4]} {AADHAAR[4:8]} {AADHAAR[8:]}"
HEARD = [
    (0.0, 4.0, "Good morning Mrs Lakshmi Vadakkedath, please sit down."),
    (4.0, 9.0, "I have pain in my knees and lower back. It started about three years ago."),
    (9.0, 15.0, f"My phone number is {PHONE} and my Aadhaar is {SPOKEN_AADHAAR}."),
    (15.0, 19.0, "BP 130 over 85, pulse 78."),
    (19.0, 23.0, "This looks like sandhivata with vata aggravation."),
    (23.0, 31.0, "Lakshmi Vadakkedath should take Yogaraja Guggulu two tablets twice daily after food for 30 days."),
]
TOKEN = re.compile(r"PATIENT_[0-9A-Z]{6}")


class RecordingAssistant:
    """Remembers every text it is given and answers as the rule-based drafter would."""

    name = "recording"

    def __init__(self):
        self.seen: list[str] = []

    def suggest(self, redacted_transcript: str) -> dict[str, list[str]]:
        self.seen.append(redacted_transcript)
        return RuleBasedAssistant().suggest(redacted_transcript)


@pytest.fixture(scope="module")
def room(shared_admin_ctx):
    made = ConsultRoom(shared_admin_ctx)
    made.set_up(phone="98470 90077")
    made.patient, _ = patients.register_patient(shared_admin_ctx, patient_draft(
        given_name="Lakshmi", family_name="Vadakkedath", phone=PHONE, aadhaar=AADHAAR))
    return made


@pytest.fixture(scope="module")
def consulted(room):
    """One consultation with HEARD saved as its transcript, and what the recording assistant made of it."""
    consultation_id = room.consultation()
    clinical_notes.save_transcript(room.boss, consultation_id, HEARD, model="tiny.en")
    assistant = RecordingAssistant()
    suggestions, redacted = suggest_with_assistant(room.boss, consultation_id, assistant)
    return consultation_id, assistant, suggestions, redacted


def test_the_assistant_receives_no_name_phone_or_aadhaar(consulted):
    _, assistant, _, redacted = consulted
    assert assistant.seen == [redacted]
    seen = assistant.seen[0].casefold()
    digits = re.sub(r"\D", "", seen)
    for secret in ("lakshmi", "vadakkedath", PHONE, SPOKEN_AADHAAR):
        assert secret.casefold() not in seen
    for number in ("9447261835", AADHAAR, AADHAAR[:8], AADHAAR[-8:], "61835"):
        assert number not in digits
    assert "sandhivata" in seen and "yogaraja guggulu" in seen  # the clinical content is still there


def test_the_token_it_sees_is_the_patients_and_maps_back_only_through_the_local_database(room, consulted):
    consultation_id, assistant, suggestions, _ = consulted
    tokens = set(TOKEN.findall(assistant.seen[0]))
    assert tokens == {redaction_context.redaction_context(room.boss, consultation_id).patient_token}
    assert redaction_context.reidentify(room.boss, tokens.pop()) == room.patient
    assert redaction_context.reidentify(room.boss, "PATIENT_000000") is None
    assert redaction_context.reidentify(room.boss, "Lakshmi") is None


def test_suggestions_come_back_with_the_patients_name_in_place_of_the_token(consulted):
    _, _, suggestions, _ = consulted
    assert list(suggestions) == list(SECTIONS)
    assert suggestions["medications"] == [
        "Lakshmi Vadakkedath should take Yogaraja Guggulu two tablets twice daily after food for 30 days."]
    assert suggestions["assessment"] == ["This looks like sandhivata with vata aggravation."]
    assert not any(TOKEN.search(line) for lines in suggestions.values() for line in lines)


def test_the_call_is_audited_with_the_assistant_name_only(room, consulted):
    consultation_id = consulted[0]
    rows = [r for r in audit_rows(room.boss, action="consult.note_assistant") if r.entity_id == consultation_id]
    assert [(r.entity, r.detail, r.outcome) for r in rows] == [("consultation", "assistant recording", "ok")]
    # a lookup of its own: the tests of this module may run on different workers, in any order
    assert redaction_context.reidentify(room.boss, TOKEN.search(consulted[3]).group()) == room.patient
    lookups = audit_rows(room.boss, action="consult.reidentify", entity_id=room.patient)
    assert lookups and all("lakshmi" not in (r.detail + r.entity_id).casefold() for r in lookups)


def test_an_assistants_answer_is_kept_to_note_sections_and_text(room, consulted):
    consultation_id = consulted[0]
    token = redaction_context.redaction_context(room.boss, consultation_id).patient_token

    class Unruly:
        name = "unruly"

        def suggest(self, redacted_transcript):
            return {"plan": [f"Review {token}  in two weeks.", 42, " "], "secrets": ["keep me"], "history": "One."}

    suggestions, _ = suggest_with_assistant(room.boss, consultation_id, Unruly())
    assert set(suggestions) == set(SECTIONS)
    assert suggestions["plan"] == ["Review Lakshmi Vadakkedath in two weeks."]
    assert suggestions["history"] == ["One."]


def test_suggesting_needs_a_transcript_and_a_doctor(room):
    with pytest.raises(ValidationError, match="Transcript is missing"):
        suggest_with_assistant(room.boss, room.consultation(), RecordingAssistant())
    staff_id, _ = admin.create_staff(room.boss, StaffDraft("nurse.assist", "Nurse Assist", "nurse", room.centre),
                                     STAFF_PASSWORD)
    nurse = ServiceContext(room.boss.db, user=SignedInUser(staff_id, "nurse.assist", "Nurse Assist", Role.NURSE,
                                                           room.centre), clock=room.boss.clock)
    assistant = RecordingAssistant()
    with pytest.raises(PermissionDenied):
        suggest_with_assistant(nurse, room.transcribed(), assistant)
    assert assistant.seen == []


def test_the_default_setting_selects_no_external_assistant():
    assert note_assistant.DEFAULT_SETTING == "off"
    assert assistant_for(None) is None
    assert assistant_for("off") is None and assistant_for(" OFF ") is None
    assert isinstance(assistant_for("rule_based"), RuleBasedAssistant)
    with pytest.raises(ValidationError, match="Note assistant must be one of: off, rule_based"):
        assistant_for("cloud-gpt")


def test_the_rule_based_assistant_returns_sections():
    text = "\n".join(t for _, _, t in HEARD).replace("Lakshmi Vadakkedath", "PATIENT_A7X9K2")
    suggested = RuleBasedAssistant().suggest(text)
    assert list(suggested) == list(SECTIONS)
    assert suggested["chief_complaint"] == ["I have pain in my knees and lower back."]
    assert suggested["objective"] == ["BP 130/85 mmHg.", "Pulse 78 a minute."]
    assert suggested["medications"][0].startswith("PATIENT_A7X9K2 should take Yogaraja Guggulu")
