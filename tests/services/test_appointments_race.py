"""Two desks booking the same slot at the same instant: exactly one gets it, the other a sentence and new slots."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from clinicdesk.domain.roles import Role
from clinicdesk.services import appointments
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models_scheduling import AppointmentRow
from tests.services.scheduling_world import FRIDAY, at

RACER = Path(__file__).with_name("booking_racer.py")


def _booked(world) -> int:
    with world.boss.db.session() as session:
        return session.scalar(select(func.count()).select_from(AppointmentRow))


@pytest.mark.parametrize(("patients", "staff", "rooms"), [
    (("asha", "ravi"), ("rajan", "rajan"), ("Abhyanga 1", "Abhyanga 1")),  # same therapist and room
    (("asha", "asha"), ("rajan", "anjali"), ("Abhyanga 1", "Abhyanga 2")),  # same patient, different everything else
], ids=["same-therapist-and-room", "same-patient"])
def test_two_processes_racing_for_one_slot_exactly_one_wins(world, patients, staff, rooms):
    db = world.boss.db
    env = dict(os.environ, CLINICDESK_TEST_KEY_HEX=db.key.raw.hex(), PYTHONPATH=str(Path.cwd()))
    desk = world.users[Role.FRONT_DESK]
    start, end = at(FRIDAY, "10:00"), at(FRIDAY, "11:00")
    racers = [subprocess.Popen(
        [sys.executable, str(RACER), str(db.data_dir), desk.staff_id, world.centre, world.patients[patient],
         world.services["ABH"], world.rooms[room], world.staff[person], start.isoformat(), end.isoformat(),
         world.boss.now().isoformat()],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for patient, person, room in zip(patients, staff, rooms, strict=True)]
    try:
        for racer in racers:
            assert racer.stdout.readline() == "ready\n", racer.stderr.read()
        for racer in racers:  # release both desks together
            racer.stdin.write("go\n")
            racer.stdin.flush()
        outcomes = sorted(racer.stdout.readline().strip() for racer in racers)
        for racer in racers:
            racer.wait(timeout=60)
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()
    assert [outcome.split()[0] for outcome in outcomes] == ["lost", "won"], outcomes
    assert "cannot be booked for Fri 27 Nov 10:00" in outcomes[0] and "Next free:" in outcomes[0]
    assert "| 3 suggestions" in outcomes[0]
    assert _booked(world) == 1


def _race_threads(world, desks: int) -> list[str]:
    barrier = threading.Barrier(desks)
    outcomes: list[str] = []
    patients = ("asha", "ravi", "lata")

    def desk(index: int) -> None:
        ctx = ServiceContext(world.boss.db, user=world.users[Role.FRONT_DESK], clock=world.boss.clock)
        request = world.request(patients[index % 3], day=FRIDAY)
        slot = world.slot(at(FRIDAY, "10:00"), 60, "Abhyanga 1", "rajan")
        barrier.wait()
        try:
            appointments.book(ctx, request, slot)
            outcomes.append("won")
        except appointments.SlotTaken as refused:
            outcomes.append(f"lost: {refused}")
        except OperationalError as exc:
            outcomes.append(f"error: {exc.orig}")

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(desks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.fixture
def slow_check(monkeypatch):
    """Hold each desk between its check and its insert, so the transactions overlap every time."""
    checked = appointments.check_slot

    def slow(*args, **kwargs):
        verdict = checked(*args, **kwargs)
        time.sleep(0.15)
        return verdict

    monkeypatch.setattr(appointments, "check_slot", slow)


def test_six_desks_in_threads_each_with_its_own_connection_exactly_one_wins(world, slow_check):
    outcomes = _race_threads(world, 6)
    assert sorted(o.split(":")[0] for o in outcomes) == ["lost"] * 5 + ["won"], outcomes
    assert all("Rajan Pillai is booked 10:00–11:00" in o or "the patient already has" in o
               for o in outcomes if o != "won")
    assert _booked(world) == 1


def test_without_the_write_lock_the_loser_gets_a_database_error_not_a_sentence(world, slow_check, monkeypatch):
    """Why book() takes the lock up front: SQLite alone never lets both win, but the loser's stale read fails with
    'database is locked' instead of a refusal it can act on."""
    original = ServiceContext.unit_of_work

    def without_lock(self, *, write_lock=False):
        return original(self)

    monkeypatch.setattr(ServiceContext, "unit_of_work", without_lock)
    outcomes = _race_threads(world, 2)
    assert sorted(o.split(":")[0] for o in outcomes) == ["error", "won"], outcomes
    assert _booked(world) == 1
