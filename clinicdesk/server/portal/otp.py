"""One-time sign-in codes: issuing (with rate limits kept in the database), checking, and spending them.

A code is 6 digits from `secrets`, stored only as a salted hash, valid for 5 minutes and for 5 wrong tries. At most
3 codes per phone per 15 minutes and 10 sign-in starts per client address per hour; the limits are rows in the
database, so they hold across server workers and restarts. An unknown phone goes through exactly the same steps
(a row, the limits, the verify page) except that no code is sent: the answer never tells whether a phone is known.
"""

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from clinicdesk.server.portal.hashing import code_hash, new_salt, same, sha256_hex
from clinicdesk.server.portal.phone_lookup import PhoneRecord, records_of_phone
from clinicdesk.server.portal.portal_models import PortalCodeRow, PortalRateEventRow
from clinicdesk.server.portal.portal_state import PortalState

CODE_DIGITS = 6
START_BUCKET = "start-ip:"


@dataclass(frozen=True)
class IssuedCode:
    """A sign-in attempt: the challenge for the browser's cookie, and the code to send (None for an unknown
    phone, or when a limit refused the attempt: `refusal` then names the text key to show)."""

    challenge: str | None
    code: str | None
    code_id: str | None
    records: list[PhoneRecord]
    refusal: str | None = None


@dataclass(frozen=True)
class CheckedCode:
    """The result of a typed code: the records it opens, or the text key of why not."""

    records: list[PhoneRecord] | None
    refusal: str | None
    phone_key: str | None = None
    phone_last4: str | None = None
    code_id: str | None = None


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def _serialise(session: Session, *keys: str) -> None:
    """On PostgreSQL two workers counting the same limit at once wait for each other (a transaction-level advisory
    lock per key), so neither can slip past the count the other is about to raise."""
    if session.get_bind().dialect.name == "postgresql":
        for key in sorted(keys):
            session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def issue_code(session: Session, state: PortalState, *, normalised_phone: str, phone_key: str,
               client_ip_key: str) -> IssuedCode:
    """Counts the start, applies the limits, and writes the attempt's row; the caller sends `code` if any."""
    config, now = state.config, state.clock()
    bucket = START_BUCKET + client_ip_key
    _serialise(session, bucket, "phone:" + phone_key)
    starts = session.scalar(select(func.count()).select_from(PortalRateEventRow).where(
        PortalRateEventRow.bucket == bucket, PortalRateEventRow.at > now - config.starts_per_client_window))
    if starts >= config.starts_per_client:
        return IssuedCode(None, None, None, [], refusal="signin.too_many_starts")
    session.add(PortalRateEventRow(bucket=bucket, at=now))
    codes = session.scalar(select(func.count()).select_from(PortalCodeRow).where(
        PortalCodeRow.phone_key == phone_key, PortalCodeRow.created_at > now - config.codes_per_phone_window))
    if codes >= config.codes_per_phone:
        return IssuedCode(None, None, None, [], refusal="signin.too_many_codes")
    records = records_of_phone(session, normalised_phone, now.date())
    code, challenge, salt = new_code(), secrets.token_urlsafe(32), new_salt()
    row = PortalCodeRow(id=str(uuid.uuid4()), challenge_sha256=sha256_hex(challenge), phone_key=phone_key,
                        phone_last4=normalised_phone[-4:], code_salt=salt, code_hash=code_hash(salt, code),
                        records=[r.as_json() for r in records], created_at=now,
                        expires_at=now + config.code_lifetime, wrong_tries=0, used_at=None)
    session.add(row)
    return IssuedCode(challenge, code if records else None, row.id, records)


def check_code(session: Session, state: PortalState, *, challenge: str, typed: str) -> CheckedCode:
    """Spends the code if `typed` matches; counts a wrong try otherwise. Unknown phones never match (nobody got
    their code), and say "wrong code" like known ones."""
    config, now = state.config, state.clock()
    row = session.scalar(select(PortalCodeRow).where(PortalCodeRow.challenge_sha256 == sha256_hex(challenge))
                         .with_for_update())
    if row is None or row.used_at is not None:
        return CheckedCode(None, "signin.code_gone")
    who = {"phone_key": row.phone_key, "phone_last4": row.phone_last4, "code_id": row.id}
    if now >= row.expires_at:
        return CheckedCode(None, "signin.code_expired", **who)
    if row.wrong_tries >= config.wrong_tries_per_code:
        return CheckedCode(None, "signin.code_locked", **who)
    if not same(code_hash(row.code_salt, typed), row.code_hash) or not row.records:
        row.wrong_tries += 1
        locked = row.wrong_tries >= config.wrong_tries_per_code
        return CheckedCode(None, "signin.code_locked" if locked else "signin.code_wrong", **who)
    row.used_at = now
    return CheckedCode([PhoneRecord.from_json(r) for r in row.records], None, **who)

