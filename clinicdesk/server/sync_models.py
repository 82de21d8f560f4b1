"""Server sync tables: merged row states, remembered operation ids, the per-centre change log, conflicts, loser log.

Every table carries centre_id and every key starts with it: a centre's rows never share a key with another
centre's (a device of centre B pushing A's row ids makes B's own rows), row-level security can filter on it, and
Citus can distribute every table on it.
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.server.models import ID_LENGTH, ServerBase

TABLE_NAME_MAX = 60
ROW_ID_MAX = 80
STAMP_MAX = 90  # 15 + 1 + 6 + 1 + a node of up to 64 characters
FIELD_NAME_MAX = 64
DIGEST_LENGTH = 64  # SHA-256 hex
OUTCOME_MAX = 16
RESOLVER_MAX = 80  # a staff name or id
SETTLEMENT_NOTE_MAX = 200  # why a review item was settled so


def _centre_column() -> Mapped[str]:
    return mapped_column(String(ID_LENGTH), ForeignKey("centres.id"), primary_key=True)


class SyncSequenceRow(ServerBase):
    """The last server sequence number handed out in a centre. A push locks this row first, so pushes of one centre
    run one after another: their sequence numbers commit in order (a pull never passes a number that commits later)
    and no two pushes merge into the same row state at once."""

    __tablename__ = "sync_sequences"

    centre_id: Mapped[str] = _centre_column()
    last_seq: Mapped[int] = mapped_column(BigInteger)


class RowStateRow(ServerBase):
    """A synced row as merged at HQ: field values, the HLC stamp of each, and the tombstone stamp once deleted."""

    __tablename__ = "sync_row_states"

    centre_id: Mapped[str] = _centre_column()
    table_name: Mapped[str] = mapped_column(String(TABLE_NAME_MAX), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(ROW_ID_MAX), primary_key=True)
    field_values: Mapped[dict] = mapped_column(JSON)
    field_stamps: Mapped[dict] = mapped_column(JSON)  # field name -> stamp text
    deleted: Mapped[str | None] = mapped_column(String(STAMP_MAX))  # the latest delete's stamp
    server_seq: Mapped[int] = mapped_column(BigInteger)  # the last change that touched the row


class AppliedOpRow(ServerBase):
    """Every operation HQ has answered, with its answer: a repeated batch gets the same answers and changes nothing."""

    __tablename__ = "sync_applied_ops"

    centre_id: Mapped[str] = _centre_column()
    op_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    op_sha256: Mapped[str] = mapped_column(String(DIGEST_LENGTH))  # the same id sent with other content is refused
    batch_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    pushed_by_device_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    outcome: Mapped[str] = mapped_column(String(OUTCOME_MAX))
    reason: Mapped[str] = mapped_column(Text)
    server_seq: Mapped[int | None] = mapped_column(BigInteger)  # its change, unless rejected
    received_at: Mapped[datetime]


class ChangeRow(ServerBase):
    """The centre's change log that devices pull: each accepted operation, numbered per centre."""

    __tablename__ = "sync_changes"
    # the conflict queue names the device behind each version's stamp by finding the change that carried it
    __table_args__ = (Index("ix_sync_changes_centre_hlc", "centre_id", "hlc"),)

    centre_id: Mapped[str] = _centre_column()
    server_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(TABLE_NAME_MAX))
    row_id: Mapped[str] = mapped_column(String(ROW_ID_MAX))
    op_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    hlc: Mapped[str] = mapped_column(String(STAMP_MAX))
    operation: Mapped[dict] = mapped_column(JSON)  # the wire operation, as Operation.to_wire wrote it
    pushed_by_device_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    recorded_at: Mapped[datetime]


class ConflictRow(ServerBase):
    """A decision for a person (conflict queue): every competing version with its value, who and when."""

    __tablename__ = "sync_conflicts"

    centre_id: Mapped[str] = _centre_column()
    id: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)  # SHA-256 of Conflict.key
    table_name: Mapped[str] = mapped_column(String(TABLE_NAME_MAX))
    row_id: Mapped[str] = mapped_column(String(ROW_ID_MAX))
    field: Mapped[str | None] = mapped_column(String(FIELD_NAME_MAX))  # None: the whole row
    kind: Mapped[str] = mapped_column(String(32))
    versions: Mapped[list] = mapped_column(JSON)  # [{"value": ..., "stamp": "..."}] in stamp order
    raised_by_op_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(RESOLVER_MAX))
    resolution: Mapped[dict | None] = mapped_column(JSON)  # {value, stamp, op_id, server_seq, choice} once resolved


class LoserLogRow(ServerBase):
    """A low-risk value that lost to a concurrent later one, kept so staff can look it up."""

    __tablename__ = "sync_loser_log"

    centre_id: Mapped[str] = _centre_column()
    id: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)  # SHA-256 of LoserEntry.key
    table_name: Mapped[str] = mapped_column(String(TABLE_NAME_MAX))
    row_id: Mapped[str] = mapped_column(String(ROW_ID_MAX))
    field: Mapped[str] = mapped_column(String(FIELD_NAME_MAX))
    lost: Mapped[dict] = mapped_column(JSON)  # {"value": ..., "stamp": "..."}
    kept: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]


class ReviewItemRow(ServerBase):
    """Something for a person to look at that is not a field conflict: two patients that may be one person.
    Nothing is merged automatically."""

    __tablename__ = "sync_review_items"

    centre_id: Mapped[str] = _centre_column()
    id: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)  # SHA-256 of kind, table, both row ids
    kind: Mapped[str] = mapped_column(String(32))
    table_name: Mapped[str] = mapped_column(String(TABLE_NAME_MAX))
    row_id: Mapped[str] = mapped_column(String(ROW_ID_MAX))  # the row whose creation raised the item
    other_row_id: Mapped[str] = mapped_column(String(ROW_ID_MAX))
    matched_on: Mapped[str] = mapped_column(String(64))  # e.g. "name+date_of_birth"; never the values
    raised_by_op_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(RESOLVER_MAX))
    decision: Mapped[str | None] = mapped_column(String(32))  # once settled: different_people or same_person
    note: Mapped[str | None] = mapped_column(String(SETTLEMENT_NOTE_MAX))  # the person's words, if any


class ServerEpochRow(ServerBase):
    """The one current epoch of this HQ (a single row, slot 1): a new random id after a reset or restore sends every
    device on the old one through a full resync instead of letting it push stale data back."""

    __tablename__ = "server_epoch"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    epoch_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    started_at: Mapped[datetime]


SYNC_TABLES = tuple(row.__tablename__ for row in (SyncSequenceRow, RowStateRow, AppliedOpRow, ChangeRow, ConflictRow,
                                                   LoserLogRow, ReviewItemRow))
