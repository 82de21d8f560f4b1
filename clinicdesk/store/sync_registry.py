"""Which local tables and columns travel to HQ, derived from the domain merge policies (the one list of what syncs)."""

from collections.abc import Mapping
from types import MappingProxyType

from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES

# Changing what syncs is an edit of CLINICDESK_POLICIES, never here or in the hook: HQ accepts exactly those tables and
# fields, so the outbox queues exactly them. Left out on purpose there: staff (password hashes), the audit log (its
# hash chain syncs separately), settings, counters (uhid, booking), the FTS index, the outbox and sync state
# themselves, and documents, photos, recordings and transcripts (large sealed content syncs as chunks later).
SYNCED_COLUMNS: Mapping[str, frozenset[str]] = CLINICDESK_POLICIES.schema()
SYNCED_TABLES: frozenset[str] = frozenset(SYNCED_COLUMNS)

# Columns of any synced table that mean nothing on another device. The optimistic-lock counter is bumped by every
# local save (sending it would make every edit look like a change to one more field); created/updated times are this
# database's bookkeeping, filled in from the change's stamp when a pulled row is created (clinicdesk/sync/apply.py).
# The primary key is not a field either: it travels as the operation's row id.
DEVICE_COLUMNS: frozenset[str] = frozenset({"row_version", "created_at", "updated_at"})

# Columns of synced tables that stay here although the row travels. Each is sealed (encrypted) or hashed with this
# database's own key, so another device could neither open nor match it; they wait for a centre-wide key. Listed so
# that a new column of a synced table is a decision (tests/store/test_sync_registry.py fails on an unlisted one).
LOCAL_ONLY_COLUMNS: Mapping[str, frozenset[str]] = MappingProxyType({
    "patients": frozenset({"aadhaar_sealed", "aadhaar_lookup"}),  # sealed number; keyed lookup hash for search
    "clinical_notes": frozenset({"sealed_sections"}),
    "note_addenda": frozenset({"sealed_text"}),
    "procedure_consents": frozenset({"sealed_signature"}),
})


def is_synced(table_name: str) -> bool:
    return table_name in SYNCED_COLUMNS


def synced_columns(table_name: str) -> frozenset[str]:
    """The columns of `table_name` an outbox operation may carry; empty for a table that does not sync."""
    return SYNCED_COLUMNS.get(table_name, frozenset())
