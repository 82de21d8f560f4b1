"""The desktop sync client against a real HQ (create_app on a temp SQLite file, uvicorn on loopback): two desks
converge, re-running changes nothing, a rejected change stays listed with its reason, a cut connection loses nothing."""

import dataclasses
import json
import sqlite3
import ssl
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from clinicdesk.cli import main
from clinicdesk.domain.patients import PatientDraft
from clinicdesk.domain.sync.policies import CLINICDESK_POLICIES
from clinicdesk.server.tls import dev_self_signed
from clinicdesk.services import patients
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import create_database
from clinicdesk.store.models import PatientRow
from clinicdesk.store.outbox import REJECTED, OutboxRow, outbox_counts
from clinicdesk.sync import client as sync_client
from clinicdesk.sync.client import sync_once
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.errors import EpochChangedError, SyncError
from clinicdesk.sync.settings import load_hq_settings
from clinicdesk.sync.transport import HqTransport
from tests.sync.hq_fixtures import (
    ADMIN_TOKEN,
    NO_WAIT,
    clock,
    enrolment_code,
    hq_admin,
    new_centre,
    serve_hq,
    serve_hq_url,
    set_up_clinic_desk,
)

NAMES = ["Anjali", "Bindu", "Chitra", "Devika", "Gauri"]


@pytest.fixture
def hq_url(tmp_path):
    """HQ over plain HTTP, which the client allows to this machine only."""
    with serve_hq_url(tmp_path) as url:
        yield url


def hq_database(tmp_path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "hq" / "hq.sqlite3")


@dataclasses.dataclass
class Desk:
    ctx: ServiceContext

    @property
    def db(self):
        return self.ctx.db

    def sync(self, **kwargs):
        return sync_once(self.db, load_hq_settings(self.db.data_dir), **NO_WAIT, **kwargs)

    def patients(self) -> dict[str, dict]:
        synced = CLINICDESK_POLICIES.schema()["patients"]  # local times and sealed values are not synced
        columns = [c for c in PatientRow.__table__.columns if c.name in synced or c.primary_key]
        with self.db.session() as session:
            return {row.id: dict(row._mapping) for row in session.execute(select(*columns))}

    def outbox(self) -> dict[str, int]:
        with self.db.session() as session:
            return outbox_counts(session)


@pytest.fixture
def desks(tmp_path, hq_url) -> tuple[Desk, Desk]:
    """Desk A sets the clinic up; desk B, empty, gets the centre and staff from HQ; both enrol and sync once."""
    ctx_a = set_up_clinic_desk(tmp_path / "desk-a")
    db_a = ctx_a.db
    db_b = create_database(tmp_path / "desk-b", passphrase=None, device_code="B")
    centre = new_centre(hq_url)
    for db, name in ((db_a, "Reception desk A"), (db_b, "Reception desk B")):
        enrol(db.data_dir, hq_url, enrolment_code(hq_url, centre), "", device_name=name)
        sync_once(db, load_hq_settings(db.data_dir), **NO_WAIT)  # A sends its centre and staff, B receives them
    yield Desk(ctx_a), Desk(ServiceContext(db_b, user=ctx_a.user, clock=clock))
    db_a.close()
    db_b.close()


def draft(given_name: str = "Lakshmi", phone: str = "9847012345") -> PatientDraft:
    return PatientDraft(given_name=given_name, family_name="Nair", date_of_birth=date(1984, 3, 9), sex="female",
                        phone=phone, city="Kochi")


def test_enrolment_keeps_the_credential_in_the_keyring_not_the_config(desks, memory_keyring):
    desk_a, _ = desks
    settings = load_hq_settings(desk_a.db.data_dir)
    assert settings.credential.startswith("cdk1.")
    config_text = (desk_a.db.data_dir / "clinicdesk.json").read_text()
    assert settings.device_id in config_text and settings.credential not in config_text
    assert settings.credential not in repr(settings)


def test_two_desks_converge_and_a_repeat_changes_nothing(desks):
    desk_a, desk_b = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, draft())
    first = desk_a.sync()
    assert first.pushed >= 1 and first.rejected == 0 and first.conflicts == 0
    assert desk_b.sync().pulled >= 1
    assert desk_b.patients() == desk_a.patients()  # same id, same fields
    assert desk_b.patients()[patient_id]["given_name"] == "Lakshmi"
    assert desk_b.outbox()["pending"] == 0  # applying HQ's changes queued nothing to send back

    version = patients.get_profile(desk_b.ctx, patient_id).row_version
    patients.update_patient(desk_b.ctx, patient_id, dataclasses.replace(draft(), phone="9847099999"),
                            expected_version=version)
    assert desk_b.sync().pushed == 1
    assert desk_a.sync().pulled >= 1
    assert desk_a.patients()[patient_id]["phone"].endswith("9847099999")
    assert desk_a.patients() == desk_b.patients()

    before = (desk_a.patients(), desk_b.patients())
    for desk in (desk_a, desk_b):
        again = desk.sync()
        assert (again.pushed, again.pulled, again.conflicts, again.rejected) == (0, 0, 0, 0)
    assert (desk_a.patients(), desk_b.patients()) == before


def change_a_synced_uhid(desk: Desk) -> str:
    """A patient registered and synced, then her UHID changed on the desk, a change HQ refuses (the UHID is fixed at
    creation); returns her id."""
    patient_id, _ = patients.register_patient(desk.ctx, draft())
    desk.sync()
    with desk.db.session() as session, session.begin():
        session.get(PatientRow, patient_id).uhid = "KOC-A-999999"
    return patient_id


def test_a_rejected_change_stays_listed_with_its_reason(desks):
    desk_a, _ = desks
    patient_id = change_a_synced_uhid(desk_a)
    summary = desk_a.sync()
    assert summary.rejected == 1 and summary.pushed == 1
    with desk_a.db.session() as session:
        [rejected] = session.scalars(select(OutboxRow).where(OutboxRow.state == REJECTED)).all()
    assert rejected.row_id == patient_id and "fixed when the record is created" in rejected.result_reason
    again = desk_a.sync()
    assert (again.pushed, again.rejected) == (0, 0)  # not sent again, and not dropped:
    assert desk_a.outbox()[REJECTED] == 1


class CutAfter(httpx.BaseTransport):
    """Passes `requests` requests through to HQ; the last of them reaches HQ but its answer is lost, and from then
    on the connection is down."""

    def __init__(self, requests: int):
        self.inner, self.left = httpx.HTTPTransport(), requests

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/centre-key":  # asked first by every sync while the desk has none: not counted
            return self.inner.handle_request(request)
        self.left -= 1
        if self.left < 0:
            raise httpx.ConnectError("connection refused", request=request)
        response = self.inner.handle_request(request)
        response.read()
        if self.left == 0:
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_a_connection_cut_mid_push_then_a_retry_loses_and_duplicates_nothing(desks, tmp_path, monkeypatch):
    desk_a, desk_b = desks
    monkeypatch.setattr(sync_client, "PUSH_BATCH", 2)  # several batches from a few patients
    ids = {patients.register_patient(desk_a.ctx, draft(NAMES[n], f"98470{n:05d}"))[0] for n in range(5)}
    operations, acknowledged = desk_a.outbox()["pending"], desk_a.outbox()["acknowledged"]  # the set-up's, synced
    assert operations >= 5

    with pytest.raises(SyncError, match="could not be reached"):
        desk_a.sync(transport=CutAfter(2))  # batch 1 answered; batch 2 applied at HQ, its answer lost
    counts = desk_a.outbox()
    assert counts["acknowledged"] == acknowledged + 2 and counts["sent"] == 2 and counts["pending"] == operations - 4

    retry = desk_a.sync()
    assert desk_a.outbox()["acknowledged"] == acknowledged + operations and retry.rejected == 0
    with hq_database(tmp_path) as hq:
        changes = hq.execute("SELECT COUNT(*), COUNT(DISTINCT json_extract(operation, '$.op_id')) "
                             "FROM sync_changes WHERE table_name = 'patients'").fetchone()
    assert changes == (operations, operations)  # every operation once at HQ: no loss, no duplicate
    desk_b.sync()
    assert set(desk_b.patients()) == ids and desk_b.patients() == desk_a.patients()


def test_a_connection_cut_mid_pull_keeps_the_saved_pages_and_resumes(desks, monkeypatch):
    desk_a, desk_b = desks
    for n in range(5):
        patients.register_patient(desk_a.ctx, draft(NAMES[n], f"98470{n:05d}"))
    desk_a.sync()
    monkeypatch.setattr(sync_client, "PULL_PAGE", 2)
    with pytest.raises(SyncError):
        desk_b.sync(transport=CutAfter(2))  # push (nothing) ... first page saved, second page's answer lost
    partial = desk_b.patients()
    assert len(partial) == 2
    resumed = desk_b.sync()
    assert resumed.pulled == 3 and desk_b.patients() == desk_a.patients()


def test_an_hq_reset_stops_the_sync_with_a_full_resync_sentence(desks, hq_url):
    desk_a, _ = desks
    desk_a.sync()  # learns the epoch
    hq_admin(hq_url, "POST", "/v1/admin/epoch/reset", {})
    patients.register_patient(desk_a.ctx, draft())
    with pytest.raises(EpochChangedError, match="full resync"):
        desk_a.sync()
    assert desk_a.outbox()["pending"] + desk_a.outbox()["sent"] == 1  # kept for the resync, not dropped


def test_the_command_line_enrols_and_prints_one_json_summary(desks, hq_url, tmp_path, capsys):
    desk_a, _ = desks
    patients.register_patient(desk_a.ctx, draft())
    assert main(["sync", "--data-dir", str(desk_a.db.data_dir)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary) == {"pushed", "pulled", "conflicts", "rejected", "seconds", "verified"}
    assert (summary["pushed"], summary["rejected"]) == (1, 0)

    fresh = create_database(tmp_path / "desk-c", passphrase=None, device_code="C")
    fresh.close()
    assert main(["sync", "--data-dir", str(tmp_path / "desk-c")]) == 1
    assert "not enrolled" in capsys.readouterr().err
    centre = hq_admin(hq_url, "POST", "/v1/admin/centres", {"name": "Thrissur"})["id"]
    assert main(["sync", "enrol", "--data-dir", str(tmp_path / "desk-c"), "--hq", hq_url,
                 "--code", enrolment_code(hq_url, centre), "--name", "Tablet C"]) == 0
    assert json.loads(capsys.readouterr().out)["enrolled"] is True
    assert main(["sync", "--data-dir", str(tmp_path / "desk-c")]) == 0
    assert json.loads(capsys.readouterr().out)["pulled"] == 0  # another centre's changes never reach it


def test_concurrent_edits_of_a_clinical_field_end_identical_and_are_counted_as_a_conflict(desks):
    desk_a, desk_b = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, draft())
    desk_a.sync()
    desk_b.sync()
    for desk, name in ((desk_a, "Lakshmy"), (desk_b, "Laxmi")):  # both offline, neither sees the other's edit
        version = patients.get_profile(desk.ctx, patient_id).row_version
        patients.update_patient(desk.ctx, patient_id, dataclasses.replace(draft(), given_name=name),
                                expected_version=version)
    assert desk_a.sync().conflicts == 0
    assert desk_b.sync().conflicts == 1  # HQ keeps both versions for a person to choose
    desk_a.sync()
    assert desk_a.patients() == desk_b.patients()
    assert desk_a.patients()[patient_id]["given_name"] in ("Lakshmy", "Laxmi")


def test_over_https_the_client_trusts_the_hq_ca_it_was_given_and_nothing_else(tmp_path):
    tls = dev_self_signed(tmp_path / "hq-tls")
    other_ca = dev_self_signed(tmp_path / "someone-else")
    db = create_database(tmp_path / "desk", passphrase=None)
    with serve_hq(tmp_path, ssl_certfile=str(tls.cert), ssl_keyfile=str(tls.key)) as port:
        url = f"https://localhost:{port}"
        centre = hq_admin_tls(url, tls.cert, "/v1/admin/centres", {"name": "Kochi"})["id"]
        code = hq_admin_tls(url, tls.cert, "/v1/admin/enrolment-codes", {"centre_id": centre, "valid_hours": 1})
        with pytest.raises(SyncError, match="did not present a certificate from the HQ certificate authority"):
            enrol(db.data_dir, url, code["code"], str(other_ca.cert), device_name="Desk")
        with pytest.raises(SyncError, match="certificate authority"):
            enrol(db.data_dir, url, code["code"], "", device_name="Desk")
        enrol(db.data_dir, url, code["code"], str(tls.cert), device_name="Desk")
        patients_before = sync_once(db, load_hq_settings(db.data_dir), **NO_WAIT)
    db.close()
    assert (patients_before.pushed, patients_before.rejected) == (0, 0)
    with pytest.raises(SyncError, match="https://"):
        HqTransport("http://hq.example.org", "cdk1.x.y")


def hq_admin_tls(url: str, ca: Path, path: str, body: dict) -> dict:
    response = httpx.post(url + path, json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                          verify=ssl.create_default_context(cafile=ca))
    assert response.is_success, response.text
    return response.json()


class LoseOneAnswer(httpx.BaseTransport):
    """Every request reaches HQ; the answer to request number `lost` is lost on the way back (once)."""

    def __init__(self, lost: int):
        self.inner, self.lost, self.seen = httpx.HTTPTransport(), lost, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        response = self.inner.handle_request(request)
        response.read()
        if self.seen == self.lost:
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_a_lost_push_answer_is_retried_with_back_off_within_the_same_sync(desks, tmp_path, monkeypatch):
    desk_a, _ = desks
    monkeypatch.setattr(sync_client, "PUSH_BATCH", 2)
    for n in range(3):
        patients.register_patient(desk_a.ctx, draft(NAMES[n], f"98470{n:05d}"))
    pauses = []
    summary = sync_once(desk_a.db, load_hq_settings(desk_a.db.data_dir), transport=LoseOneAnswer(2),
                        sleep=pauses.append)
    assert pauses == [0.5]  # one failed attempt, one pause, then the same batch again
    assert summary.pushed == 3 and desk_a.outbox()["acknowledged"] == 3 + 2  # and the set-up's centre and staff
    with hq_database(tmp_path) as hq:
        assert hq.execute("SELECT COUNT(*) FROM sync_changes WHERE table_name = 'patients'").fetchone() == (3,)
