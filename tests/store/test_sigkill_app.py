"""SIGKILL while the real services register patients: every acknowledged patient survives, with its audit entry."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from clinicdesk.store.audit_log import verify_audit_log
from clinicdesk.store.database import open_database
from clinicdesk.store.models import AuditEntryRow, PatientRow

ROUNDS = 20
WRITER = Path(__file__).with_name("sigkill_app_writer.py")


def _run_and_kill(args: list[str], env: dict, delay: float) -> list[str]:
    proc = subprocess.Popen([sys.executable, str(WRITER), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        first = proc.stdout.readline()
        assert first.endswith(b"\n"), proc.stderr.read().decode(errors="replace")
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return [line.decode() for line in (first + rest).split(b"\n")[:-1]]


@pytest.mark.slow
def test_killing_the_app_mid_registration_loses_no_acknowledged_patient(admin_ctx):
    db = admin_ctx.db
    data_dir, key_hex, user = db.data_dir, db.key.raw.hex(), admin_ctx.user
    db.close()
    env = dict(os.environ, CLINICDESK_TEST_KEY_HEX=key_hex)
    rng = random.Random(random.randrange(1 << 30))
    acked: list[str] = []
    for round_no in range(1, ROUNDS + 1):
        acked += _run_and_kill([str(data_dir), user.staff_id, user.centre_id, str(round_no)], env,
                               rng.uniform(0.05, 0.3))

    reopened = open_database(data_dir)  # the keyring fixture still holds the key
    try:
        with reopened.session() as session:
            stored = set(session.scalars(select(PatientRow.id)))
            registered = set(session.scalars(select(AuditEntryRow.entity_id)
                                             .where(AuditEntryRow.action == "patient.register")))
            uhids = session.scalars(select(PatientRow.uhid)).all()
            _, problems = verify_audit_log(session)
            integrity = session.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
        assert set(acked) <= stored, f"lost {len(set(acked) - stored)} acknowledged patients"
        assert set(acked) <= registered  # the audit entry committed with each patient
        assert len(stored) - len(acked) <= ROUNDS  # at most one in-flight commit per kill
        assert len(uhids) == len(set(uhids))  # the UHID counter never reissued a number
        assert problems == [] and integrity == "ok"
    finally:
        reopened.close()
