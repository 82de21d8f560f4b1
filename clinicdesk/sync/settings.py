"""This device's HQ settings: URL, CA file and device id in the local config; the credential in the keyring."""

from dataclasses import dataclass
from pathlib import Path

from clinicdesk.store.datadir import LocalConfig
from clinicdesk.store.keys import KEYRING_SERVICE
from clinicdesk.sync.errors import SyncError


@dataclass(frozen=True)
class HqSettings:
    """One HQ this device is enrolled with."""

    url: str
    ca_file: str
    device_id: str
    credential: str

    def __repr__(self) -> str:  # the credential is a secret: never print it
        return f"HqSettings(url={self.url!r}, ca_file={self.ca_file!r}, device_id={self.device_id!r})"


def _keyring_user(database_id: str) -> str:
    return f"hq-device-{database_id}"


def store_credential(database_id: str, credential: str) -> None:
    """The device credential goes to the OS keyring only; without a usable keyring enrolment cannot finish."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, _keyring_user(database_id), credential)
    except Exception as error:  # NoKeyringError, KeyringLocked, D-Bus failures
        raise SyncError(f"The device credential could not be saved in the system keyring ({error.__class__.__name__}); "
                        "unlock the keyring and enrol again.", code="no_keyring") from None


def load_credential(database_id: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, _keyring_user(database_id))
    except Exception:
        return None


def save_hq_settings(data_dir: Path, settings: HqSettings) -> None:
    """Keep the non-secret part in the local config and the credential in the keyring."""
    config = LocalConfig.load(data_dir)
    if config is None:
        raise SyncError(f"No clinic database was found in {data_dir}. Run the set-up first.", code="no_database")
    store_credential(config.database_id, settings.credential)
    config.hq_url, config.hq_ca_file, config.hq_device_id = settings.url, settings.ca_file, settings.device_id
    config.save(data_dir)


def load_hq_settings(data_dir: Path) -> HqSettings:
    """This device's HQ, or a SyncError saying to enrol first."""
    config = LocalConfig.load(data_dir)
    if config is None:
        raise SyncError(f"No clinic database was found in {data_dir}. Run the set-up first.", code="no_database")
    if not config.hq_url:
        raise SyncError("This device is not enrolled with an HQ yet: run `clinicdesk sync enrol --hq URL --code CODE "
                        "--ca FILE`.", code="not_enrolled")
    credential = load_credential(config.database_id)
    if not credential:
        raise SyncError("This device's HQ credential is missing from the system keyring; ask the HQ admin for a new "
                        "enrolment code and enrol again.", code="no_credential")
    return HqSettings(config.hq_url, config.hq_ca_file, config.hq_device_id, credential)
