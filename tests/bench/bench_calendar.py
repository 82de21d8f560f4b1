"""The reception calendar on a busy centre: time to load a day and paint it, against an empty grid painted alike.

Not part of the default test run. Run:

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_calendar.py [--runs 15]

Builds, through the real services on a SQLCipher file in a temporary folder, a centre with 20 practitioners,
12 rooms and 150 booked appointments on one day (book() checks every rule, so building takes a few seconds).
Then, per run, the day view (by practitioner, then by room) is loaded the way a click on "next day" does it: one
`appointments.list_range` call on the (synchronous) task runner, the columns and blocks worked out, the grid laid
out and painted into an image the size of the window (`grab()`; on the offscreen platform that is the full paint).
The reference is the same grid with the same 20 columns and no appointments, painted the same way in the same run,
so machine load affects both. Prints the medians and 90th percentiles, the total against the 100 ms target (below
1.00 meets it) and the busy day's paint as a ratio to the empty grid's.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from a source checkout

import keyring  # noqa: E402
from PySide6.QtCore import qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from clinicdesk.domain.patients import PatientDraft  # noqa: E402
from clinicdesk.services import admin, appointments, auth, patients  # noqa: E402
from clinicdesk.services.admin_dto import PractitionerProfile, RoomDraft, StaffDraft, WorkingHours  # noqa: E402
from clinicdesk.services.appointment_dto import BookingRequest, SlotSuggestion  # noqa: E402
from clinicdesk.services.context import ServiceContext  # noqa: E402
from clinicdesk.store.database import create_database  # noqa: E402
from clinicdesk.ui.app_context import AppContext  # noqa: E402
from clinicdesk.ui.calendar.calendar_view import BY_ROOM, BY_STAFF, CalendarView  # noqa: E402
from clinicdesk.ui.look import apply_look  # noqa: E402
from clinicdesk.ui.tasks import TaskRunner  # noqa: E402
from tests.memory_keyring import MemoryKeyring  # noqa: E402

TARGET_MS = 100.0
DAY = date(2026, 11, 26)
STAFF, ROOMS, APPOINTMENTS = 20, 12, 150
SESSION_MINUTES = 45
FIRST_START = 7 * 60
GIVEN = ("Anitha", "Rohit", "Jisha", "Vinod", "Lakshmi", "Arjun", "Meena", "Suresh", "Divya", "Ramesh", "Priya",
         "Manoj", "Kavitha", "Sanjay", "Deepa")
FAMILY = ("Nair", "Menon", "Pillai", "Kulkarni", "Sharma", "Iyer", "Joshi", "Varghese", "Patil", "Reddy")


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)  # the day before, 09:00 in Kochi

    def __call__(self) -> datetime:
        return self.now


def build_busy_centre(folder: Path) -> tuple[ServiceContext, float]:
    """20 practitioners, 12 rooms, 150 appointments on DAY, every one booked through appointments.book()."""
    started = time.perf_counter()
    db = create_database(folder, passphrase=None)
    ctx = ServiceContext(db, clock=_Clock())
    ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup("Bench Ayurveda", "KOC", "Kochi", "Asia/Kolkata", "Kerala",
                                                        "admin", "Asha Menon", "monsoon tea garden ledger"))
    centre = ctx.user.centre_id
    hours = tuple(WorkingHours(day, datetime.min.time().replace(hour=7), datetime.min.time().replace(hour=19))
                  for day in range(7))
    staff_ids = []
    for n in range(STAFF):
        staff_id, _ = admin.create_staff(ctx, StaffDraft(
            f"therapist{n:02d}", f"Therapist {n:02d}", "doctor" if n < 3 else "therapist", centre,
            "female" if n % 2 else "male", hours=hours,
            profile=PractitionerProfile(licence_number=f"AYU-KL-{n:05d}", skills=("abhyanga",))),
            "tea garden monsoon")
        staff_ids.append(staff_id)
    room_ids = []
    for n in range(ROOMS):
        room_id, _ = admin.save_room(ctx, RoomDraft(centre, f"Abhyanga {n + 1:02d}", "abhyanga", 1, "any", 0))
        room_ids.append(room_id)
    service_id, _ = appointments.save_service(
        ctx, code="ABH", name="Abhyanga", category="therapy", duration_minutes=SESSION_MINUTES,
        room_types=("abhyanga",), skills=("abhyanga",), price=Decimal("1800"))
    for n in range(APPOINTMENTS):
        patient_id, _ = patients.register_patient(ctx, PatientDraft(
            given_name=GIVEN[n % len(GIVEN)], family_name=FAMILY[n // len(GIVEN) % len(FAMILY)],
            date_of_birth=date(1980, 1, 1) + timedelta(days=n),
            sex="female" if n % 2 else "male", phone=f"98470{n:05d}"))
        slot_index, room = divmod(n, ROOMS)  # 12 at a time, one per room; 12 consecutive staff are all different
        start = datetime.combine(DAY, datetime.min.time()) + timedelta(minutes=FIRST_START +
                                                                       slot_index * SESSION_MINUTES)
        slot = SlotSuggestion(start, start + timedelta(minutes=SESSION_MINUTES), room_ids[room], "",
                              (staff_ids[n % STAFF],), (), 0.0)
        appointments.book(ctx, BookingRequest(patient_id, service_id, centre, DAY), slot)
    return ctx, time.perf_counter() - started


def _quiet(kind, context, message: str) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform's note on every window
        sys.stderr.write(message + "\n")


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))] * 1000


class _TimedListRange:
    """Stands in for appointments.list_range and records how long each real call took."""

    def __init__(self) -> None:
        self.original = appointments.list_range
        self.calls: list[float] = []

    def __call__(self, *args, **kwargs):
        begun = time.perf_counter()
        try:
            return self.original(*args, **kwargs)
        finally:
            self.calls.append(time.perf_counter() - begun)


def measure(view: CalendarView, group: str, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"load": [], "build": [], "paint": [], "total": [], "empty": []}
    view.set_group(group)
    other = DAY + timedelta(days=1)
    for _ in range(runs):
        view.set_day(other)  # an empty day, so the next step really loads
        QApplication.processEvents()
        timed = _TimedListRange()
        calls = timed.calls
        appointments.list_range = timed
        try:
            begun = time.perf_counter()
            view.set_day(DAY)  # one list_range on the runner, then columns, blocks and layout
            loaded = time.perf_counter()
            view.grid.grab()
            painted = time.perf_counter()
        finally:
            appointments.list_range = timed.original
        assert len(calls) == 1 and view.grid.blocks, "the busy day did not load"
        out["load"].append(calls[0])
        out["build"].append(loaded - begun - calls[0])
        out["paint"].append(painted - loaded)
        out["total"].append(painted - begun)
        # The reference: the same columns, no blocks, painted the same way.
        columns = list(view.grid.columns)
        view.grid.set_content(columns, [])
        begun = time.perf_counter()
        view.grid.grab()
        out["empty"].append(time.perf_counter() - begun)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    qInstallMessageHandler(_quiet)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_look(app)
    with tempfile.TemporaryDirectory(prefix="clinicdesk-bench-calendar-") as scratch:
        ctx, build_s = build_busy_centre(Path(scratch) / "clinic")
        runner = TaskRunner()  # synchronous: the load is on the clock, as the database thread would do it
        view = CalendarView(AppContext(ctx, runner))
        view.resize(1366 - 210, 720)  # the calendar's share of the main window
        view.show()
        centre = admin.list_centres(ctx)[0]
        view.set_centre(centre)
        QApplication.processEvents()
        print(f"Busy centre: {STAFF} practitioners, {ROOMS} rooms, {APPOINTMENTS} appointments on {DAY:%a %d %b} "
              f"(built through the services in {build_s:.1f} s); {args.runs} runs each; grid "
              f"{view.grid.viewport().width()}x{view.grid.viewport().height()} px")
        print(f"{'view':<16}{'load ms':>10}{'build ms':>10}{'paint ms':>10}{'total ms':>10}{'p90 ms':>9}"
              f"{'/100 ms':>9}{'empty ms':>10}{'paint/empty':>12}")
        worst = 0.0
        for label, group in (("by practitioner", BY_STAFF), ("by room", BY_ROOM)):
            figures = measure(view, group, args.runs)
            load, build, paint = (_ms(figures[k])[0] for k in ("load", "build", "paint"))
            total, total_p90 = _ms(figures["total"])
            empty = _ms(figures["empty"])[0]
            worst = max(worst, total / TARGET_MS)
            print(f"{label:<16}{load:>10.1f}{build:>10.1f}{paint:>10.1f}{total:>10.1f}{total_p90:>9.1f}"
                  f"{total / TARGET_MS:>9.2f}{empty:>10.1f}{paint / empty:>12.2f}")
        print(f"Worst median against the {TARGET_MS:.0f} ms target: {worst:.2f} "
              f"({'meets it' if worst < 1 else 'misses it'}).")
        view.close()
        runner.shutdown()
        ctx.db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
