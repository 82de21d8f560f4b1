"""Shared helpers for store tests: a keyring that is not there, set-up clinics, patients with telling names."""

import hashlib
from datetime import date
from pathlib import Path

import keyring.backend
import keyring.errors

from clinicdesk.domain.patients import PatientDraft
from clinicdesk.services import auth, patients
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import Database, create_database

PASSPHRASE = "monsoon over the backwaters"
ADMIN_PASSWORD = "a long clinic passphrase"

# Distinctive names in three scripts and phone numbers, so a raw-bytes search cannot match by accident.
PATIENTS = [
    PatientDraft(given_name="Zephyrine", family_name="Kuttikrishnan", date_of_birth=date(1984, 3, 9), sex="female",
                 phone="98470 31652"),
    PatientDraft(given_name="अनुराधा", family_name="देशपांडे", name_local="अनुराधा देशपांडे",
                 date_of_birth=date(1979, 11, 2), sex="female", phone="+91 90221 47835", preferred_language="hi"),
    PatientDraft(given_name="ശ്രീലക്ഷ്മി", family_name="കുഞ്ഞിരാമൻ", name_local="ശ്രീലക്ഷ്മി കുഞ്ഞിരാമൻ",
                 date_of_birth=date(1991, 6, 21), sex="female", phone="94473 80916", preferred_language="ml"),
]
SECRET_STRINGS = ["Zephyrine", "Kuttikrishnan", "अनुराधा", "देशपांडे", "ശ്രീലക്ഷ്മി", "കുഞ്ഞിരാമൻ",
                  "9847031652", "9022147835", "9447380916"]


class NoKeyring(keyring.backend.KeyringBackend):
    """A machine without a usable keyring: every call fails the way keyring does on a headless box."""

    priority = 1

    def get_password(self, service, username):
        raise keyring.errors.NoKeyringError("no keyring here")

    def set_password(self, service, username, password):
        raise keyring.errors.NoKeyringError("no keyring here")

    def delete_password(self, service, username):
        raise keyring.errors.NoKeyringError("no keyring here")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    """Hashes of every file except -shm (shared memory SQLite may touch on any open, carrying no data)."""
    return {str(p.relative_to(folder)): sha256_of(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith("-shm")}


def set_up(db: Database, clock) -> ServiceContext:
    ctx = ServiceContext(db, clock=clock)
    ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup(
        clinic_name="Sukham Ayurveda", centre_code="KOC", centre_name="Kochi", centre_timezone="Asia/Kolkata",
        centre_state="Kerala", admin_username="admin", admin_full_name="Asha Menon", admin_password=ADMIN_PASSWORD))
    return ctx


def new_clinic(data_dir: Path, clock, *, passphrase: str | None = None) -> tuple[Database, ServiceContext]:
    db = create_database(data_dir, passphrase=passphrase)
    return db, set_up(db, clock)


def register(ctx: ServiceContext, given_name: str, phone: str = "98470 11111") -> str:
    patient_id, _ = patients.register_patient(ctx, PatientDraft(
        given_name=given_name, date_of_birth=date(1980, 1, 1), sex="male", phone=phone))
    return patient_id


def patient_names(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return {row[0] for row in conn.exec_driver_sql("SELECT given_name FROM patients")}
