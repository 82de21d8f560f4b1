"""Opens the HQ database (SQLite file by default, PostgreSQL by URL) and brings its schema to the Alembic head."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


class ServerDatabaseTooNew(RuntimeError):
    """The HQ database carries a schema revision this version does not know."""


class ServerRoleBypassesIsolation(RuntimeError):
    """The server was pointed at PostgreSQL as a role that row-level security does not apply to."""


def migrations_dir() -> Path:
    """migrations_server/ next to the package (source checkout) or inside it (installed bundle)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "migrations_server", here / "migrations_server"):
        if (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("The HQ server's migrations folder is missing from this installation.")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 (the `server` extra), not SQLAlchemy's psycopg2
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # SQLite leaves foreign keys off unless asked; WAL lets readers run beside the one writer.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    cfg = alembic_config()
    known = {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
    current = current_revision(engine)
    if current is not None and current not in known:
        raise ServerDatabaseTooNew(f"The HQ database is at schema {current}, written by a newer ClinicDesk server; "
                                   "run that version or newer. Nothing was changed.")
    if current == ScriptDirectory.from_config(cfg).get_current_head():
        return  # nothing to do, and on PostgreSQL the server's own role may not change the schema
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_server_database(database_url: str) -> sessionmaker[Session]:
    """An engine with the schema at head, as a session factory (one session per request)."""
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    refuse_roles_that_bypass_isolation(engine)
    return sessionmaker(engine, expire_on_commit=False)


def refuse_roles_that_bypass_isolation(engine: Engine) -> None:
    """Superusers and BYPASSRLS roles skip row-level security: the server must not run as one on PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        role, bypasses = conn.execute(text("SELECT rolname, rolsuper OR rolbypassrls FROM pg_roles "
                                           "WHERE rolname = current_user")).one()
    if bypasses:
        raise ServerRoleBypassesIsolation(
            f"The HQ server connects to PostgreSQL as {role!r}, a superuser or BYPASSRLS role, so row-level security "
            "would not keep centres apart. Migrate with the owner role, then run the server as the application "
            "role (docs/hq-server.md).")
