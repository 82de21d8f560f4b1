"""The guided full resync against a real HQ under uvicorn that is restored from an older copy of its SQLite file and
given a new epoch: the next sync refuses, the resync backs up, and both desks end verified with every local row
still there or in a conflict; a re-run changes nothing; a resync stopped in any step finishes when run again."""

import contextlib
import dataclasses
import json
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from clinicdesk.cli import main
from clinicdesk.server import reset_epoch
from clinicdesk.server.app import create_app
from clinicdesk.services import patients
from clinicdesk.store.backup import verify_backup
from clinicdesk.sync import resync as resync_module
from clinicdesk.sync.errors import EpochChangedError, SyncError
from clinicdesk.sync.resync import epoch_notice, resync, resync_progress
from clinicdesk.sync.settings import load_hq_settings
from tests.sync import test_sync_client
from tests.sync.hq_fixtures import ADMIN_TOKEN, NO_WAIT
from tests.sync.test_sync_client import NAMES, draft

desks = test_sync_client.desks  # two enrolled desks of one clinic, enrolled with `hq_url` below


class RestartableHq:
    """HQ under uvicorn in a thread on one fixed loopback port, so it can be stopped, restored and started again
    while the desks keep their enrolled URL."""

    def __init__(self, folder: Path):
        self.file = folder / "hq.sqlite3"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server = self.thread = self.sock = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        app = create_app(f"sqlite:///{self.file}", admin_token=ADMIN_TOKEN)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started, "HQ did not start"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()

    def copy_to(self, target: Path) -> None:
        """A consistent copy of the live file (it runs in WAL mode), as an HQ backup would be."""
        with contextlib.closing(sqlite3.connect(self.file)) as source, \
                contextlib.closing(sqlite3.connect(target)) as copy:
            source.backup(copy)

    def restore_from(self, copy: Path) -> None:
        """The admin's restore: stop HQ, put the old file back, give HQ a new epoch, start it again."""
        self.stop()
        for suffix in ("-wal", "-shm"):
            self.file.with_name(self.file.name + suffix).unlink(missing_ok=True)
        with contextlib.closing(sqlite3.connect(copy)) as source, \
                contextlib.closing(sqlite3.connect(self.file)) as live:
            source.backup(live)
        assert reset_epoch.main([f"sqlite:///{self.file}"]) == 0
        self.start()

    def count(self, sql: str) -> int:
        with contextlib.closing(sqlite3.connect(self.file)) as hq:
            return hq.execute(sql).fetchone()[0]


@pytest.fixture
def hq(tmp_path):
    server = RestartableHq(tmp_path / "hq")
    server.file.parent.mkdir()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hq_url(hq):  # the desks fixture (tests/sync/test_sync_client.py) enrols with this HQ
    return hq.url


def edit(desk, patient_id: str, **changes) -> None:
    """Change some fields of a patient through the service (as staff would), the others as they are."""
    row = desk.patients()[patient_id]
    version = patients.get_profile(desk.ctx, patient_id).row_version
    patients.update_patient(desk.ctx, patient_id, dataclasses.replace(draft(row["given_name"], row["phone"]),
                                                                        **changes), expected_version=version)


def restored_world(desks, hq, tmp_path):
    """A and B in step; HQ copied; A then adds a patient and changes a phone (HQ takes both); HQ is restored from
    the copy (losing them) under a new epoch. Returns (ids, the copy)."""
    desk_a, desk_b = desks
    first = patients.register_patient(desk_a.ctx, draft(NAMES[0], "9847000000"))[0]
    second = patients.register_patient(desk_a.ctx, draft(NAMES[1], "9847011111"))[0]
    assert desk_a.sync().verified and desk_b.sync().verified
    copy = tmp_path / "hq-backup.sqlite3"
    hq.copy_to(copy)
    third = patients.register_patient(desk_a.ctx, draft(NAMES[2], "9847022222"))[0]
    edit(desk_a, first, phone="9847033333")
    assert desk_a.sync().verified and desk_b.sync().verified
    hq.restore_from(copy)
    return first, second, third


def test_a_restored_hq_is_refused_then_resynced_with_nothing_lost(desks, hq, tmp_path, capsys):
    desk_a, desk_b = desks
    first, second, third = restored_world(desks, hq, tmp_path)
    # while HQ was away both desks edited the same clinical field; B also registered someone
    edit(desk_a, second, given_name="Bindhu")
    edit(desk_b, second, given_name="Binu")
    fourth = patients.register_patient(desk_b.ctx, draft(NAMES[3], "9847044444"))[0]
    before_a, before_b = desk_a.patients(), desk_b.patients()
    capsys.readouterr()  # what the restore printed

    with pytest.raises(EpochChangedError):
        desk_a.sync()
    notice = epoch_notice(desk_a.db, load_hq_settings(desk_a.db.data_dir), **NO_WAIT)
    assert notice.reset_at is not None and notice.changes_hq_may_lack >= 1 and notice.unfinished_step == ""

    assert main(["sync", "--resync", "--data-dir", str(desk_b.db.data_dir)]) == 0  # B first, from the command line
    by_b = json.loads(capsys.readouterr().out)
    assert by_b["resynced"] is True and by_b["verified"] is True and Path(by_b["backup"]).exists()
    # HQ lost the third patient and the first one's new phone; B held both (pulled from A) and relays them
    assert by_b["repaired"]["rows_sent_again"] == 2 and by_b["mismatched_tables"] == ["patients"]

    summary = resync(desk_a.db, load_hq_settings(desk_a.db.data_dir), **NO_WAIT)
    assert summary.resynced and summary.verified and summary.conflicts == 1  # A's "Bindhu" against B's "Binu"
    assert summary.repaired == {}  # what A alone had lost, B already relayed under A's own stamps
    backup = Path(summary.backup)
    assert backup.exists() and verify_backup(backup, desk_a.db.key).database_id == desk_a.db.config.database_id
    assert resync_progress(desk_a.db) is None

    assert desk_b.sync().verified and desk_a.sync().verified
    after_a, after_b = desk_a.patients(), desk_b.patients()
    assert after_a == after_b and set(after_a) == {first, second, third, fourth}
    assert after_a[first]["phone"] == before_a[first]["phone"] and after_a[third] == before_a[third]
    assert after_a[fourth] == before_b[fourth]
    assert after_a[second]["given_name"] in ("Bindhu", "Binu")  # one shown, both kept in the conflict:
    conflict = hq.count("SELECT COUNT(*) FROM sync_conflicts WHERE field = 'given_name' AND versions LIKE "
                        f"'%Bindhu%' AND versions LIKE '%Binu%' AND row_id = '{second}'")
    assert conflict == 1

    changes = hq.count("SELECT COUNT(*) FROM sync_changes")
    again = resync(desk_a.db, load_hq_settings(desk_a.db.data_dir), **NO_WAIT)  # a re-run changes nothing
    assert again.verified and again.pushed == 0 and again.repaired == {} and again.conflicts == 0
    assert hq.count("SELECT COUNT(*) FROM sync_changes") == changes and desk_a.patients() == after_a


@pytest.mark.parametrize("step", ["pull", "requeue", "push"])
def test_a_resync_stopped_in_a_step_finishes_when_run_again(desks, hq, tmp_path, monkeypatch, step):
    desk_a, desk_b = desks
    first, _second, third = restored_world(desks, hq, tmp_path)
    target = {"pull": (resync_module.sync_client, "pull_all"), "requeue": (resync_module, "repair_table"),
              "push": (resync_module.sync_client, "push_all")}[step]
    real = getattr(*target)

    def fails_once(*args, **kwargs):
        monkeypatch.setattr(*target, real)
        raise SyncError("the power went off", code="test_interrupt")

    monkeypatch.setattr(*target, fails_once)
    hq_settings = load_hq_settings(desk_a.db.data_dir)
    with pytest.raises(SyncError, match="power went off"):
        resync(desk_a.db, hq_settings, **NO_WAIT)
    stopped = resync_progress(desk_a.db)
    assert stopped["step"] == {"pull": "pull", "requeue": "requeue", "push": "push"}[step]
    with pytest.raises(EpochChangedError, match="has not finished"):  # an ordinary sync may not run over it
        desk_a.sync()

    summary = resync(desk_a.db, hq_settings, **NO_WAIT)
    assert summary.verified and summary.backup == stopped["backup"]  # resumed, not restarted: one backup
    assert summary.repaired["rows_sent_again"] == 2  # A's own lost changes: the third patient, the first's phone
    assert len(list((desk_a.db.data_dir / "backups").glob("before-resync-*.cdbak"))) == 1
    assert resync_progress(desk_a.db) is None
    assert hq.count(f"SELECT COUNT(*) FROM sync_row_states WHERE row_id = '{third}'") == 1
    assert resync(desk_b.db, load_hq_settings(desk_b.db.data_dir), **NO_WAIT).verified
    assert desk_b.patients() == desk_a.patients() and {first, third} <= set(desk_a.patients())
