"""Test helper process: one reception desk that books a slot when told to and prints whether it got it."""

import os
import sys
import time
from datetime import datetime
from pathlib import Path

from clinicdesk.domain.roles import Role
from clinicdesk.services import appointments
from clinicdesk.services.appointment_dto import BookingRequest, SlotSuggestion
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.store.crypto import FieldSealer
from clinicdesk.store.database import Database
from clinicdesk.store.datadir import DATABASE_FILE, LocalConfig
from clinicdesk.store.engine import make_engine
from clinicdesk.store.keys import DatabaseKey

HOLD_SECONDS = 0.4  # between the check and the insert, so the two desks' transactions really overlap


def main() -> None:
    data_dir, desk_id, centre_id, patient_id, service_id, room_id, staff_id, start, end, now = sys.argv[1:11]
    key = DatabaseKey(bytes.fromhex(os.environ["CLINICDESK_TEST_KEY_HEX"]))
    # The app's own engine and services; migrations already ran in the parent.
    db = Database(Path(data_dir), LocalConfig.load(Path(data_dir)), make_engine(Path(data_dir) / DATABASE_FILE, key),
                  key, FieldSealer(key))
    clock = datetime.fromisoformat(now)
    ctx = ServiceContext(db, user=SignedInUser(desk_id, "desk", "Desk", Role.FRONT_DESK, centre_id),
                         clock=lambda: clock)
    checked = appointments.check_slot

    def slow_check(*args, **kwargs):
        verdict = checked(*args, **kwargs)
        time.sleep(HOLD_SECONDS)
        return verdict

    appointments.check_slot = slow_check
    start_at, end_at = datetime.fromisoformat(start), datetime.fromisoformat(end)
    request = BookingRequest(patient_id, service_id, centre_id, start_at.date())
    slot = SlotSuggestion(start_at, end_at, room_id, "", (staff_id,), (), 0.0)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()  # the parent releases both desks at once
    try:
        appointment_id, _ = appointments.book(ctx, request, slot)
        sys.stdout.write(f"won {appointment_id}\n")
    except appointments.SlotTaken as refused:
        sys.stdout.write(f"lost {refused} | {len(refused.suggestions)} suggestions\n")
    except Exception as exc:  # anything else goes to the test, which fails on it
        sys.stdout.write(f"error {type(exc).__name__}: {exc}\n")
    sys.stdout.flush()
    db.close()


if __name__ == "__main__":
    main()
