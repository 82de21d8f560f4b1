"""Applies the Alembic history at start-up over the keyed connection; refuses databases from newer versions."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from clinicdesk.store.errors import DatabaseTooNewError


def migrations_dir() -> Path:
    """migrations/ in the PyInstaller bundle, next to the package (source checkout) or inside it (installed)."""
    from clinicdesk.paths_frozen import bundled_path

    here = Path(__file__).resolve().parent.parent
    for candidate in (bundled_path("migrations"), here.parent / "migrations", here / "migrations"):
        if candidate is not None and (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("ClinicDesk's migrations folder is missing from this installation.")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_not_newer(engine: Engine) -> None:
    """A revision we do not know means a newer ClinicDesk wrote this file: stop before touching it."""
    current = current_revision(engine)
    if current is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise DatabaseTooNewError(
            "This clinic database was written by a newer version of ClinicDesk (schema "
            f"{current}). Install that version or newer to open it; the file was left untouched.")


def upgrade_to_head(engine: Engine) -> None:
    ensure_not_newer(engine)
    current = current_revision(engine)
    if current is not None and current != head_revision():
        back_up_before_upgrade(engine, current)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


PRE_UPGRADE_PREFIX = "pre-upgrade"


def back_up_before_upgrade(engine: Engine, current: str) -> Path:
    """A newer ClinicDesk opening an older database first writes a verified backup of it (backups/pre-upgrade-...).

    The backup has a manifest like any other, so `clinicdesk restore` takes it back if the upgrade goes wrong; a
    failure to write it (BackupError: disk full, folder not writable) stops the upgrade before any schema change.
    """
    from datetime import datetime
    from types import SimpleNamespace

    from clinicdesk.store.backup import BACKUP_SUFFIX, write_backup
    from clinicdesk.store.datadir import BACKUP_DIR, LocalConfig
    from clinicdesk.store.keys import DatabaseKey

    path = Path(engine.url.database)
    config = LocalConfig.load(path.parent)
    # The engine carries the raw key as SQLCipher's x'..' pragma value; the backup is encrypted with the same key.
    key = DatabaseKey(bytes.fromhex(engine.url.password[2:-1]))
    source = SimpleNamespace(data_dir=path.parent, path=path, key=key,
                             config=SimpleNamespace(database_id=config.database_id if config else ""))
    created = datetime.now().astimezone()
    target = path.parent / BACKUP_DIR / f"{PRE_UPGRADE_PREFIX}-{current}-{created:%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"
    return write_backup(source, target, now=created).path
