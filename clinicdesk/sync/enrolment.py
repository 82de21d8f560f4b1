"""Enrolment: turn the admin's one-time code into this device's credential and remember HQ's address and CA."""

from pathlib import Path

import httpx

from clinicdesk.sync.settings import HqSettings, save_hq_settings
from clinicdesk.sync.transport import HqTransport


def enrol(data_dir: Path, hq_url: str, code: str, ca_file: str, *, device_name: str,
          transport: httpx.BaseTransport | None = None) -> HqSettings:
    """Claim the code at HQ and save the settings; the credential is stored in the keyring and returned nowhere else."""
    ca = str(Path(ca_file).expanduser().resolve()) if ca_file else ""
    with HqTransport(hq_url, None, ca_file=ca or None, transport=transport) as hq:
        body = hq.request("POST", "/v1/enrol", json={"code": code.strip(), "device_name": device_name}).json()
    settings = HqSettings(url=hq_url.rstrip("/"), ca_file=ca, device_id=body["device_id"],
                          credential=body["credential"])
    save_hq_settings(data_dir, settings)
    return settings
