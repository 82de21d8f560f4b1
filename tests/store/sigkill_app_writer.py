"""Test helper process: registers patients through the real app services until killed, acking each saved UHID."""

import os
import sys
from datetime import date
from pathlib import Path

from clinicdesk.domain.patients import PatientDraft
from clinicdesk.domain.roles import Role
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.services.patients import register_patient
from clinicdesk.store.crypto import FieldSealer
from clinicdesk.store.database import Database
from clinicdesk.store.datadir import DATABASE_FILE, LocalConfig
from clinicdesk.store.engine import make_engine
from clinicdesk.store.keys import DatabaseKey


def main() -> None:
    data_dir, staff_id, centre_id, round_no = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    key = DatabaseKey(bytes.fromhex(os.environ["CLINICDESK_TEST_KEY_HEX"]))
    # The app's own engine and services; migrations already ran in the parent (skipping Alembic keeps start fast).
    db = Database(data_dir, LocalConfig.load(data_dir), make_engine(data_dir / DATABASE_FILE, key), key,
                  FieldSealer(key))
    ctx = ServiceContext(db, user=SignedInUser(staff_id, "admin", "Asha Menon", Role.ADMIN, centre_id))
    n = 0
    while True:
        n += 1
        draft = PatientDraft(given_name="Kill", family_name=f"Round{chr(65 + round_no % 26)}", sex="female",
                             date_of_birth=date(1980, 1, 1), phone=f"+91 98{round_no:04d}{n % 10000:04d}")
        patient_id, _ = register_patient(ctx, draft)
        sys.stdout.write(f"{patient_id}\n")  # written only after the service's commit returned
        sys.stdout.flush()


if __name__ == "__main__":
    main()
