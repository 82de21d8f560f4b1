"""No loss and no duplicate when a sync is interrupted: the connection cut at every point of push and pull, the
desk's `clinicdesk sync` process killed with SIGKILL mid-push, and the HQ server process killed mid-batch."""

import json
import random
import sqlite3
import ssl
import subprocess
import threading
import time
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select, text

from clinicdesk.domain.patients import PatientDraft
from clinicdesk.services import patient_records, patients
from clinicdesk.store.database import open_database
from clinicdesk.store.datadir import LocalConfig
from clinicdesk.store.models import AllergyRow, MedicationRow
from clinicdesk.store.outbox import ACKNOWLEDGED, OutboxRow
from clinicdesk.sync import client as sync_client
from clinicdesk.sync.errors import SyncError
from tests.sync.desk_fixtures import (
    PASSPHRASE,
    Desk,
    Interrupted,
    desk_state,
    enrolled_desks,
    export_credential,
    hq_connection,
    hq_state,
    make_templates,
    state_differences,
)
from tests.sync.hq_fixtures import hq_subprocess
from tests.sync.hq_process import HqProcess, desk_sync_command

NAMES = ("Anjali", "Bindu", "Chitra", "Devika", "Gauri", "Indu", "Jaya", "Kavya")
FAMILY_NAMES = ("Nair", "Menon", "Pillai", "Varma", "Kurup")
QUEUED_CHANGES = 2_000
__all__ = ["hq_subprocess"]  # the module-wide `hq` fixture, shared with the other HQ-subprocess tests


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """Two desk databases with a passphrase, so a `clinicdesk sync` subprocess can open a copy."""
    return make_templates(tmp_path_factory.mktemp("desk-templates"), 2)


@pytest.fixture
def desks(hq, templates, tmp_path, request):
    made = enrolled_desks(templates, tmp_path, hq, centre_name=f"Centre {request.node.name}"[:80])
    yield made
    for desk in made:
        desk.close()


def draft(n: int) -> PatientDraft:
    return PatientDraft(given_name=NAMES[n % len(NAMES)], family_name=FAMILY_NAMES[n // len(NAMES) % 5],
                        date_of_birth=date(1950 + n % 50, 1 + n % 12, 1 + n % 28), sex="female",
                        phone=f"98470{n:05d}", city="Kochi")


def centre_of(hq: HqProcess, desk: Desk) -> str:
    with hq_connection(hq) as connection:
        return connection.execute("SELECT centre_id FROM devices WHERE id = ?",
                                  (LocalConfig.load(desk.db.data_dir).hq_device_id,)).fetchone()[0]


def all_operations(desk: Desk) -> dict[str, str]:
    """Every operation this desk ever queued (op id -> state)."""
    with desk.db.session() as session:
        return dict(session.execute(select(OutboxRow.op_id, OutboxRow.state)).all())


def hq_change_counts(hq: HqProcess, centre_id: str) -> tuple[int, int]:
    """(changes in the centre's log, distinct operation ids among them)."""
    with hq_connection(hq) as connection:
        return connection.execute("SELECT COUNT(*), COUNT(DISTINCT op_id) FROM sync_changes WHERE centre_id = ?",
                                  (centre_id,)).fetchone()


def assert_nothing_lost_or_doubled(hq: HqProcess, desks: list[Desk]) -> None:
    centre_id = centre_of(hq, desks[0])
    made = [op_id for desk in desks for op_id in all_operations(desk)]
    changes, distinct = hq_change_counts(hq, centre_id)
    assert changes == distinct == len(made), "HQ must hold every operation made, once"
    with hq_connection(hq) as connection:
        at_hq = {row[0] for row in connection.execute("SELECT op_id FROM sync_changes WHERE centre_id = ?",
                                                       (centre_id,))}
    assert at_hq == set(made)
    final = hq_state(hq, centre_id)
    for desk in desks:
        assert set(all_operations(desk).values()) <= {ACKNOWLEDGED}, f"{desk.name}: outbox not fully acknowledged"
        assert state_differences(desk_state(desk.db), final) == [], desk.name


# --- (a) the connection cut at every point of a sync ---------------------------------------------------------

@pytest.mark.parametrize("mode", ["before", "after"])
def test_a_cut_at_any_request_of_push_or_pull_loses_and_duplicates_nothing(desks, hq, monkeypatch, mode):
    """Desk A pushes several batches and pulls several pages (desk B's work) in one sync; the connection is cut at
    request 1, then 2, ... until a sync finishes before the cut. After each cut both desks sync normally: HQ holds
    every operation exactly once and all three agree row for row."""
    monkeypatch.setattr(sync_client, "PUSH_BATCH", 2)
    monkeypatch.setattr(sync_client, "PULL_PAGE", 2)
    desk_a, desk_b = desks
    desk_a.sync()
    desk_b.sync()
    cut_paths, n = [], 0
    for at in range(1, 40):
        for desk in (desk_a, desk_b):  # A's work to push, B's work for A to pull
            for _ in range(2):
                n += 1
                patient_id, _ = patients.register_patient(desk.ctx, draft(n))
                patient_records.add_allergy(desk.ctx, patient_id, "Sesame oil", "rash", "mild")
        desk_b.sync()
        transport = Interrupted(at, mode, str(hq.ca_file))
        try:
            desk_a.sync(transport=transport)
        except SyncError:
            pass
        if not transport.fired:
            break
        cut_paths.append(transport.paths[-1])
        desk_a.sync()
        desk_b.sync()
        assert_nothing_lost_or_doubled(hq, desks)
    assert {"/v1/sync/push", "/v1/sync/pull"} <= set(cut_paths), cut_paths  # both phases were cut somewhere
    assert cut_paths.count("/v1/sync/push") >= 2 and cut_paths.count("/v1/sync/pull") >= 2  # between batches, pages


# --- (b) the desk's sync process killed ----------------------------------------------------------------------

def queue_changes(desk: Desk, count: int) -> None:
    """`count` operations waiting in the outbox: a few registrations, then allergy and medication rows written in
    one transaction (the outbox hook queues one operation per row, as for any write)."""
    patient_ids = [patients.register_patient(desk.ctx, draft(n))[0] for n in range(8)]
    with desk.db.session() as session, session.begin():
        for n in range(count - 8):
            patient_id = patient_ids[n % len(patient_ids)]
            row_id = desk.ctx.make_id()
            if n % 2:
                session.add(AllergyRow(id=row_id, patient_id=patient_id, substance=f"Substance {n}", reaction="",
                                       severity="mild", recorded_at=desk.clock()))
            else:
                session.add(MedicationRow(id=row_id, patient_id=patient_id, name=f"Medicine {n}", dose="", frequency="",
                                          since=None, recorded_at=desk.clock()))
    assert len(all_operations(desk)) >= count


def hq_operations_of(hq: HqProcess, centre_id: str) -> int:
    with hq_connection(hq) as connection:
        return connection.execute("SELECT COUNT(*) FROM sync_applied_ops WHERE centre_id = ?",
                                  (centre_id,)).fetchone()[0]


def test_the_desk_sync_process_killed_mid_push_then_a_sync_completes_with_each_change_once(desks, hq, tmp_path):
    desk = desks[0]
    centre_id = centre_of(hq, desk)
    queue_changes(desk, QUEUED_CHANGES)
    made = len(all_operations(desk))
    keyring_file = tmp_path / "subprocess-keyring.json"
    export_credential(desk, keyring_file)
    data_dir = desk.db.data_dir
    desk.db.close()  # the subprocess owns the database now

    command, env = desk_sync_command(data_dir, keyring_file=keyring_file, passphrase=PASSPHRASE)
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while hq_operations_of(hq, centre_id) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # until HQ has the first batch
    time.sleep(random.uniform(0.0, 0.4))  # then somewhere in the next batches, or in saving their answers
    process.kill()
    process.wait(timeout=10)
    out, err = process.communicate()
    assert process.returncode == -9, f"the sync finished before it was killed: {out!r} {err[-500:]!r}"
    at_hq = hq_operations_of(hq, centre_id)
    assert 0 < at_hq < made  # killed mid-push: part of the outbox reached HQ

    reopened = open_database(data_dir, passphrase=PASSPHRASE)
    with reopened.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    desk.ctx.db = reopened
    desk.sync()
    assert_nothing_lost_or_doubled(hq, [desk])
    with reopened.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == made


# --- (c) the HQ server process killed ------------------------------------------------------------------------

class SignalsPush(httpx.BaseTransport):
    """Passes requests through and notes each push batch's id the moment it is sent."""

    def __init__(self, ca_file: str):
        self.inner = httpx.HTTPTransport(verify=ssl.create_default_context(cafile=ca_file))
        self.push_sent = threading.Event()
        self.batch_ids: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/sync/push":
            self.batch_ids.append(json.loads(request.content)["batch_id"])
            self.push_sent.set()
        return self.inner.handle_request(request)


def test_hq_killed_mid_batch_keeps_its_database_whole_and_the_retry_duplicates_nothing(templates, tmp_path):
    hq = HqProcess(tmp_path / "hq").start()
    try:
        [desk] = enrolled_desks(templates[:1], tmp_path, hq, centre_name="Kochi")
        centre_id = centre_of(hq, desk)
        desk.sync()
        before = hq_operations_of(hq, centre_id)
        queue_changes(desk, sync_client.PUSH_BATCH)  # one full batch
        transport, failure = SignalsPush(str(hq.ca_file)), []

        def push() -> None:
            try:
                desk.sync(transport=transport)
            except SyncError as error:
                failure.append(error)

        pusher = threading.Thread(target=push)
        pusher.start()
        assert transport.push_sent.wait(timeout=60)
        # HQ is parsing, merging or committing the batch (measured under load: a 500-operation batch takes longer
        # than 0.15 s, so most kills land before the commit; a later one may land after it, which is also fine)
        time.sleep(random.uniform(0.0, 0.6))
        hq.kill()
        pusher.join(timeout=60)
        assert failure, "the sync should have failed with HQ gone"

        with sqlite3.connect(hq.database_file) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            [batch_id] = transport.batch_ids[:1]
            applied = connection.execute("SELECT COUNT(*) FROM sync_applied_ops WHERE batch_id = ?",
                                         (batch_id,)).fetchone()[0]
        assert applied in (0, sync_client.PUSH_BATCH), "a batch is applied whole or not at all"

        hq.start()  # the same database file, the same port
        desk.sync()
        assert hq_operations_of(hq, centre_id) - before == sync_client.PUSH_BATCH
        assert_nothing_lost_or_doubled(hq, [desk])
        desk.close()
    finally:
        hq.stop()
