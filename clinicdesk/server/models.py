"""Server tables: centres, enrolled devices (credential stored as an Argon2id hash) and one-time enrolment codes."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from clinicdesk.store.models import UtcDateTime

ID_LENGTH = 36  # UUIDv7 text: portable between SQLite and PostgreSQL
DEVICE_CODE_MAX = 4  # the desktop's counters keep a device code of up to 4 characters
CENTRE_NAME_MAX = 80
DEVICE_NAME_MAX = 80
REASON_MAX = 200


class ServerBase(DeclarativeBase):
    """Metadata of the HQ database only; the desktop's clinic tables live in clinicdesk.store."""

    type_annotation_map = {datetime: UtcDateTime}


class CentreRow(ServerBase):
    __tablename__ = "centres"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(CENTRE_NAME_MAX), unique=True)
    created_at: Mapped[datetime]


class DeviceRow(ServerBase):
    """A reception desktop or consultation tablet; every request it makes is scoped to its centre."""

    __tablename__ = "devices"
    __table_args__ = (Index("ix_devices_centre_id", "centre_id"),
                      UniqueConstraint("centre_id", "device_code", name="uq_devices_centre_device_code"))

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    centre_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("centres.id"))
    name: Mapped[str] = mapped_column(String(DEVICE_NAME_MAX))
    credential_hash: Mapped[str] = mapped_column(String(200))  # Argon2id; the credential itself is never stored
    enrolled_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    # the letter(s) this device puts in UHIDs and booking references (KOC-B-000123); unique within its centre so two
    # desks working offline never issue the same number. NULL for a device enrolled before codes were given.
    device_code: Mapped[str | None] = mapped_column(String(DEVICE_CODE_MAX))


class EnrolmentCodeRow(ServerBase):
    """A one-time code an HQ admin hands to a centre; it becomes one device credential, once, before it expires."""

    __tablename__ = "enrolment_codes"
    __table_args__ = (Index("ix_enrolment_codes_centre_id", "centre_id"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    centre_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("centres.id"))
    # SHA-256 of the code: looked up directly, so it cannot be salted; the code is 80 random bits and short-lived.
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_device_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), ForeignKey("devices.id"))


class CentreKeyRow(ServerBase):
    """A centre's shared key, only ever stored wrapped by the HQ master key (a file outside this database)."""

    __tablename__ = "centre_keys"

    centre_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("centres.id"), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16))  # public fingerprint (clinicdesk.store.crypto.centre_key_id)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)  # nonce + AES-GCM(master key, centre key)
    master_key_id: Mapped[str] = mapped_column(String(16))  # which master key wrapped it
    created_at: Mapped[datetime]
