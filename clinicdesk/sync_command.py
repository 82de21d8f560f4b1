"""`clinicdesk sync`: sync this device with its HQ once and print a JSON summary; `sync enrol` joins an HQ."""

import json
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from clinicdesk.sync.errors import SyncError

DEVICE_NAME_CHARS = 80  # HQ's limit on a device name


def default_device_name() -> str:
    return (socket.gethostname() or "ClinicDesk device")[:DEVICE_NAME_CHARS]


def run(args, *, data_dir: Path, open_database: Callable) -> int:
    """0 after a finished sync or enrolment; 1 with one sentence on stderr when HQ refused or was unreachable."""
    try:
        if getattr(args, "sync_action", None) == "enrol":
            return _enrol(args, data_dir)
        return _sync(open_database)
    except SyncError as error:
        print(f"clinicdesk sync: {error}", file=sys.stderr)
        return 1


def _enrol(args, data_dir: Path) -> int:
    from clinicdesk.sync.enrolment import enrol

    settings = enrol(data_dir, args.hq, args.code, args.ca or "", device_name=args.name or default_device_name())
    print(json.dumps({"enrolled": True, "hq": settings.url, "device_id": settings.device_id}))
    return 0


def _sync(open_database: Callable) -> int:
    from clinicdesk.sync.client import sync_once
    from clinicdesk.sync.settings import load_hq_settings

    database = open_database()
    try:
        summary = sync_once(database, load_hq_settings(database.data_dir))
    finally:
        database.close()
    print(json.dumps(summary.as_json()))
    if summary.clock_warning:
        print(f"clinicdesk sync: {summary.clock_warning}", file=sys.stderr)
    return 0
