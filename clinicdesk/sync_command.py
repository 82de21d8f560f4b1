"""`clinicdesk sync`: sync this device with its HQ once and print a JSON summary; `sync enrol` joins an HQ; `sync
join` sets up a new device from a centre HQ already holds."""

import json
import os
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
        if getattr(args, "sync_action", None) == "join":
            return _join(args, data_dir)
        return _sync(open_database, resync=getattr(args, "resync", False))
    except SyncError as error:
        print(f"clinicdesk sync: {error}", file=sys.stderr)
        return 1


def _enrol(args, data_dir: Path) -> int:
    from clinicdesk.sync.enrolment import enrol

    settings = enrol(data_dir, args.hq, args.code, args.ca or "", device_name=args.name or default_device_name())
    print(json.dumps({"enrolled": True, "hq": settings.url, "device_id": settings.device_id}))
    return 0


def _join(args, data_dir: Path) -> int:
    from clinicdesk.store.errors import PassphraseNeeded
    from clinicdesk.sync.join import join_centre

    try:
        database, result = join_centre(data_dir, args.hq, args.code, args.ca or "",
                                       device_name=args.name or default_device_name(),
                                       passphrase=os.environ.get("CLINICDESK_PASSPHRASE"))
    except PassphraseNeeded as error:
        print(f"clinicdesk sync: {error}", file=sys.stderr)
        return 1
    database.close()
    print(json.dumps(result.as_json()))
    return 0


def _sync(open_database: Callable, *, resync: bool = False) -> int:
    from clinicdesk.services.context import ServiceContext
    from clinicdesk.services.portal_after_sync import settle_after_sync
    from clinicdesk.sync.client import sync_once
    from clinicdesk.sync.resync import resync as full_resync
    from clinicdesk.sync.settings import load_hq_settings

    database = open_database()
    try:
        hq = load_hq_settings(database.data_dir)
        summary = (full_resync if resync else sync_once)(database, hq)
        # the patient portal's share: auto-approvals, its care rules, the free times it offers (then pushed too)
        summary, _portal = settle_after_sync(ServiceContext(database), hq, summary)
    finally:
        database.close()
    print(json.dumps(summary.as_json()))
    if summary.clock_warning:
        print(f"clinicdesk sync: {summary.clock_warning}", file=sys.stderr)
    return 0
