"""Property: 2-3 real desks (SQLCipher databases, the real services) and one real HQ (a subprocess on an embedded
SQLite file) end identical after any program of offline edits, deletes, clock shifts, syncs and syncs that crash
part-way, and every edit made is kept, recorded (conflict queue or loser log), or was replaced by someone who saw it.

Each example works in a centre of its own, on fresh copies of one set of desk databases made once per module.
"""

import dataclasses
import json
import os
import shutil
import tempfile
from datetime import date, time, timedelta
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from clinicdesk.domain.patients import PatientDraft
from clinicdesk.services import patient_records, patients
from clinicdesk.services.patient_dto import CommunicationPreferences
from clinicdesk.store.models import AllergyRow, ConsentRow, MedicationRow, PatientRow
from clinicdesk.store.outbox import PENDING, REJECTED, SENT, OutboxRow, SyncStateRow
from clinicdesk.sync import client as sync_client
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.settings import load_hq_settings
from clinicdesk.sync.transport import HqTransport
from tests.memory_keyring import MemoryKeyring
from tests.sync.desk_fixtures import (
    Desk,
    DeskClock,
    Interrupted,
    TrueTime,
    desk_state,
    enrolled_desks,
    hq_connection,
    hq_state,
    make_templates,
    state_differences,
)
from tests.sync.hq_fixtures import hq_subprocess
from tests.sync.hq_process import HqProcess

# Values each editable field takes: two clinical fields (a concurrent change is a conflict), two low-risk ones.
EDIT_VALUES = {
    "given_name": ("Lakshmi", "Lakshmy", "Laxmi"),
    "date_of_birth": (date(1984, 3, 9), date(1984, 9, 3), date(1948, 3, 9)),
    "phone": ("9847012345", "9847012346", "9847099999"),
    "city": ("Kochi", "Thrissur", "Kannur"),
}
SUBSTANCES = ("Sesame oil", "Penicillin", "Ashwagandha")
MEDICINES = ("Metformin", "Amlodipine", "Triphala")
SKEWS = tuple(timedelta(seconds=s) for s in (0, 40, -90, 11 * 60, -3 * 3600, 86_400, -86_400, 2 * 86_400,
                                              -2 * 86_400))
CRASH_MODES = ("before", "after", "lost-once")
SYNCED_OUTCOMES_LIMIT = 500
# Few examples by default (each builds 2-3 desks and syncs them over HTTPS); raise it for a bug hunt.
EXAMPLES = int(os.environ.get("CLINICDESK_SYNC_EXAMPLES", "8"))
__all__ = ["hq_subprocess"]  # the module-wide `hq` fixture, shared with the other HQ-subprocess tests


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """Made once; each example opens copies (their keys go into that test's keyring, see open_copy)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        return make_templates(tmp_path_factory.mktemp("desk-templates"), 3, passphrase=None)
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def small_batches(monkeypatch):
    """A few operations per push and changes per pull page, so a crash can fall between batches and pages."""
    monkeypatch.setattr(sync_client, "PUSH_BATCH", 3)
    monkeypatch.setattr(sync_client, "PULL_PAGE", 4)


# --- the program ---------------------------------------------------------------------------------------------

# What a desk does while offline; repeats weigh more. Edits of the same two patients on several desks between
# syncs make the concurrent changes (conflicts, loser-log entries) that the end state must account for.
KINDS = ("edit",) * 8 + ("delete",) * 2 + ("preferences",) * 2 + (
    "add_allergy", "remove_allergy", "add_medication", "stop_medication", "consent", "withdraw_consent", "register",
    "clock")
pick = st.integers(0, 7)
# (kind, which patient or row, which value, which field, which clock skew): each kind uses what it needs
offline_action = st.tuples(st.sampled_from(KINDS), pick, pick, st.sampled_from(sorted(EDIT_VALUES)),
                           st.sampled_from(SKEWS))
# (which desk, clean or cut how, at which request the cut falls)
sync_attempt = st.tuples(st.integers(0, 2), st.sampled_from(("clean", "clean", *CRASH_MODES)), st.integers(1, 6))
# A round: every desk works offline, then some desks sync (perhaps interrupted), in the order drawn.
sync_round = st.tuples(st.lists(st.lists(offline_action, min_size=1, max_size=4), min_size=3, max_size=3),
                       st.lists(sync_attempt, min_size=1, max_size=4))


@dataclasses.dataclass(frozen=True)
class MadeOp:
    """An operation a desk queued, with what its desk had seen when it was made (test bookkeeping)."""

    op_id: str
    desk: int
    table: str
    row_id: str
    kind: str
    fields: dict
    hlc: str
    cursor: int  # the desk's pull cursor: it had seen every HQ change up to this number


class World:
    """The desks of one example and the record of every operation they made."""

    def __init__(self, desks: list[Desk], hq: HqProcess, true_time: TrueTime):
        self.desks, self.hq, self.true_time = desks, hq, true_time
        self.made: list[MadeOp] = []
        self._last_hlc = [""] * len(desks)

    def note_new_operations(self, index: int) -> None:
        desk = self.desks[index]
        with desk.db.session() as session:
            cursor = session.scalar(select(SyncStateRow.pull_cursor)) or 0
            rows = session.scalars(select(OutboxRow).where(OutboxRow.hlc > self._last_hlc[index])
                                   .order_by(OutboxRow.hlc)).all()
        for row in rows:
            self.made.append(MadeOp(row.op_id, index, row.table_name, row.row_id, row.kind,
                                    json.loads(row.fields_json), row.hlc, cursor))
            self._last_hlc[index] = row.hlc

    def patient_ids(self, desk: Desk) -> list[str]:
        with desk.db.session() as session:
            return sorted(session.scalars(select(PatientRow.id)))

    def live(self, desk: Desk, model, *conditions) -> list:
        with desk.db.session() as session:
            return list(session.scalars(select(model).where(*conditions).order_by(model.id)))

    def act(self, index: int, action: tuple) -> None:
        """One offline action of desk `index`; an action whose target is missing on that desk does nothing."""
        kind, choice, value, field, skew = action
        desk = self.desks[index]
        self.true_time.advance(7)
        {"edit": lambda: self.do_edit(desk, choice, field, value),
         "delete": lambda: self.do_delete(desk, choice, value),
         "preferences": lambda: self.do_preferences(desk, choice, value),
         "add_allergy": lambda: self.do_add_allergy(desk, choice, value),
         "remove_allergy": lambda: self.do_remove_allergy(desk, choice, value),
         "add_medication": lambda: self.do_add_medication(desk, choice, value),
         "stop_medication": lambda: self.do_stop_medication(desk, choice, value),
         "consent": lambda: self.do_consent(desk, choice),
         "withdraw_consent": lambda: self.do_withdraw_consent(desk, choice, value),
         "register": lambda: self.do_register(desk, value),
         "clock": lambda: self.do_clock(desk, skew)}[kind]()
        self.note_new_operations(index)

    def sync(self, index: int, how: str, at: int) -> None:
        self.true_time.advance(3)
        if how == "clean":
            self.desks[index].sync()
        else:
            self.do_crash(self.desks[index], at, how)

    def _patient(self, desk: Desk, choice: int) -> str:
        """Mostly one of the two patients every desk knows (ids are time-ordered), sometimes a newer one."""
        ids = self.patient_ids(desk)
        return ids[choice % len(ids)] if choice == 7 else ids[choice % 2]

    def do_edit(self, desk: Desk, patient_choice: int, field: str, value_choice: int) -> None:
        patient_id = self._patient(desk, patient_choice)
        with desk.db.session() as session:
            row = session.get(PatientRow, patient_id)
            draft = PatientDraft(**{f.name: getattr(row, f.name) for f in dataclasses.fields(PatientDraft)
                                    if f.name not in ("aadhaar", "extra")})
            version = row.row_version
        draft = dataclasses.replace(draft, **{field: EDIT_VALUES[field][value_choice % len(EDIT_VALUES[field])]})
        patients.update_patient(desk.ctx, patient_id, draft, expected_version=version)

    def do_add_allergy(self, desk: Desk, patient_choice: int, value_choice: int) -> None:
        patient_record = self._patient(desk, patient_choice)
        patient_records.add_allergy(desk.ctx, patient_record, SUBSTANCES[value_choice % 3], "rash",
                                    ("mild", "moderate", "severe")[value_choice % 3])

    def do_remove_allergy(self, desk: Desk, patient_choice: int, item_choice: int) -> None:
        allergies = self.live(desk, AllergyRow, AllergyRow.removed_at.is_(None))
        if allergies:
            allergy = allergies[(patient_choice + item_choice) % len(allergies)]
            patient_records.remove_allergy(desk.ctx, allergy.patient_id, allergy.id)

    def do_add_medication(self, desk: Desk, patient_choice: int, value_choice: int) -> None:
        patient_records.add_medication(desk.ctx, self._patient(desk, patient_choice), MEDICINES[value_choice % 3],
                                       "500 mg", "twice daily")

    def do_stop_medication(self, desk: Desk, patient_choice: int, item_choice: int) -> None:
        medications = self.live(desk, MedicationRow, MedicationRow.stopped_at.is_(None))
        if medications:
            medication = medications[(patient_choice + item_choice) % len(medications)]
            patient_records.stop_medication(desk.ctx, medication.patient_id, medication.id)

    def do_delete(self, desk: Desk, patient_choice: int, item_choice: int) -> None:
        """A row deleted outright (an entry made in error); only allergy and medication rows, which have no
        children and whose ids are never made again."""
        model = (AllergyRow, MedicationRow)[item_choice % 2]
        rows = self.live(desk, model)
        if rows:
            with desk.db.session() as session, session.begin():
                session.delete(session.get(model, rows[(patient_choice + item_choice) % len(rows)].id))

    def do_preferences(self, desk: Desk, patient_choice: int, value_choice: int) -> None:
        preferences = CommunicationPreferences(
            channels=(("sms",), ("whatsapp",), ("sms", "email"))[value_choice % 3],
            language=("en", "hi", "ml")[value_choice % 3], reminder_hours_before=(24, 12, 48)[value_choice % 3],
            quiet_start=time(21, 0), quiet_end=time(8, 0), do_not_disturb=value_choice % 2 == 1)
        patient_records.set_preferences(desk.ctx, self._patient(desk, patient_choice), preferences)

    def do_consent(self, desk: Desk, patient_choice: int) -> None:
        patient_records.record_consent(desk.ctx, self._patient(desk, patient_choice), kind="treatment",
                                       version="v2", method="signed")

    def do_withdraw_consent(self, desk: Desk, patient_choice: int, item_choice: int) -> None:
        consents = self.live(desk, ConsentRow)
        if consents:
            consent = consents[(patient_choice + item_choice) % len(consents)]
            patient_records.withdraw_consent(desk.ctx, consent.patient_id, consent.id)

    def do_register(self, desk: Desk, value_choice: int) -> None:
        patients.register_patient(desk.ctx, seed_draft(value_choice))

    def do_clock(self, desk: Desk, skew: timedelta) -> None:
        desk.clock.skew = skew

    def do_crash(self, desk: Desk, at: int, mode: str) -> None:
        transport = Interrupted(at, mode, str(self.hq.ca_file))
        try:
            desk.sync(transport=transport)
        except SyncError:
            event(f"sync stopped by a cut {mode} request {at}")


def seed_draft(choice: int) -> PatientDraft:
    return PatientDraft(given_name=EDIT_VALUES["given_name"][choice % 3], family_name="Nair",
                        date_of_birth=EDIT_VALUES["date_of_birth"][choice % 3], sex="female",
                        phone=EDIT_VALUES["phone"][choice % 3], city=EDIT_VALUES["city"][choice % 3])


# --- what the end must look like ---------------------------------------------------------------------------------

def _json(value) -> str:
    return json.dumps(value, sort_keys=True)


def hq_records(desk: Desk) -> tuple[list[dict], list[dict]]:
    """The centre's conflicts (open and resolved) and loser-log entries, through HQ's API."""
    hq = load_hq_settings(desk.db.data_dir)
    with HqTransport(hq.url, hq.credential, ca_file=hq.ca_file) as client:
        conflicts = client.request("GET", "/v1/sync/conflicts",
                                   params={"state": "all", "limit": SYNCED_OUTCOMES_LIMIT}).json()["conflicts"]
        losers = client.request("GET", "/v1/sync/loser-log", params={"limit": SYNCED_OUTCOMES_LIMIT}).json()["entries"]
    assert len(conflicts) < SYNCED_OUTCOMES_LIMIT and len(losers) < SYNCED_OUTCOMES_LIMIT, "a page was full"
    return conflicts, losers


def unaccounted_edits(made: list[MadeOp], final: dict, seq_of: dict[str, int], conflicts: list[dict],
                      losers: list[dict]) -> list[str]:
    """Edits that are neither HQ's final value, nor a version in a conflict, nor in the loser log, nor replaced by a
    later edit whose desk had seen that value (pulled it from HQ, or made it itself earlier)."""
    def seen_by(later: MadeOp, earlier: MadeOp) -> bool:
        if later.desk == earlier.desk:
            return earlier.hlc < later.hlc
        return earlier.op_id in seq_of and seq_of[earlier.op_id] <= later.cursor

    in_conflicts = {(c["table"], c["row_id"], c["field"], _json(v["value"])) for c in conflicts
                    for v in c["versions"]}
    whole_row_conflict_stamps = {(c["table"], c["row_id"], v["stamp"]) for c in conflicts if c["field"] is None
                                 for v in c["versions"]}
    in_loser_log = {(e["table"], e["row_id"], e["field"], _json(version["value"])) for e in losers
                    for version in (e["lost"], e["kept"])}
    writers: dict[tuple, list[MadeOp]] = {}
    for op in made:
        for name, value in op.fields.items():
            writers.setdefault((op.table, op.row_id, name, _json(value)), []).append(op)
    missing = []
    for op in made:
        row = final.get((op.table, op.row_id))
        if op.kind == "delete":
            if row is None or row.deleted is None or row.deleted < op.hlc:
                missing.append(f"delete of {op.table} {op.row_id} by desk {op.desk}")
            continue
        for name, value in op.fields.items():
            key = (op.table, op.row_id, name, _json(value))
            if row is not None and name in row.values and _json(row.values[name]) == key[3]:
                continue
            if key in in_conflicts or key in in_loser_log:
                continue
            if (op.table, op.row_id, op.hlc) in whole_row_conflict_stamps:
                continue
            if any(name in later.fields and later.table == op.table and later.row_id == op.row_id
                   and any(seen_by(later, writer) for writer in writers[key]) for later in made):
                continue
            missing.append(f"{op.table}.{name} of {op.row_id} by desk {op.desk} at {op.hlc}")
    return missing


def assert_converged(world: World, centre_id: str) -> None:
    final = hq_state(world.hq, centre_id)
    first = desk_state(world.desks[0].db)
    for desk in world.desks:
        mine = desk_state(desk.db)
        assert state_differences(mine, final) == [], desk.name
        assert state_differences(mine, first) == [], f"{desk.name} and {world.desks[0].name} differ"
        with desk.db.session() as session:
            states = dict(session.execute(select(OutboxRow.state, OutboxRow.result_reason)
                                          .where(OutboxRow.state.in_((PENDING, SENT, REJECTED)))).all())
        assert states == {}, f"{desk.name}: operations not acknowledged: {states}"
    with hq_connection(world.hq) as connection:
        seq_of = dict(connection.execute("SELECT op_id, server_seq FROM sync_applied_ops WHERE centre_id = ? "
                                         "AND server_seq IS NOT NULL", (centre_id,)).fetchall())
        duplicated = connection.execute("SELECT COUNT(*) - COUNT(DISTINCT op_id) FROM sync_changes "
                                        "WHERE centre_id = ?", (centre_id,)).fetchone()[0]
    assert duplicated == 0
    made_ids = {op.op_id for op in world.made}
    assert made_ids <= set(seq_of), "an operation a desk made never reached HQ's change log"
    conflicts, losers = hq_records(world.desks[0])
    event(f"conflicts: {bool(conflicts)}; loser entries: {bool(losers)}; "
          f"deleted rows: {any(row.deleted for row in final.values())}")
    assert unaccounted_edits(world.made, final, seq_of, conflicts, losers) == []


# Always run as well: a clinical conflict (given name), a loser-log entry (phone), and an allergy deleted on one desk
# while another marks it removed (an edit after the delete), with one sync cut after HQ answered.
_NO_SKEW = timedelta(0)
EVERY_OUTCOME = [
    ([[("add_allergy", 0, 0, "city", _NO_SKEW)], [("edit", 0, 1, "given_name", _NO_SKEW)], []],
     [(0, "clean", 1), (1, "clean", 1), (0, "clean", 1)]),
    ([[("edit", 0, 2, "given_name", _NO_SKEW), ("edit", 0, 1, "phone", _NO_SKEW), ("delete", 0, 0, "city", _NO_SKEW)],
      [("edit", 0, 0, "given_name", _NO_SKEW), ("edit", 0, 2, "phone", _NO_SKEW),
       ("remove_allergy", 0, 0, "city", _NO_SKEW)], []],
     [(0, "after", 2), (1, "clean", 1)]),
]


# --- the property ------------------------------------------------------------------------------------------------

@settings(max_examples=EXAMPLES, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@example(desk_count=2, skews=[timedelta(0)] * 3, program=EVERY_OUTCOME)
@given(desk_count=st.integers(2, 3), skews=st.lists(st.sampled_from(SKEWS), min_size=3, max_size=3),
       program=st.lists(sync_round, min_size=1, max_size=3))
def test_desks_and_hq_converge_and_no_edit_is_lost(hq, templates, small_batches, tmp_path, desk_count, skews,
                                                    program):
    true_time = TrueTime()
    clocks = [DeskClock(true_time, skew) for skew in skews[:desk_count]]
    example_dir = Path(tempfile.mkdtemp(dir=tmp_path))
    centre_name = f"Centre {example_dir.name}"
    desks = enrolled_desks(templates[:desk_count], example_dir, hq, centre_name=centre_name, clocks=clocks)
    try:
        world = World(desks, hq, true_time)
        for choice in range(2):  # two patients everyone knows before going offline
            patients.register_patient(desks[0].ctx, seed_draft(choice))
        world.note_new_operations(0)
        for desk in desks:
            desk.sync()
        for offline_work, syncs in program:
            for index, actions in enumerate(offline_work[:desk_count]):
                for action in actions:
                    world.act(index, action)
            for index, how, at in syncs:
                world.sync(index % desk_count, how, at)
        for _round in range(2):  # every desk syncs until quiet
            for desk in desks:
                desk.sync()
        edits = [op for op in world.made if op.table == "patients" and op.kind == "upsert" and "uhid" not in op.fields]
        event(f"patient edits on {len({op.desk for op in edits})} desks")
        centre_id = load_centre_id(desks[0])
        assert_converged(world, centre_id)
    finally:
        for desk in desks:
            desk.close()
        shutil.rmtree(example_dir, ignore_errors=True)


def load_centre_id(desk: Desk) -> str:
    hq = load_hq_settings(desk.db.data_dir)
    with HqTransport(hq.url, hq.credential, ca_file=hq.ca_file) as client:
        return client.request("GET", "/v1/whoami").json()["centre"]["id"]
