"""Enrolment: turn the admin's one-time code into this device's credential and device code, and remember HQ's address
and CA."""

from dataclasses import dataclass
from pathlib import Path

import httpx

from clinicdesk.store.database import Database
from clinicdesk.store.datadir import LocalConfig
from clinicdesk.sync.centre_key import ensure_centre_key
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.settings import HqSettings, save_hq_settings
from clinicdesk.sync.transport import HqTransport


@dataclass(frozen=True)
class Enrolment:
    """What HQ said about this device; the credential is in `settings` (and the keyring), never printed."""

    settings: HqSettings
    device_code: str  # the letter(s) HQ gave this device in its centre: UHIDs and bookings are numbered with it
    centre_name: str


def enrol_device(data_dir: Path, hq_url: str, code: str, ca_file: str, *, device_name: str,
                 transport: httpx.BaseTransport | None = None, database: Database | None = None) -> Enrolment:
    """Claim the code at HQ, proposing this device's current device code (kept if no other device of the centre
    has it), and save the settings and the code HQ gave. With the open `database`, its in-memory config takes the
    new code too and the centre key is fetched now (otherwise at the first sync)."""
    config = LocalConfig.load(data_dir)
    if config is None:
        raise SyncError(f"No clinic database was found in {data_dir}. Run the set-up first.", code="no_database")
    ca = str(Path(ca_file).expanduser().resolve()) if ca_file else ""
    body = {"code": code.strip(), "device_name": device_name, "device_code": config.device_code}
    with HqTransport(hq_url, None, ca_file=ca or None, transport=transport) as hq:
        answer = hq.request("POST", "/v1/enrol", json=body).json()
    settings = HqSettings(url=hq_url.rstrip("/"), ca_file=ca, device_id=answer["device_id"],
                          credential=answer["credential"])
    save_hq_settings(data_dir, settings)
    device_code = answer.get("device_code") or config.device_code  # an older HQ gives none: keep ours
    if device_code != config.device_code:
        saved = LocalConfig.load(data_dir)  # as save_hq_settings left it
        saved.device_code = device_code
        saved.save(data_dir)
    if database is not None:
        database.config.device_code = device_code
        with HqTransport(settings.url, settings.credential, ca_file=ca or None, transport=transport) as hq:
            ensure_centre_key(database, hq)
    return Enrolment(settings, device_code, str(answer.get("centre_name", "")))


def enrol(data_dir: Path, hq_url: str, code: str, ca_file: str, *, device_name: str,
          transport: httpx.BaseTransport | None = None, database: Database | None = None) -> HqSettings:
    """Claim the code at HQ and save the settings; the credential is stored in the keyring and returned nowhere else."""
    return enrol_device(data_dir, hq_url, code, ca_file, device_name=device_name, transport=transport,
                        database=database).settings
