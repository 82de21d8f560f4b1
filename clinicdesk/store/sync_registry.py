"""Which local tables travel to HQ (their writes go to the outbox) and which of their columns stay on this device."""

# Changing what syncs is an edit here, never in the hook. Left out on purpose: staff (password hashes), the audit log
# (its hash chain syncs separately), settings, counters (uhid, booking), the FTS index, the outbox and sync state
# themselves, and documents, photos, recordings and transcripts (large sealed content syncs as chunks later).
SYNCED_TABLES: frozenset[str] = frozenset({
    # patient records
    "patients",
    "patient_allergies",
    "patient_medications",
    "patient_consents",
    "communication_preferences",
    # booking
    "appointments",
    "appointment_status_history",  # append-only
    # consultation records, append-only
    "ayurvedic_assessments",
    "clinical_notes",
    "note_addenda",
    "prescriptions",
    "prescription_items",
    "consultation_vitals",
    # therapy records, append-only
    "procedure_consents",
    "session_events",
    "sop_step_records",
    "session_vitals",
    "session_dosages",
    "outcome_reports",
})

# Per-device bookkeeping that means nothing on another device: the optimistic-lock counter is bumped by every
# local save, so sending it would make every edit look like a change to one more field.
LOCAL_ONLY_COLUMNS: frozenset[str] = frozenset({"row_version"})


def is_synced(table_name: str) -> bool:
    return table_name in SYNCED_TABLES
