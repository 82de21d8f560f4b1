"""`clinicdesk audit verify` finds the exact entry edited, deleted or reordered with raw SQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clinicdesk.cli import main
from clinicdesk.services import patients
from clinicdesk.store.keys import PASSPHRASE_ENV
from tests.store.helpers import PASSPHRASE, PATIENTS, new_clinic

CLINICDESK = Path(sys.executable).with_name("clinicdesk")


def _audit_many(ctx) -> None:
    ids = [patients.register_patient(ctx, draft)[0] for draft in PATIENTS]
    for patient_id in ids:
        patients.get_profile(ctx, patient_id)


@pytest.fixture
def audited(admin_ctx):
    _audit_many(admin_ctx)
    return admin_ctx.db


def _sql(db, *statements: str) -> None:
    with db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def _count(db) -> int:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar()


def _verify(db, capsys) -> tuple[int, list[str]]:
    code = main(["--data-dir", str(db.data_dir), "audit", "verify"])
    return code, capsys.readouterr().out.splitlines()


def test_untouched_log_is_reported_intact(audited, capsys):
    entries = _count(audited)
    assert entries >= 7  # set-up, three registrations, three chart views
    assert _verify(audited, capsys) == (0, [f"Audit log intact: {entries} entries, hash chain verified."])


@pytest.mark.parametrize("column, value", [("detail", "fields: phone"), ("actor", "someone.else"),
                                           ("at", "2026-11-25T04:30:00.000+00:00"), ("entity_id", "x")])
@pytest.mark.parametrize("seq", [1, 4, "last"])
def test_edited_entry_is_reported_by_its_seq(audited, capsys, column, value, seq):
    seq = _count(audited) if seq == "last" else seq
    _sql(audited, f"UPDATE audit_log SET {column} = '{value}' WHERE seq = {seq}")
    assert _verify(audited, capsys) == (1, [f"AUDIT LOG BROKEN at entry {seq}: entry {seq} was altered after it "
                                            "was written"])


def test_deleted_entry_is_reported_missing(audited, capsys):
    _sql(audited, "DELETE FROM audit_log WHERE seq = 5")
    assert _verify(audited, capsys) == (1, ["AUDIT LOG BROKEN at entry 5: entry 5 missing (deleted) before entry 6"])


def test_deleted_run_of_entries_is_reported_as_a_range(audited, capsys):
    _sql(audited, "DELETE FROM audit_log WHERE seq IN (2, 3)")
    assert _verify(audited, capsys) == (1, ["AUDIT LOG BROKEN at entry 2: entries 2-3 missing (deleted) before "
                                            "entry 4"])


def test_swapped_entries_are_reported_at_the_first_affected_one(audited, capsys):
    # seq is the primary key, so the swap goes through a free number.
    _sql(audited, "UPDATE audit_log SET seq = -1 WHERE seq = 3", "UPDATE audit_log SET seq = 3 WHERE seq = 6",
         "UPDATE audit_log SET seq = 6 WHERE seq = -1")
    code, lines = _verify(audited, capsys)
    assert code == 1
    assert lines == ["AUDIT LOG BROKEN at entry 3: entry 3 does not follow the entry before it"]


def test_real_command_reports_intact_then_the_altered_entry(tmp_path, clock):
    db, ctx = new_clinic(tmp_path / "clinic", clock, passphrase=PASSPHRASE)
    _audit_many(ctx)
    entries = _count(db)
    db.close()
    # A separate process has no test keyring: it must unlock with the passphrase, as on a headless machine.
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", **{PASSPHRASE_ENV: PASSPHRASE})
    command = [str(CLINICDESK), "--data-dir", str(db.data_dir), "audit", "verify"]

    intact = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert (intact.returncode, intact.stdout.strip()) == (0, f"Audit log intact: {entries} entries, hash chain "
                                                             "verified."), intact.stderr

    from clinicdesk.store.engine import make_engine

    engine = make_engine(db.path, db.key)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET action = 'patient.view' WHERE seq = 2")
    engine.dispose()
    broken = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1, broken.stderr
    assert broken.stdout.strip() == "AUDIT LOG BROKEN at entry 2: entry 2 was altered after it was written"
