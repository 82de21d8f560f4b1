"""A throwaway PostgreSQL cluster for the HQ server tests: initdb into a temporary folder, pg_ctl on a free port,
an owner role for migrations and an application role the server connects as (row-level security applies to it)."""

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

APT_PACKAGE = "postgresql"
SUPERUSER = "clinicdesk_superuser"  # only the fixture uses it: to create roles and databases
OWNER_ROLE = "clinicdesk_owner"  # owns the schema and runs migrations; BYPASSRLS, never used by the server
APP_ROLE = "clinicdesk_app"  # what the server connects as: no superuser, no BYPASSRLS
# PostgreSQL refuses to run as root; when the tests run as root the cluster belongs to this system user.
SYSTEM_USER = "postgres"
# A cluster that only lives for one test session: durability is not wanted, start-up and speed are.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "listen_addresses=127.0.0.1")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed here (the message is the skip reason)."""


class PostgresFailed(RuntimeError):
    """PostgreSQL is installed but initdb or pg_ctl failed: an error, never a skip."""


def postgres_bin_dir() -> Path | None:
    """The newest installed server binaries: Debian keeps them in /usr/lib/postgresql/<version>/bin."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_cluster_user() -> list[str]:
    """Prefix that runs a command as a user PostgreSQL accepts (itself unless we are root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError as exc:
        raise PostgresUnavailable(f"Running as root and there is no '{SYSTEM_USER}' system user to run PostgreSQL "
                                  f"as (apt package '{APT_PACKAGE}' creates it).") from exc
    return ["runuser", "-u", SYSTEM_USER, "--"]


def role_setup_sql(database: str) -> list[str]:
    """What a DBA runs once per HQ database (as a superuser) before the owner migrates it; docs/hq-server.md."""
    return [f"CREATE DATABASE {database} OWNER {OWNER_ROLE}",
            f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {database} TO {APP_ROLE}"]


def privileges_sql() -> list[str]:
    """Run as the owner in the HQ database: every table the migrations create is usable by the application role."""
    return [f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"]


@dataclass
class PostgresCluster:
    bin_dir: Path
    folder: Path
    port: int
    _databases: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def url(self, role: str, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{role}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*_as_cluster_user(), *args], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            log = self.folder / "server.log"
            detail = log.read_text()[-2000:] if log.exists() else ""
            raise PostgresFailed(f"{Path(args[0]).name} failed: {result.stderr.strip()} {detail}")

    def start(self) -> None:
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
        options = " ".join([f"-p {self.port}", f"-k {self.folder}"] + [f"-c {setting}" for setting in FAST_SETTINGS])
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.folder / "server.log"),
                  "-o", options, "-w", "-s", "start")
        self.superuser_sql(f"CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER BYPASSRLS",
                           f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")

    def stop(self) -> None:
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "-s", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def superuser_sql(self, *statements: str, database: str = "postgres") -> None:
        self.sql(self.url(SUPERUSER, database), *statements)

    @staticmethod
    def sql(url: str, *statements: str) -> None:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def new_database(self) -> str:
        """A fresh, empty HQ database owned by the owner role, with privileges set up for the application role."""
        name = f"hq_{next(self._databases)}"
        self.superuser_sql(*role_setup_sql(name))
        self.sql(self.url(OWNER_ROLE, name), *privileges_sql())
        return name


def start_cluster() -> PostgresCluster:
    """A running cluster with the owner and application roles; PostgresUnavailable if PostgreSQL is absent."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(f"PostgreSQL server binaries are not installed (apt package '{APT_PACKAGE}'; "
                                  "installer/bootstrap.sh --test installs it).")
    prefix = _as_cluster_user()
    # Not pytest's tmp_path: that sits in a root-only folder the cluster's user cannot enter.
    folder = Path(tempfile.mkdtemp(prefix="clinicdesk-pg-"))
    if prefix:
        shutil.chown(folder, user=SYSTEM_USER)
    cluster = PostgresCluster(bin_dir, folder, _free_port())
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster
