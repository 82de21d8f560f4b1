"""`clinicdesk report discharge`: print a course's discharge summary to a PDF file from the command line."""

import argparse
import getpass
from pathlib import Path

from clinicdesk.domain.errors import ClinicError


def operator_context(db):
    """Whoever could unlock the database on this machine acts as its operator; the audit log names the OS user.

    The command line has no sign-in screen: opening the database already needed the keyring entry or the clinic
    passphrase, which only the clinic's administrators hold.
    """
    from clinicdesk.domain.roles import Role
    from clinicdesk.services.context import ServiceContext, SignedInUser

    user = SignedInUser(staff_id="", username=f"cli:{getpass.getuser()}"[:60], full_name="Command line",
                        role=Role.ADMIN, centre_id="")
    return ServiceContext(db, user=user)


def write_output(out: Path, content: bytes) -> Path:
    """Write the whole file or nothing: a reader never sees half a document."""
    out = Path(out).expanduser()
    if not out.parent.is_dir():
        raise ClinicError(f"The folder {out.parent} does not exist; nothing was written.")
    temporary = out.with_name(out.name + ".part")
    temporary.write_bytes(content)
    temporary.replace(out)
    return out


def run_discharge(db, *, patient: str, out: Path, plan_id: str | None = None, language: str | None = None) -> str:
    from clinicdesk.services.discharge_summary import discharge_summary_pdf

    pdf = discharge_summary_pdf(operator_context(db), patient, plan_id=plan_id, language=language)
    path = write_output(out, pdf)
    return f"Discharge summary written: {path} ({len(pdf):,} bytes)"


def add_parser(sub, *, open_database) -> None:
    """`report discharge ...` on the main parser; `open_database(args)` unlocks the clinic database."""
    report = sub.add_parser("report", help="print clinic documents to files (discharge summary)")
    actions = report.add_subparsers(dest="report_kind", metavar="DOCUMENT")
    p = actions.add_parser("discharge", help="a therapy course's discharge summary as an A4 PDF")
    p.add_argument("--data-dir", default=argparse.SUPPRESS, help="clinic data folder")
    p.add_argument("--patient", required=True, metavar="UHID", help="the patient's UHID (or record id)")
    p.add_argument("--plan", metavar="ID", help="the course (care plan id); default: the latest course")
    p.add_argument("--language", choices=("en", "hi", "ml"),
                   help="labels in English, Hindi or Malayalam (default: the patient's language)")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="PDF file to write")

    def run(args) -> int:
        db = open_database(args)
        try:
            print(run_discharge(db, patient=args.patient, out=Path(args.out), plan_id=args.plan,
                                language=args.language))
        finally:
            db.close()
        return 0

    p.set_defaults(func=run)
