"""Where a clinic's files live (CLINICDESK_HOME, --data-dir or the per-user data folder) and its small config."""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

DATABASE_FILE = "clinic.db"
CONFIG_FILE = "clinicdesk.json"
BACKUP_DIR = "backups"
HOME_ENV = "CLINICDESK_HOME"


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV]).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("ClinicDesk", "ClinicDesk"))


@dataclass
class LocalConfig:
    """Non-secret facts about this installation; the key is never here."""

    database_id: str
    device_code: str = "A"
    key_storage: str = "keyring"
    idle_lock_minutes: int = 5
    speech_model: str = "base"  # "tiny.en" on a slow machine (English only)
    microphone_name: str = ""  # the consultation room's USB microphone, found again by name after a restart
    hq_url: str = ""  # the HQ sync server this device is enrolled with (its credential is in the OS keyring)
    hq_ca_file: str = ""  # the HQ's own CA certificate, the only authority trusted for that server
    hq_device_id: str = ""  # this device's id at HQ, given at enrolment
    sync_time: str = "02:00"  # local time of the nightly sync with HQ (HH:MM)

    @staticmethod
    def path(data_dir: Path) -> Path:
        return data_dir / CONFIG_FILE

    @classmethod
    def load(cls, data_dir: Path) -> "LocalConfig | None":
        p = cls.path(data_dir)
        if not p.exists():
            return None
        raw = json.loads(p.read_text())
        return cls(**{k: v for k, v in raw.items() if k in cls.__dataclass_fields__})

    def save(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path(data_dir).with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2))
        os.replace(tmp, self.path(data_dir))
