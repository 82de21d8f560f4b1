"""`clinicdesk export fhir|patient`: a patient's record as a FHIR document Bundle, or everything held as a zip."""

import argparse
from pathlib import Path


def run_fhir(db, *, patient: str, out: Path) -> str:
    from clinicdesk.report_command import operator_context, write_output
    from clinicdesk.services.fhir_export import export_fhir_json

    content = export_fhir_json(operator_context(db), patient)
    path = write_output(out, content)
    return f"FHIR Bundle written: {path} ({len(content):,} bytes, validated)"


def run_patient(db, *, patient: str, out: Path) -> str:
    from clinicdesk.report_command import operator_context, write_output
    from clinicdesk.services.patient_export import export_patient_archive

    content = export_patient_archive(operator_context(db), patient)
    path = write_output(out, content)
    return f"Patient archive written: {path} ({len(content):,} bytes)"


def add_parser(sub, *, open_database) -> None:
    """`export fhir ...` and `export patient ...`; `open_database(args)` unlocks the clinic database."""
    export = sub.add_parser("export", help="data that leaves the clinic: FHIR Bundle, a patient's whole record")
    kinds = export.add_subparsers(dest="export_kind", metavar="KIND")
    runners = {"fhir": run_fhir, "patient": run_patient}
    for kind, help_text, suffix in (
            ("fhir", "a patient's record as a FHIR R4B document Bundle (JSON), validated", "FILE.json"),
            ("patient", "everything held about a patient (FHIR, documents, a readable index) as a zip", "FILE.zip")):
        p = kinds.add_parser(kind, help=help_text)
        p.add_argument("--data-dir", default=argparse.SUPPRESS, help="clinic data folder")
        p.add_argument("--patient", required=True, metavar="UHID", help="the patient's UHID (or record id)")
        p.add_argument("--out", required=True, metavar=suffix, help="file to write")

        def run(args, runner=runners[kind]) -> int:
            db = open_database(args)
            try:
                print(runner(db, patient=args.patient, out=Path(args.out)))
            finally:
                db.close()
            return 0

        p.set_defaults(func=run)
