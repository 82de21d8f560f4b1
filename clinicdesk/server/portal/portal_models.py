"""HQ tables of the patient portal: sign-in codes, rate-limit events, portal sessions and the portal's audit log.

No table holds a phone number or a name: a phone is kept as its last four digits and a keyed hash (HMAC with the
portal's hash key, which lives outside the database), codes and session tokens only as hashes.
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.server.models import ID_LENGTH, ServerBase

DIGEST_LENGTH = 64  # SHA-256 / HMAC-SHA256 hex
LAST4_LENGTH = 4
LANGUAGE_LENGTH = 8
ACTION_MAX = 60
SUBJECT_MAX = 120
BUCKET_MAX = 100
END_REASON_MAX = 20


class PortalCodeRow(ServerBase):
    """One sign-in attempt: the code sent (salted hash only), the records the phone opens, and its wrong tries.
    A row is written for an unknown phone too (with no records and a code nobody was sent), so the answer and the
    rate limits are the same whether or not the phone is known."""

    __tablename__ = "portal_codes"
    __table_args__ = (Index("ix_portal_codes_phone_key_created", "phone_key", "created_at"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    # SHA-256 of the random challenge in the browser's pending cookie: ties /verify to this attempt
    challenge_sha256: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    phone_key: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    phone_last4: Mapped[str] = mapped_column(String(LAST4_LENGTH))
    code_salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    # [{"centre_id", "patient_id", "as_guardian"}]: found at sign-in, so the phone itself is never stored
    records: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    wrong_tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None]


class PortalRateEventRow(ServerBase):
    """One counted event of a rate limit (a sign-in start from a client address); counted by bucket and time."""

    __tablename__ = "portal_rate_events"
    __table_args__ = (Index("ix_portal_rate_events_bucket_at", "bucket", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    bucket: Mapped[str] = mapped_column(String(BUCKET_MAX))  # e.g. "start-ip:<keyed hash>"
    at: Mapped[datetime]


class PortalSessionRow(ServerBase):
    """A signed-in phone. centre_id/patient_id stay empty until one record is chosen (a phone may open several)."""

    __tablename__ = "portal_sessions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)  # the cookie's token, hashed
    phone_key: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    phone_last4: Mapped[str] = mapped_column(String(LAST4_LENGTH))
    records: Mapped[list] = mapped_column(JSON)  # the records this phone may choose between
    centre_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    patient_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    as_guardian: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(LANGUAGE_LENGTH))
    csrf_token: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    client_ip_key: Mapped[str] = mapped_column(String(DIGEST_LENGTH))  # the latest request's address, keyed hash
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(END_REASON_MAX))


class PortalAuditRow(ServerBase):
    """Who did what in the portal. Never a phone number or a name: the phone only as last 4 digits + keyed hash."""

    __tablename__ = "portal_audit_log"
    __table_args__ = (Index("ix_portal_audit_log_centre_patient", "centre_id", "patient_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    at: Mapped[datetime]
    session_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    centre_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    patient_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    action: Mapped[str] = mapped_column(String(ACTION_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    phone_last4: Mapped[str | None] = mapped_column(String(LAST4_LENGTH))
    phone_key: Mapped[str | None] = mapped_column(String(DIGEST_LENGTH))
    client_ip_key: Mapped[str | None] = mapped_column(String(DIGEST_LENGTH))
