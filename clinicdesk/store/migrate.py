"""Applies the Alembic history at start-up over the keyed connection; refuses databases from newer versions."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from clinicdesk.store.errors import DatabaseTooNewError


def migrations_dir() -> Path:
    """migrations/ next to the package (source checkout) or inside it (installed bundle)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "migrations", here / "migrations"):
        if (candidate / "env.py").exists():
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
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
