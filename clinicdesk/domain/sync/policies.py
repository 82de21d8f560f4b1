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
# sealed values (sealed_*, aadhaar_sealed) and keyed hashes (aadhaar_lookup) travel only once sealed or keyed with
# the centre's shared key, never with a device's own (clinicdesk/store/sync_registry.py CENTRE_SEALED_COLUMNS). A
# record written before its device had the centre key gets its sealed value in a later operation: the first value
# of a field HQ never had is accepted even for an append-only field (merge.py's fixed-field check).
#
# A whole centre travels, so a new desk can join from an empty database: reference data (centres, rooms, staff,
# services, stock...) and the operational parents of clinical rows (consultations, care plans, sessions...).
# Left out on purpose: settings (per installation), the UHID and booking counters (per device: each desk numbers
# with its own device code), the audit log (its hash chain syncs separately), the search index, the outbox and
# sync bookkeeping, the scheduler's job store, the bill counters (per device, like the UHID counters), the
# round-robin pointer of lead assignment, the notification queue and its attempts (the desk that booked sends: see
# clinicdesk/store/sync_registry.py), and the bytes of recordings, patient documents and session photos, which travel
# as encrypted chunks (their rows travel here, without the content column).
_PATIENT_RECORDS = {
    "patients": {
        **_all(A, "centre_id", "uhid", "created_by"),
        **_all(C, "given_name", "family_name", "name_local", "date_of_birth", "sex", "blood_group",
               "abha_number", "aadhaar_last4", "aadhaar_sealed", "aadhaar_lookup", "medical_history",
               "family_history"),
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
    # a note version is written once; signing it (draft -> signed, by whom, when) is the one later fact, and two
    # desks recording it differently need a person
    "clinical_notes": {**_all(A, "consultation_id", "version", "source_transcript_id", "written_by", "written_at",
                              "content_hash", "sealed_sections"),
                       **_all(C, "status", "signed_by", "signed_at")},
    "note_addenda": _all(A, "note_id", "author_id", "at", "sealed_text"),
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
                                  "recorded_by", "witness_id", "sealed_signature"),
                           **_all(L, "withdrawn_at")},
    # Rows whose bytes travel as chunks (clinicdesk/sync/blobs.py): the content column stays out of the row. A
    # document or photo is never edited; a recording is finished, then possibly deleted (retention, consent
    # withdrawn), on any desk, and the latest word on its state wins.
    "patient_documents": _all(A, "patient_id", "title", "mime_type", "size_bytes", "sha256", "added_at",
                              "added_by"),
    "session_photos": _all(A, "session_id", "kind", "mime_type", "size_bytes", "sha256", "taken_at", "taken_by"),
    # The recording's key travels only wrapped with the centre key (sync_registry.may_travel), so the desk that
    # receives the chunks can play them; it is fixed when recording starts.
    "recordings": {**_all(A, "consultation_id", "file_name", "sample_rate", "channels", "started_at", "started_by",
                          "wrapped_key"),
                   **_all(L, "seconds", "state", "delete_after", "deleted_at", "deletion_reason")},
    # A transcript is written once from a finished recording (a new run is a new row); its text travels sealed with
    # the centre key. It travels so a note drafted from it (clinical_notes.source_transcript_id) is not held back.
    "transcripts": _all(A, "consultation_id", "recording_id", "model", "language", "sealed_text", "sealed_segments",
                        "created_by"),
    # A lab result is a record of what the laboratory said; a correction is a new result. Who was alerted about a
    # critical value is set in the same save, after the row is first written, so it takes the later word.
    "lab_results": {**_all(A, "patient_id", "test", "taken_on", "value_text", "value_number", "unit", "ref_low",
                           "ref_high", "critical_low", "critical_high", "flag", "note", "document_id", "entered_at",
                           "entered_by"),
                    **_all(L, "alerted_staff_id")},
    # the exact form definition answers were filled against, and the filled form (answers sealed with the centre key).
    # A version's row id is derived from its key and version (services/intake_forms.py), so two desks first using one
    # form offline write the same row with the same values and merge instead of clashing on (form_key, version).
    "intake_form_versions": _all(A, "form_key", "version", "title", "body"),
    "intake_form_responses": _all(A, "patient_id", "form_version_id", "sealed_answers", "filled_at", "filled_by",
                                  "filled_on"),
    # Feedback is given once; an anonymous form has no patient, plan or session and that stays so.
    "feedback": _all(A, "centre_id", "scope", "anonymous", "patient_id", "plan_id", "session_id", "practitioner_id",
                     "therapy", "effectiveness", "practitioner", "facility", "staff", "value", "overall", "recommend",
                     "comment", "submitted_at"),
    # A complaint's status is workflow (pending, in progress, resolved, closed), not a clinical fact: the later move
    # wins and every move is also an append-only complaint_responses row, so the loser is still on record.
    "complaints": {**_all(A, "centre_id", "patient_id", "feedback_id", "source", "opened_at"),
                   **_all(L, "summary", "status", "owner_id")},
    "complaint_responses": _all(A, "complaint_id", "seq", "at", "by_staff_id", "from_status", "to_status", "text"),
    # a clinician's to-do: who does it, by when and that it is done are workflow, the later word wins
    "clinician_tasks": {**_all(A, "centre_id", "kind", "patient_id", "reason", "firing_id"),
                        **_all(L, "assignee_id", "due_at", "done_at", "done_by")},
    # Rule firings are the log of what fired on which facts; the marks they leave on sessions are never edited. What
    # the actions did is filled in after the firing row is written (in the same save), so it takes the later word.
    "rule_firings": {**_all(A, "centre_id", "at", "rule_key", "rule_version", "trigger", "source_id", "patient_id",
                            "evidence"),
                     **_all(L, "actions")},
    "session_flags": _all(A, "session_id", "flag", "reason", "firing_id", "at"),
    # An in-app alert for one staff member travels so they see it on whichever desk they sign in to; reading it is
    # the one later fact.
    "staff_alerts": {**_all(A, "staff_id", "patient_id", "text", "created_by"), **_all(L, "read_at")},
}

# Reference data an administrator keeps: the later edit wins and the other goes to the loser log. An owner id is
# fixed only where no screen moves the row (a room or a staff member can move to another centre; a holiday, an
# hours row or a leave row is replaced, never moved). Rows replaced on every save (holidays, working hours, leave)
# travel as a delete of the old row and an insert of the new one.
_REFERENCE_DATA = {
    "centres": _all(L, "code", "name", "timezone", "address", "phone", "email", "gstin", "state", "active"),
    "centre_holidays": {**_all(A, "centre_id", "day"), **_all(L, "name")},
    "rooms": _all(L, "centre_id", "name", "room_type", "capacity", "gender_restriction", "cleaning_buffer_minutes",
                  "active"),
    "equipment": _all(L, "centre_id", "name", "kind", "room_id", "quantity", "active"),
    # The Argon2id hash travels (never a password): a password set on one desk signs in on every desk, and HQ
    # stores only that hash. Failed-attempt counters and lock-out times stay on the desk where they happened.
    "staff": {**_all(A, "username"),
              **_all(L, "centre_id", "full_name", "role", "gender", "phone", "email", "password_hash", "active")},
    # one row per practitioner (the row id is the staff member's id)
    "practitioner_profiles": _all(L, "licence_number", "qualifications", "specialisations", "skills", "languages",
                                  "consultation_fee", "verification_status", "credential_expiry"),
    "working_hours": {**_all(A, "staff_id"),
                      **_all(L, "weekday", "start", "end", "break_start", "break_end", "effective_from",
                             "effective_until")},
    "staff_leave": {**_all(A, "staff_id"), **_all(L, "start_day", "end_day", "reason")},
    "services": _all(L, "code", "name", "category", "duration_minutes", "follow_up_duration_minutes", "room_types",
                     "skills", "staff_count", "prep_minutes", "cleanup_minutes", "equipment_kinds", "group_allowed",
                     "price", "needs_approval", "active"),
    # a link row: its row id joins the key columns (clinicdesk/store/sync_registry.py), which also travel as fields
    "service_practitioners": _all(A, "service_id", "staff_id"),
    # a saved template version is never edited: plans made from it must stay traceable
    "protocol_template_versions": _all(A, "kind", "key", "version", "effective_from", "body", "note", "created_by"),
    "stock_items": {**_all(A, "centre_id"), **_all(L, "code", "name", "unit", "reorder_level", "active")},
    # What is left of a batch is kept by each desk as it dispenses; the ledger (stock_movements) is the record, so
    # two desks using one batch at once leave the later count and a loser-log entry for the store keeper.
    "stock_batches": {**_all(A, "item_id", "batch_no", "received", "received_at"), **_all(L, "expiry", "left")},
    "stock_movements": _all(A, "item_id", "batch_id", "kind", "quantity", "session_id", "step_no", "at",
                            "by_staff_id"),
    # Prices and packages are an administrator's; the later edit wins. An issued bill uses its own copied lines, so
    # a price changed meanwhile never alters it. A practitioner's own price is a link row (service, staff).
    "service_tariffs": _all(L, "initial_price", "follow_up_price", "hsn_sac", "gst_rate", "exempt"),
    "practitioner_prices": {**_all(A, "service_id", "staff_id"), **_all(L, "price")},
    "packages": _all(L, "code", "name", "discount", "instalments", "instalment_days", "deposit", "active"),
    # replaced on every save of the package: a delete of the old rows and an insert of the new ones
    "package_items": {**_all(A, "package_id"),
                      **_all(L, "position", "kind", "description", "hsn_sac", "gst_rate", "exempt", "unit_price",
                             "quantity")},
    # Message templates an administrator edits: the later edit wins. Channel settings stay in each installation's
    # settings (their secrets are in that machine's keyring, so a copy elsewhere could not send anyway).
    "notification_templates": _all(L, "name", "category", "texts", "updated_by"),
}

# The operational parents of clinical rows. Status and times of a visit or a session are clinical, like an
# appointment's: two desks moving one session differently need a person. Ownership (patient, centre) is fixed.
_OPERATIONS = {
    "appointment_staff": _all(A, "appointment_id", "staff_id"),  # a link row, like service_practitioners
    "consultations": {**_all(A, "centre_id", "patient_id", "appointment_id", "doctor_id"),
                      **_all(C, "status", "started_at", "ended_at"), **_all(L, "room_id")},
    "care_plans": {**_all(A, "centre_id", "patient_id", "course_key", "course_version"),
                   **_all(C, "start_date", "status"),
                   **_all(L, "name", "rest_days", "max_days_late", "scheduled", "notes", "doctor_id")},
    "plan_sessions": {**_all(A, "plan_id", "key"),
                      **_all(C, "status", "day_offset", "started_at", "ended_at"),
                      **_all(L, "seq", "therapy", "phase", "service_id", "after", "appointment_id", "sop_key",
                             "sop_version", "sop_steps")},
    "waitlist": {**_all(A, "centre_id", "patient_id", "created_by"),
                 **_all(L, "service_id", "day", "staff_id", "status", "offered_start", "offered_end",
                        "offered_room_id", "offered_staff_ids", "offered_at", "appointment_id")},
    # what happened and how bad it was is a clinical record; who follows it up and how it ends are workflow
    "incidents": {**_all(A, "centre_id", "session_id", "patient_id", "reported_by", "occurred_at"),
                  **_all(C, "severity", "description", "immediate_action"),
                  **_all(L, "follow_up_owner_id", "status", "resolution")},
    # given once; a withdrawal is one more fact (the drawn signature travels sealed with the centre key)
    "recording_consents": {**_all(A, "consultation_id", "kind", "witnessed_by", "typed_name", "recorded_by",
                                  "given_at", "sealed_signature"),
                           **_all(L, "withdrawn_at", "withdrawn_by")},
    # An issued invoice, credit note, payment or instalment plan is never changed (the 0012 migration's triggers
    # refuse UPDATE and DELETE here too): a mistake is a credit note. Append-only, so HQ refuses an edit and a
    # pulled row is only ever inserted. Numbers carry the issuing device's code, so desks never collide.
    "invoices": _all(A, "centre_id", "patient_id", "kind", "number", "issued_on", "issued_at", "issued_by",
                     "original_invoice_id", "package_id", "centre_gstin", "centre_state", "buyer_name", "buyer_gstin",
                     "place_of_supply", "intra_state", "gross", "discount", "taxable", "cgst", "sgst", "igst",
                     "round_off", "total", "reason"),
    "invoice_lines": _all(A, "invoice_id", "position", "description", "hsn_sac", "gst_rate", "exempt", "quantity",
                          "unit_price", "line_discount", "invoice_discount", "taxable", "cgst", "sgst", "igst",
                          "source_kind", "source_id"),
    "instalments": _all(A, "invoice_id", "number", "due_on", "amount"),
    "payments": _all(A, "centre_id", "invoice_id", "kind", "receipt_number", "method", "amount", "reference",
                     "received_at", "received_by", "credit_note_id"),
    # a claim moves through the insurer's process; its status and amounts are workflow, the later word wins
    "insurance_claims": {**_all(A, "invoice_id"),
                         **_all(L, "insurer", "policy_number", "claim_number", "status", "claimed", "approved",
                                "settled", "updated_by")},
    # An enquiry is sales workflow, not a clinical record: contact details, interest, who follows it up and its
    # status take the later word. Every status move is also an append-only lead_events row, so a move that lost
    # is still on record; a conflict queue entry for "contacted" versus "hesitating" would cost more than it saves.
    "leads": {**_all(A, "centre_id", "source", "created_by"),
              **_all(L, "name", "phone", "email", "interest", "problem", "referred_by", "status", "lost_reason",
                     "assigned_to", "patient_id", "status_changed_at")},
    "lead_events": _all(A, "lead_id", "seq", "at", "by_staff_id", "event", "from_status", "to_status", "note"),
    # a saved rule version is never edited: firings name the version that fired
    "care_rules": _all(A, "key", "version", "body", "saved_at", "saved_by"),
    # The patient portal (served by HQ, clinicdesk/server/portal) writes a request as its own device; a desk (or a
    # desk's auto-approval) decides it. What was asked is fixed; the decision is workflow, the later word wins (the
    # appointment it made or moved is the clinical record, with its own history).
    "portal_requests": {**_all(A, "centre_id", "patient_id", "kind", "service_id", "appointment_id",
                               "requested_start", "note", "requested_at", "language"),
                        **_all(L, "status", "decision_note", "result_appointment_id", "decided_at", "decided_by")},
    # Free starts a desk's scheduling engine found for the portal, one row per centre, service and day; every desk
    # computes the same from the same diary, so the later computation simply wins.
    "portal_availability": {**_all(A, "centre_id", "service_id", "day"), **_all(L, "starts", "computed_at")},
    # The clinic's rules for online booking (one row per centre, its id is the centre's id). updated_at is each
    # database's bookkeeping like every table's (store/sync_registry.py DEVICE_COLUMNS; a pulled row takes the
    # change's time), so it does not travel.
    "portal_settings": _all(L, "booking_enabled", "auto_approve", "min_notice_hours", "max_days_ahead",
                            "change_notice_hours", "bookable_service_ids", "updated_by"),
}

CLINICDESK_POLICIES = PolicyTable(
    {**_REFERENCE_DATA, **_PATIENT_RECORDS, **_OPERATIONS},
    append_only_tables=("appointment_status_history", "ayurvedic_assessments", "clinical_notes", "note_addenda",
                        "prescriptions", "prescription_items", "consultation_vitals", "session_events",
                        "sop_step_records", "session_vitals", "session_dosages", "outcome_reports",
                        "patient_consents", "procedure_consents", "protocol_template_versions", "stock_movements",
                        "recording_consents", "patient_documents", "session_photos", "transcripts", "lab_results",
                        "intake_form_versions", "intake_form_responses", "feedback", "complaint_responses",
                        "rule_firings", "session_flags", "invoices", "invoice_lines", "instalments", "payments",
                        "lead_events", "care_rules"))
