"""Helpers for the service tests: a valid patient draft, audit-log readers and row counters."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import keyring
from sqlalchemy import func, select

from clinicdesk.domain.identifiers import verhoeff_check_digit
from clinicdesk.domain.patients import PatientDraft
from clinicdesk.services import auth
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import create_database
from clinicdesk.store.models import AuditEntryRow
from tests.conftest import ADMIN_PASSWORD, FixedClock, MemoryKeyring


def aadhaar(base: str = "23456789012") -> str:
    return base + verhoeff_check_digit(base)


def patient_draft(**overrides) -> PatientDraft:
    values = {"given_name": "Asha", "family_name": "Menon", "date_of_birth": date(1985, 4, 12), "sex": "female",
              "phone": "98470 12345"}
    return PatientDraft(**(values | overrides))


def audit_rows(ctx: ServiceContext, **where) -> list[AuditEntryRow]:
    with ctx.db.session() as session:
        query = select(AuditEntryRow).order_by(AuditEntryRow.seq)
        for name, value in where.items():
            query = query.where(getattr(AuditEntryRow, name) == value)
        return list(session.scalars(query))


def count_rows(ctx: ServiceContext, row_type) -> int:
    with ctx.db.session() as session:
        return session.scalar(select(func.count()).select_from(row_type))


@contextmanager
def standalone_clinic(root: Path) -> Iterator[ServiceContext]:
    """A set-up clinic for module-scoped fixtures (the autouse in-memory keyring is per test, so bring one)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        db = create_database(root, passphrase=None)
    finally:
        keyring.set_keyring(previous)
    try:
        ctx = ServiceContext(db, clock=FixedClock(datetime(2026, 11, 26, 4, 30, tzinfo=UTC)))
        ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup(
            "Sukham Ayurveda", "KOC", "Kochi", "Asia/Kolkata", "Kerala", "admin", "Asha Menon", ADMIN_PASSWORD))
        yield ctx
    finally:
        db.close()
