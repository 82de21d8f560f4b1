"""SQLCipher against plain SQLite on the same clinic workload, measured in the same run (target: at most 1.3x)."""

import argparse
import gc
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdata  # noqa: E402
from sqlalchemy import select  # noqa: E402

from clinicdesk.domain.patients import PatientDraft  # noqa: E402
from clinicdesk.services import patient_records, patients  # noqa: E402
from clinicdesk.services.context import ServiceContext  # noqa: E402
from clinicdesk.store.models import PatientRow  # noqa: E402

TARGET_RATIO = 1.3


class Workload:
    """One database and the same seeded choices as its twin, so both sides do exactly the same work.

    Each phase is a method doing units [start, stop) of its work, so the driver can alternate the two sides in
    small chunks: background load on a shared machine then falls on both sides alike.
    """

    def __init__(self, kind: str, folder: Path, args):
        self.kind = kind
        self.db = benchdata.encrypted_clinic(folder) if kind == "sqlcipher" else benchdata.plain_clinic(folder)
        self.ctx: ServiceContext = benchdata.set_up(self.db)
        self.rng = random.Random(args.seed)
        self.rows = benchdata.patient_rows(self.rng, args.patients, centre_id=self.ctx.user.centre_id,
                                           centre_code="KOC")  # made before the clock starts
        self.ids = [r["id"] for r in self.rows]
        step = max(1, len(self.rows) // 500)
        self.typed_from = [(r["given_name"], r["phone"][3:], r["uhid"]) for r in self.rows[::step]]

    def bulk_load(self, start: int, stop: int) -> None:
        """Initial import: executemany, one transaction per 1,000 rows, each row firing the FTS insert trigger."""
        benchdata.bulk_insert(self.db, self.rows[start * BULK_BATCH:stop * BULK_BATCH], batch=BULK_BATCH)

    def register(self, start: int, stop: int) -> None:
        """Reception registers patients one by one: validation, UHID, sealed Aadhaar, audit, one commit each."""
        for i in range(start, stop):
            draft = PatientDraft(given_name="Anjali", family_name="Menon", name_local="അഞ്ജലി മേനോൻ",
                                 date_of_birth=date(1960 + i % 40, 1 + i % 12, 1 + i % 28), sex="female",
                                 phone=f"98470{i:05d}", aadhaar=benchdata.aadhaar(self.rng) if i % 2 else "",
                                 city="Kochi", state="Kerala", pincode="682036")
            patient_id, _ = patients.register_patient(self.ctx, draft)
            self.ids.append(patient_id)

    def point_reads(self, start: int, stop: int) -> None:
        """Open a patient by id, each in its own short transaction, as a screen loading a record does."""
        for _ in range(start, stop):
            with self.ctx.unit_of_work() as session:
                session.get(PatientRow, self.rng.choice(self.ids))

    def searches(self, start: int, stop: int) -> None:
        """Search-as-you-type queries: name prefixes, phone prefixes, UHIDs."""
        for i in range(start, stop):
            given, phone, uhid = self.typed_from[i % len(self.typed_from)]
            patients.search_patients(self.ctx, (given[:3 + i % 4], phone[:4 + i % 6], uhid)[i % 3])

    def edits(self, start: int, stop: int) -> None:
        """Open the chart (an audited view) and save an edited phone and address: one transaction for the save,
        with the row-version check and the FTS update trigger."""
        for i in range(start, stop):
            patient_id = self.rng.choice(self.ids)
            profile = patients.get_profile(self.ctx, patient_id)
            draft = replace(profile.draft, phone=f"9{self.rng.randrange(10**9):09d}", address_line=f"House {i}",
                            pincode=profile.draft.pincode or "682036")
            patients.update_patient(self.ctx, patient_id, draft, expected_version=profile.row_version)

    def clinical_notes(self, start: int, stop: int) -> None:
        """Charting at the consult: an allergy and a consent for a patient, two transactions."""
        for _ in range(start, stop):
            patient_id = self.rng.choice(self.ids)
            patient_records.add_allergy(self.ctx, patient_id, "Sesame oil", "rash after abhyanga", "moderate")
            patient_records.record_consent(self.ctx, patient_id, kind="treatment", version="v2.1", method="signed")


BULK_BATCH = 1000
CHUNKS = 20  # alternations per phase


def phases(args) -> tuple[tuple[str, str, int], ...]:
    """(label, method, units of work)."""
    return (
        ("bulk load (executemany, FTS triggers)", "bulk_load", -(-args.patients // BULK_BATCH)),
        ("register patients (service, 1 tx each)", "register", args.ops),
        ("point reads by id", "point_reads", args.ops * 10),
        ("searches (FTS)", "searches", args.ops),
        ("open chart + save edit (service)", "edits", args.ops),
        ("allergy + consent (service)", "clinical_notes", args.ops // 2),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000, help="patients bulk-loaded first")
    parser.add_argument("--ops", type=int, default=600, help="operations per service phase (reads: 10x)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    timings: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="clinicdesk-bench-") as tmp:
        sides = [Workload(kind, Path(tmp) / kind, args) for kind in ("sqlcipher", "plain")]
        gc.collect()
        for label, method, units in phases(args):
            timings[label] = {side.kind: 0.0 for side in sides}
            step = max(1, -(-units // CHUNKS))
            for number, start in enumerate(range(0, units, step)):
                for side in (sides if number % 2 == 0 else sides[::-1]):
                    started = time.perf_counter()
                    getattr(side, method)(start, min(units, start + step))
                    timings[label][side.kind] += time.perf_counter() - started
            if method == "bulk_load":
                for side in sides:
                    benchdata.set_uhid_counter(side.db, side.ctx.user.centre_id, args.patients + 1)
                    side.rows = []
            print(f"  done: {label}", flush=True)
        headers = {side.kind: benchdata.file_header(side.db) for side in sides}
        counts = {}
        for side in sides:
            with side.ctx.unit_of_work() as session:
                counts[side.kind] = len(session.scalars(select(PatientRow.id)).all())
            side.db.close()

    assert not headers["sqlcipher"].startswith(b"SQLite format 3"), "the SQLCipher side is not encrypted"
    assert headers["plain"].startswith(b"SQLite format 3"), "the reference side is not plain SQLite"
    assert counts["sqlcipher"] == counts["plain"], counts

    print(f"\nSQLCipher (store.engine.make_engine: raw key, WAL, synchronous=FULL) against plain SQLite (the same "
          f"sqlcipher3 library without a key, same settings and schema), {args.patients:,} patients bulk-loaded, "
          f"{args.ops} operations per phase:")
    print(f"{'phase':<42}{'SQLCipher':>12}{'plain':>12}{'ratio':>8}")
    totals = {"sqlcipher": 0.0, "plain": 0.0}
    for label, by_kind in timings.items():
        for kind in totals:
            totals[kind] += by_kind[kind]
        print(f"{label:<42}{by_kind['sqlcipher']:>10.2f} s{by_kind['plain']:>10.2f} s"
              f"{by_kind['sqlcipher'] / by_kind['plain']:>7.2f}x")
    ratio = totals["sqlcipher"] / totals["plain"]
    print(f"{'whole workload':<42}{totals['sqlcipher']:>10.2f} s{totals['plain']:>10.2f} s{ratio:>7.2f}x")
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(f"\nSQLCipher / plain SQLite = {ratio:.2f}x over the whole workload; target at most {TARGET_RATIO}x: "
          f"{verdict} the target (ratio / target = {ratio / TARGET_RATIO:.2f}).")
    worst = max(timings, key=lambda label: timings[label]["sqlcipher"] / timings[label]["plain"])
    print(f"Slowest phase relative to plain SQLite: {worst}, "
          f"{timings[worst]['sqlcipher'] / timings[worst]['plain']:.2f}x. Phases that wait on fsync (commits with "
          "synchronous=FULL) hide the cipher's cost; reads and edits show it best.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
