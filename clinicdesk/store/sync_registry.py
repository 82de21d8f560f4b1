"""Which local tables and columns travel to HQ, derived from the domain merge policies (the one list of what syncs),
and how a row's key becomes an operation's row id."""

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.store.audio_vault import is_wrapped_with_centre_key
from clinicdesk.store.crypto import is_centre_sealed

# Changing what syncs is an edit of CLINICDESK_POLICIES, never here or in the hook: HQ accepts exactly those tables and
# fields, so the outbox queues exactly them. Left out on purpose there: the audit log (its hash chain syncs
# separately), settings, counters (uhid, booking: per device), the FTS index, the outbox and sync state themselves,
# the scheduler's job store, the bill counters (per device: each desk numbers bills with its own device code), the
# lead round-robin pointer (lead_assignment: each desk hands out the leads it takes), and the notification queue
# (notification_messages, notification_attempts): the desk that booked sends, exactly once, through its own gateway
# and keyring secrets (docs/notifications.md); a queue that travelled would send each reminder from every desk. The
# rows of documents, photos and recordings travel, their bytes as chunks (clinicdesk/sync/blobs.py).
SYNCED_COLUMNS: Mapping[str, frozenset[str]] = CLINICDESK_POLICIES.schema()
SYNCED_TABLES: frozenset[str] = frozenset(SYNCED_COLUMNS)

# Columns of any synced table that mean nothing on another device. The optimistic-lock counter is bumped by every
# local save (sending it would make every edit look like a change to one more field); created/updated times are this
# database's bookkeeping, filled in from the change's stamp when a pulled row is created (clinicdesk/sync/apply.py).
# The primary key is not a field either: it travels as the operation's row id.
DEVICE_COLUMNS: frozenset[str] = frozenset({"row_version", "created_at", "updated_at"})

# Columns of synced tables that stay here although the row travels. Listed so that a new column of a synced table
# is a decision (tests/store/test_sync_registry.py fails on an unlisted one).
LOCAL_ONLY_COLUMNS: Mapping[str, frozenset[str]] = MappingProxyType({
    # Not sealed but about this desk: wrong passwords typed here lock the account here (a lock-out that travelled
    # would let one desk's typos lock a colleague out everywhere), and the last sign-in is this desk's.
    "staff": frozenset({"failed_attempts", "last_failed_at", "last_sign_in_at"}),
    # The bytes travel as chunks (clinicdesk/sync/blobs.py); a pulled row is empty here until they arrive.
    "patient_documents": frozenset({"sealed_content"}),
    "session_photos": frozenset({"sealed_content"}),
    # when this desk first used a form version: two desks differ, and a fixed field that differs would be refused
    "intake_form_versions": frozenset({"first_used_at"}),
})

# Synced columns whose values are sealed (encrypted) or keyed hashes. They travel only once sealed with the centre
# key (clinicdesk/store/crypto.py, docs/hq-server.md "The centre key"): a value sealed or hashed with this
# database's own key is left out of the outbox, since no other device could open or match it. Re-sealing after the
# device receives the centre key queues them then; a pulled row missing one gets an empty value meanwhile.
CENTRE_SEALED_COLUMNS: Mapping[str, frozenset[str]] = MappingProxyType({
    "patients": frozenset({"aadhaar_sealed", "aadhaar_lookup"}),  # sealed number; keyed lookup hash for duplicates
    "clinical_notes": frozenset({"sealed_sections"}),
    "note_addenda": frozenset({"sealed_text"}),
    "procedure_consents": frozenset({"sealed_signature"}),
    "recording_consents": frozenset({"sealed_signature"}),
    "transcripts": frozenset({"sealed_text", "sealed_segments"}),
    "intake_form_responses": frozenset({"sealed_answers"}),
    # The recording's key (the file travels as chunks): wrapped with the centre key the other desks can play it; one
    # wrapped with this database's key stays here (a pulled row gets an empty key until a centre-wrapped one comes).
    "recordings": frozenset({"wrapped_key"}),
})

# How a sealed column tells a centre-sealed value from one only this database opens, where it is not a sealed field.
_CENTRE_SEAL_CHECKS = MappingProxyType({("recordings", "wrapped_key"): is_wrapped_with_centre_key})


def may_travel(table_name: str, column_name: str, value) -> bool:
    """False for a sealed column's value that only this database's key opens (None, a cleared value, travels)."""
    if value is None or column_name not in CENTRE_SEALED_COLUMNS.get(table_name, ()):
        return True
    return _CENTRE_SEAL_CHECKS.get((table_name, column_name), is_centre_sealed)(value)


# A row id is the primary key's value; a composite key (a link row such as appointment_staff) joins its columns'
# values in key-column order with this separator. Keys are UUIDs, which never contain it.
ROW_ID_SEPARATOR = "|"


def is_synced(table_name: str) -> bool:
    return table_name in SYNCED_COLUMNS


def synced_columns(table_name: str) -> frozenset[str]:
    """The columns of `table_name` an outbox operation may carry; empty for a table that does not sync."""
    return SYNCED_COLUMNS.get(table_name, frozenset())


def row_id_of(key_values: Sequence) -> str:
    """The operation row id of a row whose primary key holds `key_values` (in key-column order)."""
    return ROW_ID_SEPARATOR.join(str(value) for value in key_values)


def key_values_of(row_id: str, key_columns: int) -> tuple[str, ...]:
    """The primary-key values (as text, in key-column order) a row id stands for; ValueError if it has the wrong
    number of parts for a key of `key_columns` columns."""
    parts = tuple(row_id.split(ROW_ID_SEPARATOR))
    if len(parts) != key_columns or not all(parts):
        raise ValueError(f"a row id of this table joins {key_columns} key value(s) with {ROW_ID_SEPARATOR!r}")
    return parts
