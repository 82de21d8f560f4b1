"""The HQ server on a real PostgreSQL: migrations reach head and match the models, the enrolment, whoami and
revocation flows pass as on SQLite, and row-level security keeps centres apart even for a query with no filter."""

import inspect

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError

from clinicdesk.server import migrate
from clinicdesk.server.app import create_app
from clinicdesk.server.database import ServerRoleBypassesIsolation, alembic_config, current_revision, make_engine
from clinicdesk.server.models import DeviceRow, ServerBase
from tests.server import test_centre_isolation, test_enrolment
from tests.server.conftest import ADMIN_TOKEN, HQ
from tests.server.postgres import APP_ROLE, OWNER_ROLE, SUPERUSER


class PostgresHQ(HQ):
    """The same admin and device steps; the device count is read by the owner role, which sees every centre."""

    def __init__(self, client: TestClient, owner_url: str):
        super().__init__(client, database_file=None)
        self.owner_url = owner_url

    def device_count(self) -> int:
        return _owner_scalar(self.owner_url, "SELECT COUNT(*) FROM devices")


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _owner_scalar(owner_url: str, query: str, *params):
    with psycopg.connect(_libpq(owner_url)) as conn:
        return conn.execute(query, params).fetchone()[0]


@pytest.fixture
def pg_urls(postgres_cluster, capsys) -> dict[str, str]:
    """A fresh HQ database migrated to head by the owner role, as docs/hq-server.md says to; URLs for the owner
    and the application role."""
    database = postgres_cluster.new_database()
    urls = {"owner": postgres_cluster.url(OWNER_ROLE, database), "app": postgres_cluster.url(APP_ROLE, database)}
    assert migrate.main([_libpq(urls["owner"])]) == 0
    assert "schema at revision" in capsys.readouterr().out
    return urls


@pytest.fixture
def pg_hq(pg_urls, clock) -> PostgresHQ:
    # A plain postgresql:// URL, as an HQ admin would write it; the server picks the psycopg 3 driver.
    app = create_app(_libpq(pg_urls["app"]), admin_token=ADMIN_TOKEN, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield PostgresHQ(client, pg_urls["owner"])


def _flows():
    """Every enrolment and centre-isolation test that needs only the HQ (and the clock), to run again here."""
    for module in (test_enrolment, test_centre_isolation):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_") and set(inspect.signature(function).parameters) <= {"hq", "clock"}:
                yield pytest.param(function, id=name)


@pytest.mark.parametrize("flow", list(_flows()))
def test_the_sqlite_flows_pass_on_postgresql(flow, pg_hq, clock):
    arguments = {"hq": pg_hq, "clock": clock}
    flow(**{name: arguments[name] for name in inspect.signature(flow).parameters})


def test_the_revocation_flow_is_among_them():
    names = {param.id for param in _flows()}
    assert {"test_a_code_enrols_a_device_that_then_knows_its_centre",
            "test_a_revoked_device_is_refused_with_the_reason_and_others_carry_on",
            "test_each_device_sees_only_its_own_centre"} <= names and len(names) >= 15


def test_migrations_reach_head_and_the_schema_matches_the_models(pg_urls):
    engine = make_engine(pg_urls["owner"])
    try:
        assert current_revision(engine) == ScriptDirectory.from_config(alembic_config()).get_current_head()
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), ServerBase.metadata) == []
    finally:
        engine.dispose()


def test_the_migrations_go_down_to_nothing_and_back_up(pg_urls):
    engine = make_engine(pg_urls["owner"])
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        with psycopg.connect(_libpq(pg_urls["owner"])) as conn:
            leftovers = conn.execute("SELECT count(*) FROM pg_policies WHERE schemaname = current_schema()").fetchone()
            functions = conn.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'clinicdesk_%'").fetchone()
        assert leftovers[0] == 0 and functions[0] == 0
        assert migrate.main([_libpq(pg_urls["owner"])]) == 0
    finally:
        engine.dispose()
    test_every_table_with_a_centre_is_under_forced_row_level_security(pg_urls)


def test_every_table_with_a_centre_is_under_forced_row_level_security(pg_urls):
    with psycopg.connect(_libpq(pg_urls["owner"])) as conn:
        centre_tables = {row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'centre_id'")}
        protected = {row[0] for row in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname "
            "WHERE c.relrowsecurity AND c.relforcerowsecurity AND p.cmd = 'ALL' "
            "AND p.qual LIKE '%current_setting(''clinicdesk.centre_id''%' "
            "AND p.with_check LIKE '%current_setting(''clinicdesk.centre_id''%'")}
    assert {"devices", "enrolment_codes"} <= centre_tables
    assert centre_tables <= protected, "a table with a centre_id lacks the centre policy (add it in its migration)"


def _two_centres(hq: PostgresHQ):
    kochi, thrissur = hq.centre("Kochi"), hq.centre("Thrissur")
    a, b = hq.enrol(kochi, "Kochi desk"), hq.enrol(thrissur, "Thrissur desk")
    hq.code(thrissur)  # an unused code of centre B as well
    return a, b


def test_raw_sql_as_the_app_role_inside_centre_a_cannot_read_or_change_centre_b(pg_hq, pg_urls):
    a, b = _two_centres(pg_hq)
    b_before = _owner_scalar(pg_urls["owner"], "SELECT row_to_json(d)::text FROM devices d WHERE id = %s", b.id)

    with psycopg.connect(_libpq(pg_urls["app"])) as conn:
        conn.execute("SELECT set_config('clinicdesk.centre_id', %s, true)", (a.centre_id,))
        assert [row[0] for row in conn.execute("SELECT id FROM devices")] == [a.id]  # no WHERE, like a bug
        assert conn.execute("SELECT COUNT(*) FROM devices WHERE id = %s", (b.id,)).fetchone()[0] == 0
        assert {row[0] for row in conn.execute("SELECT centre_id FROM enrolment_codes")} == {a.centre_id}
        assert conn.execute("UPDATE devices SET revoked_reason = 'x', credential_hash = 'x' "
                            "WHERE id = %s", (b.id,)).rowcount == 0
        assert conn.execute("DELETE FROM enrolment_codes WHERE centre_id = %s", (b.centre_id,)).rowcount == 0
        # The lookup function names B's centre for B's device id, and still nothing of B's row becomes readable.
        assert conn.execute("SELECT clinicdesk_centre_of_device(%s)", (b.id,)).fetchone()[0] == b.centre_id
        assert conn.execute("SELECT COUNT(*) FROM devices WHERE centre_id = %s", (b.centre_id,)).fetchone()[0] == 0
        conn.commit()

    for attempt, params in (
        ("UPDATE devices SET centre_id = %s WHERE id = %s", lambda: (b.centre_id, a.id)),  # move a row into B
        ("INSERT INTO devices (id, centre_id, name, credential_hash, enrolled_at) "
         "VALUES ('00000000-0000-7000-8000-000000000000', %s, 'planted', 'x', now())", lambda: (b.centre_id,)),
    ):
        with psycopg.connect(_libpq(pg_urls["app"])) as conn:
            conn.execute("SELECT set_config('clinicdesk.centre_id', %s, true)", (a.centre_id,))
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                conn.execute(attempt, params())

    assert _owner_scalar(pg_urls["owner"], "SELECT row_to_json(d)::text FROM devices d WHERE id = %s", b.id) \
        == b_before
    assert _owner_scalar(pg_urls["owner"], "SELECT COUNT(*) FROM devices") == 2
    assert pg_hq.whoami(b).status_code == 200 and pg_hq.whoami(a).status_code == 200


def test_the_app_role_cannot_switch_isolation_off_or_escape_it_without_a_centre(pg_hq, pg_urls):
    _two_centres(pg_hq)
    with psycopg.connect(_libpq(pg_urls["app"]), autocommit=True) as conn:
        assert conn.execute("SELECT COUNT(*) FROM devices").fetchone()[0] == 0  # no centre set: nothing
        conn.execute("SET row_security = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("SELECT COUNT(*) FROM devices")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="owner"):
            conn.execute("ALTER TABLE devices DISABLE ROW LEVEL SECURITY")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="owner"):
            conn.execute("DROP POLICY centre_isolation ON devices")


def test_a_server_query_that_forgot_its_centre_filter_still_sees_one_centre(pg_hq):
    a, b = _two_centres(pg_hq)
    state = pg_hq.client.app.state.hq
    with state.transaction(centre_id=a.centre_id) as session:
        assert session.scalars(select(DeviceRow.id)).all() == [a.id]
        assert session.get(DeviceRow, b.id) is None
    with state.transaction() as session:  # a transaction that never entered a centre sees no centre's rows
        assert session.scalar(text("SELECT COUNT(*) FROM devices")) == 0


def test_the_server_role_cannot_create_the_schema_itself(postgres_cluster):
    database = postgres_cluster.new_database()  # empty: nobody has migrated it
    with pytest.raises(ProgrammingError, match="permission denied"):
        create_app(postgres_cluster.url(APP_ROLE, database), admin_token=ADMIN_TOKEN)


@pytest.mark.parametrize("role", [OWNER_ROLE, SUPERUSER])
def test_the_server_refuses_to_run_as_a_role_that_bypasses_row_level_security(postgres_cluster, pg_urls, role):
    database = pg_urls["app"].rsplit("/", 1)[1]
    with pytest.raises(ServerRoleBypassesIsolation, match="row-level security"):
        create_app(postgres_cluster.url(role, database), admin_token=ADMIN_TOKEN)
