"""The `clinicdesk` command: app, demo, migrate, backup, restore, server, sync, audit verify; the composition root."""

import argparse
import getpass
import os
import sys
from pathlib import Path

from clinicdesk.domain.errors import ClinicError


def _data_dir(args) -> Path:
    from clinicdesk.store.datadir import resolve_data_dir

    return resolve_data_dir(args.data_dir)


def _open(args):
    """Unlock the database: keyring, then CLINICDESK_PASSPHRASE, then ask on the terminal."""
    from clinicdesk.store.database import open_database
    from clinicdesk.store.errors import PassphraseNeeded

    data_dir = _data_dir(args)
    try:
        return open_database(data_dir)
    except PassphraseNeeded:
        if not sys.stdin.isatty():
            raise
        return open_database(data_dir, passphrase=getpass.getpass("Clinic passphrase: "))


def cmd_app(args) -> int:
    from clinicdesk.diagnostics import configure_logging
    from clinicdesk.ui.app import run_app

    configure_logging(_data_dir(args))
    return run_app(_data_dir(args), screenshot_dir=Path(args.screenshot) if args.screenshot else None,
                   tablet=args.tablet)


def cmd_demo(args) -> int:
    from clinicdesk.services.demo import DEMO_ADMIN, DEMO_PASSWORD, build_demo_clinic

    data_dir = _data_dir(args)
    summary = build_demo_clinic(data_dir, passphrase=os.environ.get("CLINICDESK_PASSPHRASE"),
                                patients=args.patients, seed=args.seed)
    print(summary)
    print(f"Sign in as '{DEMO_ADMIN}' with password '{DEMO_PASSWORD}' (every demo staff member uses the same "
          "password; see the staff list in Admin).")
    if args.no_launch:
        return 0
    from clinicdesk.ui.app import run_app

    return run_app(data_dir)


def cmd_migrate(args) -> int:
    from clinicdesk.store.migrate import current_revision

    db = _open(args)
    print(f"Database schema is at revision {current_revision(db.engine)} (up to date).")
    db.close()
    return 0


def cmd_backup(args) -> int:
    from clinicdesk.store.backup import write_backup

    db = _open(args)
    try:
        result = write_backup(db, Path(args.output) if args.output else None)
    finally:
        db.close()
    print(f"Backup written and verified: {result.path} ({result.size_bytes:,} bytes, sha256 {result.sha256[:16]}…)")
    return 0


def cmd_restore(args) -> int:
    from clinicdesk.store.backup import restore_backup

    data_dir = _data_dir(args)
    if not args.yes:
        if not sys.stdin.isatty():
            print("Restoring replaces the current database; add --yes to confirm.", file=sys.stderr)
            return 2
        if input(f"Replace the clinic database in {data_dir} with {args.backup}? Type yes: ").strip() != "yes":
            print("Nothing was changed.")
            return 1
    db = _open(args)
    try:
        safety = restore_backup(db, Path(args.backup))
    finally:
        db.close()
    print(f"Restored {args.backup}. The database as it was before is kept in {safety}.")
    return 0


def cmd_plan(args) -> int:
    import json

    from clinicdesk.plan_command import run

    result = run(args.instance, quick=args.quick)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result["unplaced"] == 0 else 1


def cmd_redact(args) -> int:
    import json

    from clinicdesk.redact_command import run

    result = run(sys.stdin.read(), args.known_name, include_text=not args.hide_text)
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else result["redacted"])
    return 0


def cmd_transcribe(args) -> int:
    from clinicdesk.transcribe_command import run

    print(run(args.audio, model=args.model, language=args.language, as_json=args.json))
    return 0


def cmd_server(args) -> int:
    from clinicdesk.server_command import run

    return run(args)


def cmd_sync(args) -> int:
    from clinicdesk.sync_command import run

    return run(args, data_dir=_data_dir(args), open_database=lambda: _open(args))


def cmd_audit_verify(args) -> int:
    from clinicdesk.store.audit_anchor import read_anchor
    from clinicdesk.store.audit_log import verify_audit_log

    db = _open(args)
    try:
        with db.session() as session:
            count, problems = verify_audit_log(session, read_anchor(db.data_dir))
    finally:
        db.close()
    if problems:
        for problem in problems:
            print(f"AUDIT LOG BROKEN at entry {problem.seq}: {problem.message}")
        return 1
    print(f"Audit log intact: {count} entries, hash chain verified.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clinicdesk", description="ClinicDesk: run an Ayurveda clinic offline.")
    parser.add_argument("--data-dir", help="clinic data folder (default: $CLINICDESK_HOME or the user data folder)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name, func, help_text, data_dir_help="clinic data folder"):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--data-dir", default=argparse.SUPPRESS, help=data_dir_help)
        p.set_defaults(func=func)
        return p

    p = add("app", cmd_app, "start the desktop app (first run opens the set-up wizard)")
    p.add_argument("--screenshot", metavar="OUT", help="sign in as the demo admin, save one PNG per view, exit")
    p.add_argument("--tablet", action="store_true",
                   help="consultation-room tablet mode: full screen, no sidebar, today's consultations")
    p = add("demo", cmd_demo, "build a realistic demo clinic (2 centres, 12 staff, 500 patients) and launch it")
    p.add_argument("--no-launch", action="store_true", help="only build the demo data")
    p.add_argument("--patients", type=int, default=500, help="number of demo patients (default 500)")
    p.add_argument("--seed", type=int, default=7, help="random seed, for a repeatable demo")
    add("migrate", cmd_migrate, "bring the database schema up to date")
    p = add("backup", cmd_backup, "write an encrypted, integrity-checked backup")
    p.add_argument("--output", help="backup file to write (default: backups/ in the data folder)")
    p = add("restore", cmd_restore, "replace the database with a verified backup (the current one is kept)")
    p.add_argument("backup", help="backup file (.cdbak)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = add("plan", cmd_plan, "book a scheduling problem (docs/scheduling-format.md) and print the plan as JSON")
    p.add_argument("instance", help="instance file (JSON); exit code 1 if any session stays unplaced")
    p.add_argument("--quick", action="store_true",
                   help="skip the batch shake-up: seconds instead of minutes for many courses, maybe fewer placed")
    p = add("redact", cmd_redact, "replace names, phone, Aadhaar, ABHA, address... in text read on stdin")
    p.add_argument("--json", action="store_true", help="print JSON: the redacted text and the replaced entities")
    p.add_argument("--known-name", action="append", default=[], metavar="NAME",
                   help="a name to match directly (patient, relative, staff); may be repeated")
    p.add_argument("--hide-text", action="store_true", help="leave the original text out of the JSON entities")
    p = add("transcribe", cmd_transcribe, "transcribe a recording on this device with Whisper (nothing is uploaded)")
    p.add_argument("audio", help="recording to transcribe (WAV, MP3, OGG...)")
    p.add_argument("--json", action="store_true", help="print one JSON object: text, segments, model, timings")
    p.add_argument("--model", default="base", help="Whisper model: base (default) or tiny.en (English, faster)")
    p.add_argument("--language", help="spoken language: en, hi or ml (default: detect)")
    p = add("server", cmd_server, "run the HQ sync server that centres' devices enrol with (HTTPS)",
            data_dir_help="HQ data folder (its database, certificates and admin token)")
    p.add_argument("--database-url", help="SQLAlchemy URL, e.g. postgresql://... (default: a SQLite file in the "
                                          "data folder)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=8443, help="port to listen on (default 8443)")
    p.add_argument("--tls-cert", metavar="PEM", help="server certificate issued by your HQ's own CA")
    p.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert")
    p.add_argument("--dev-self-signed", action="store_true",
                   help="development only: make a self-signed certificate in the data folder")
    p.add_argument("--master-key-file", metavar="FILE",
                   help="the HQ master key that wraps every centre key (default: $CLINICDESK_HQ_MASTER_KEY_FILE or "
                        "centre-master-key in the data folder, made on first start; keep it out of database dumps)")
    p.add_argument("--portal-sms-url", metavar="URL",
                   help="the SMS/WhatsApp gateway that sends patient portal sign-in codes (API key from "
                        "$CLINICDESK_PORTAL_SMS_KEY); without it the portal says sign-in is not set up")
    p.add_argument("--portal-sms-sender", metavar="ID", default="", help="the registered sender id of those codes")
    p.add_argument("--portal-database-url", metavar="URL",
                   help="connect the patient portal as its own role, e.g. postgresql://clinicdesk_portal@db-host/hq "
                        "(default: the server's --database-url)")
    p.add_argument("--portal-hash-key-file", metavar="FILE",
                   help="the key of the portal's phone and address hashes (default: portal-hash-key in the data "
                        "folder, made on first start; keep it out of database dumps)")
    p = add("sync", cmd_sync, "sync with HQ once and print a JSON summary (pushed, pulled, conflicts, rejected, "
                              "seconds)")
    p.add_argument("--resync", action="store_true",
                   help="after HQ was reset or restored: back up, download everything again, send what HQ lacks")
    sync_sub = p.add_subparsers(dest="sync_action", metavar="ACTION")
    p = sync_sub.add_parser("enrol", help="join an HQ with the one-time code its admin issued")
    p.add_argument("--data-dir", default=argparse.SUPPRESS, help="clinic data folder")
    p.add_argument("--hq", required=True, metavar="URL", help="HQ address, https://...")
    p.add_argument("--code", required=True, help="one-time enrolment code, e.g. K7WV-BBCR-QARA-YHSC")
    p.add_argument("--ca", metavar="FILE", help="the HQ's own CA certificate (PEM), the only one trusted for HQ")
    p.add_argument("--name", help="this device's name at HQ (default: the computer's name)")
    p = sync_sub.add_parser("join", help="set up this device by joining a centre that already uses ClinicDesk: a new "
                                         "database in an empty folder, enrolled and filled from HQ")
    p.add_argument("--data-dir", default=argparse.SUPPRESS, help="an empty folder for the new clinic database")
    p.add_argument("--hq", required=True, metavar="URL", help="HQ address, https://...")
    p.add_argument("--code", required=True, help="one-time enrolment code from the HQ admin")
    p.add_argument("--ca", metavar="FILE", help="the HQ's own CA certificate (PEM), the only one trusted for HQ")
    p.add_argument("--name", help="this device's name at HQ (default: the computer's name)")
    from clinicdesk import export_command, report_command  # light modules: services load only when run

    report_command.add_parser(sub, open_database=_open)
    export_command.add_parser(sub, open_database=_open)
    from clinicdesk import portal_demo  # light at import: the demo's services and server load only when run

    portal_demo.add_parser(sub)
    audit = sub.add_parser("audit", help="audit log tools")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    p = audit_sub.add_parser("verify", help="check the audit log's hash chain and report the first broken entry")
    p.add_argument("--data-dir", default=argparse.SUPPRESS, help="clinic data folder")
    p.set_defaults(func=cmd_audit_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    from clinicdesk.diagnostics import install_crash_hooks

    install_crash_hooks()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except ClinicError as exc:
        print(f"clinicdesk: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Output piped into `head` or a closed pager: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
