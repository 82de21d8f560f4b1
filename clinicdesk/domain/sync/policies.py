"""Which merge policy each synced field follows, as data: low-risk last-writer, clinical review, or append-only."""

from collections.abc import Collection, Mapping
from enum import StrEnum
from types import MappingProxyType


class Policy(StrEnum):
    LAST_WRITER = "last_writer"  # low risk: the later HLC stamp wins, the other value goes to the loser log
    CLINICAL = "clinical"  # concurrent different values become a conflict a person resolves
    APPEND_ONLY = "append_only"  # written when the row is created, never changed


class PolicyTable:
    """Policies per (table, field); also the sync schema (which tables and fields may travel at all).

    Rows of `append_only_tables` are never deleted (notes, prescriptions, consents, session events): a mistake is
    corrected by a new record.
    """

    def __init__(self, tables: Mapping[str, Mapping[str, Policy]], append_only_tables: Collection[str] = ()):
        self._append_only = frozenset(append_only_tables)
        if not self._append_only <= tables.keys():
            unknown = ", ".join(sorted(self._append_only - tables.keys()))
            raise ValueError(f"append-only tables without policies: {unknown}")
        self._tables = MappingProxyType({name: MappingProxyType(dict(fields)) for name, fields in tables.items()})
        bad = [f"{t}.{f}" for t, fields in self._tables.items() for f, p in fields.items() if p not in set(Policy)]
        if bad:
            raise ValueError(f"unknown merge policy for {', '.join(bad)}")
        self._schema = MappingProxyType({name: frozenset(fields) for name, fields in self._tables.items()})

    def policy(self, table: str, field: str) -> Policy:
        return self._tables[table][field]

    def schema(self) -> Mapping[str, frozenset[str]]:
        """Table name to synced field names, the shape `validate_operation` expects."""
        return self._schema

    def has_clinical_fields(self, table: str) -> bool:
        """A deleted row of such a table needs a person before a later edit may bring it back."""
        return Policy.CLINICAL in self._tables[table].values()

    def is_append_only(self, table: str) -> bool:
        """Rows of this table are inserted, never deleted."""
        return table in self._append_only


def _all(policy: Policy, *names: str) -> dict[str, Policy]:
    return dict.fromkeys(names, policy)


L, C, A = Policy.LAST_WRITER, Policy.CLINICAL, Policy.APPEND_ONLY

# Column names follow clinicdesk/store. Identity fields are clinical: a silently merged name or date of birth
# attaches one person's record to another. Fields fixed at creation (ids of owners, references) are append-only.
# Only what means the same on every device travels: a row's own id travels as the operation's row id, its local
# created/updated times and optimistic-lock counter stay on the device (apply fills them for a pulled row), and
# values sealed with this database's key (sealed_*, aadhaar_sealed) or hashed with it (aadhaar_lookup) stay local
# until a centre-wide key exists (clinicdesk/store/sync_registry.py lists them).
CLINICDESK_POLICIES = PolicyTable({
    "patients": {
        **_all(A, "centre_id", "uhid", "created_by"),
        **_all(C, "given_name", "family_name", "name_local", "date_of_birth", "sex", "blood_group",
               "abha_number", "aadhaar_last4", "medical_history", "family_history"),
        **_all(L, "phone", "alt_phone", "email", "address_line", "city", "state", "pincode", "abha_address",
               "emergency_contact_name", "emergency_contact_relation", "emergency_contact_phone", "occupation",
               "preferred_language", "lifestyle", "diet"),
    },
    # allergies are rows of their own; removing one is a clinical decision (removed_at), never a delete
    "patient_allergies": {**_all(A, "patient_id", "recorded_at"),
                          **_all(C, "substance", "reaction", "severity", "removed_at")},
    # current medicines likewise: stopping one (stopped_at) is a clinical fact two devices must not merge silently
    "patient_medications": {**_all(A, "patient_id", "recorded_at"),
                            **_all(C, "name", "dose", "frequency", "since", "stopped_at")},
    # one row per patient (the row id is the patient's id): how to reach them is a preference, the later wins
    "communication_preferences": _all(L, "channels", "language", "reminder_hours_before", "quiet_start",
                                      "quiet_end", "do_not_disturb", "marketing_opt_in"),
    "appointments": {
        **_all(A, "reference", "centre_id", "patient_id", "service_id", "source", "follow_up_of",
               "rescheduled_from", "created_by"),
        **_all(C, "start_at", "end_at", "status", "approval_pending"),
        **_all(L, "room_id", "gender_match_required", "notes"),
    },
    "appointment_status_history": _all(A, "appointment_id", "seq", "at", "by_staff_id", "event", "from_status",
                                       "to_status", "reason"),
    # an assessment is taken once; a later one is a new row
    "ayurvedic_assessments": _all(A, "patient_id", "assessed_at", "assessed_by", "prakriti_answers",
                                  "vikriti_answers", "vata", "pitta", "kapha", "prakriti", "vikriti", "agni",
                                  "koshta", "sleep", "stress", "energy", "notes"),
    "clinical_notes": _all(A, "consultation_id", "version", "status", "source_transcript_id", "written_by",
                           "written_at", "signed_by", "signed_at", "content_hash"),
    "note_addenda": _all(A, "note_id", "author_id", "at"),
    "prescriptions": _all(A, "consultation_id", "patient_id", "prescribed_by", "prescribed_at",
                          "allergy_warnings_acknowledged"),
    "prescription_items": _all(A, "prescription_id", "line_no", "drug_name", "stock_item_id", "dose", "dose_unit",
                               "frequency_code", "food_timing", "duration_days", "route", "quantity",
                               "instructions", "dispense_in_house", "dispensed"),
    "consultation_vitals": _all(A, "consultation_id", "patient_id", "bp_systolic", "bp_diastolic", "pulse_bpm",
                                "temperature_c", "spo2_percent", "respiratory_rate", "height_cm", "weight_kg",
                                "bmi", "recorded_by", "at"),
    "session_events": _all(A, "session_id", "seq", "at", "by_staff_id", "event", "from_status", "to_status",
                           "reason"),
    "sop_step_records": _all(A, "session_id", "step_no", "outcome", "value", "reason", "deviation",
                             "timer_seconds", "at", "by_staff_id"),
    "session_vitals": _all(A, "session_id", "moment", "pulse_bpm", "bp_systolic", "bp_diastolic", "temperature_c",
                           "weight_kg", "at", "by_staff_id"),
    "session_dosages": _all(A, "session_id", "medicine", "quantity", "unit", "route", "at", "by_staff_id"),
    "outcome_reports": _all(A, "plan_id", "session_id", "symptom_scores", "energy", "sleep", "digestion",
                            "side_effects", "at", "by_staff_id"),
    # a consent is given once; its withdrawal is one more fact, set once (both devices saying "withdrawn" agree)
    "patient_consents": {**_all(A, "patient_id", "kind", "version", "given_at", "method", "witness_id"),
                         **_all(L, "withdrawn_at")},
    "procedure_consents": {**_all(A, "plan_id", "patient_id", "typed_name", "text_version", "signed_at",
                                  "recorded_by", "witness_id"),
                           **_all(L, "withdrawn_at")},
}, append_only_tables=("appointment_status_history", "ayurvedic_assessments", "clinical_notes", "note_addenda",
                       "prescriptions", "prescription_items", "consultation_vitals", "session_events",
                       "sop_step_records", "session_vitals", "session_dosages", "outcome_reports",
                       "patient_consents", "procedure_consents"))
