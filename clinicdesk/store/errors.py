"""Storage errors with sentences a person can act on."""

from clinicdesk.domain.errors import ClinicError


class WrongKeyError(ClinicError):
    """The key or passphrase does not open this database; nothing was written."""


class KeyUnavailableError(ClinicError):
    """Neither the OS keyring nor a passphrase-wrapped key file can provide the database key."""


class PassphraseNeeded(ClinicError):
    """The keyring cannot be used here; the caller must supply the clinic passphrase."""


class DatabaseTooNewError(ClinicError):
    """The database was written by a newer ClinicDesk; it was left untouched."""


class BackupError(ClinicError):
    """A backup could not be written or does not pass its checks."""


class PassphraseTooShort(ClinicError, ValueError):
    """A new database passphrase is too short to protect the key."""
