"""The portal on a real PostgreSQL, connected as its own role (clinicdesk_portal): sign-in across centres works
through migration 0010's SECURITY DEFINER functions, and the role reads one centre at a time, cannot read device
credentials or enrolment codes, and cannot rewrite its audit trail."""

import psycopg
import pytest
from fastapi.testclient import TestClient

from clinicdesk.server import migrate
from clinicdesk.server.app import create_app
from tests.server.portal.conftest import (
    ASHA,
    KIRAN,
    KOCHI,
    MEERA,
    OWN_PHONE,
    SOLO_PHONE,
    THRISSUR,
    PortalTestbed,
    add_probe_routes,
    seed_clinic,
)
from tests.server.postgres import APP_ROLE, OWNER_ROLE

PORTAL_ROLE = "clinicdesk_portal"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def pg_portal_urls(postgres_cluster, capsys) -> dict[str, str]:
    """A fresh HQ database; the DBA made the portal role (docs/portal.md) before the owner migrated it."""
    postgres_cluster.superuser_sql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clinicdesk_portal') THEN "
        "CREATE ROLE clinicdesk_portal NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; END IF; END $$",
        "ALTER ROLE clinicdesk_portal LOGIN")  # the operator's step that lets the portal connect as it
    database = postgres_cluster.new_database()
    postgres_cluster.superuser_sql(f"GRANT CONNECT ON DATABASE {database} TO {PORTAL_ROLE}")
    urls = {role: postgres_cluster.url(name, database)
            for role, name in (("owner", OWNER_ROLE), ("app", APP_ROLE), ("portal", PORTAL_ROLE))}
    assert migrate.main([_libpq(urls["owner"])]) == 0
    capsys.readouterr()
    return urls


@pytest.fixture
def pg_portal(pg_portal_urls, portal_clock, portal_config, sms_gateway):
    app = create_app(_libpq(pg_portal_urls["app"]), clock=portal_clock, portal=portal_config,
                     portal_database_url=_libpq(pg_portal_urls["portal"]))
    seed_clinic(app)
    add_probe_routes(app)
    with TestClient(app, base_url="https://testserver") as client:
        testbed = PortalTestbed(client=client, gateway=sms_gateway[0], clock=portal_clock)
        yield testbed
        testbed.close()


def test_sign_in_works_across_centres_as_the_portal_role(pg_portal):
    parent = pg_portal.sign_in(OWN_PHONE, record=1)
    assert parent.get("/portal/probe").json() | {"session_id": None} == {
        "session_id": None, "centre_id": KOCHI, "patient_id": KIRAN, "phone_last4": "2345", "as_guardian": True,
        "language": "en"}
    switched = parent.post("/portal/choose", data={"record": "0", "csrf": pg_portal.session_csrf(parent)},
                           follow_redirects=False)
    assert switched.status_code == 303 and parent.get("/portal/probe").json()["patient_id"] == ASHA
    solo = pg_portal.sign_in(SOLO_PHONE)
    assert solo.get("/portal/probe").json()["centre_id"] == THRISSUR
    sign_out = solo.post("/portal/sign-out", data={"csrf": pg_portal.session_csrf(solo)}, follow_redirects=False)
    assert sign_out.status_code == 303 and solo.get("/portal/probe", follow_redirects=False).status_code == 303
    unknown = pg_portal.new_client()
    assert pg_portal.start(unknown, "+919000000001").status_code == 303
    assert [body["to"] for _headers, body in pg_portal.gateway.requests] == [OWN_PHONE, SOLO_PHONE]


def test_the_portal_role_sees_one_centre_and_no_credentials(pg_portal, pg_portal_urls):
    pg_portal.sign_in(SOLO_PHONE)  # a session in Thrissur
    pg_portal.sign_in(OWN_PHONE, record=0)  # one in Kochi
    with psycopg.connect(_libpq(pg_portal_urls["portal"]), autocommit=True) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sync_row_states").fetchone()[0] == 0  # no centre: nothing
        for table in ("devices", "enrolment_codes", "centres"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                conn.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed names)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            conn.execute("UPDATE portal_audit_log SET action = 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            conn.execute("DELETE FROM portal_audit_log")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security|must be owner"):
            conn.execute("ALTER TABLE portal_sessions DISABLE ROW LEVEL SECURITY")
    with psycopg.connect(_libpq(pg_portal_urls["portal"])) as conn:
        conn.execute("SELECT set_config('clinicdesk.centre_id', %s, true)", (KOCHI,))
        centres = {row[0] for row in conn.execute("SELECT centre_id FROM sync_row_states")}  # no WHERE, like a bug
        assert centres == {KOCHI}
        assert conn.execute("SELECT COUNT(*) FROM sync_row_states WHERE row_id = %s", (MEERA,)).fetchone()[0] == 0
        sessions = {row[0] for row in conn.execute("SELECT centre_id FROM portal_sessions")}
        assert sessions == {KOCHI}
        audit_centres = {row[0] for row in conn.execute("SELECT centre_id FROM portal_audit_log")}
        assert THRISSUR not in audit_centres and KOCHI in audit_centres
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO portal_audit_log (at, centre_id, action, subject) "
                         "VALUES (now(), %s, 'planted', '')", (THRISSUR,))


def test_the_phone_lookup_function_answers_only_centre_patient_and_guardianship(pg_portal, pg_portal_urls):
    with psycopg.connect(_libpq(pg_portal_urls["portal"])) as conn:
        cursor = conn.execute("SELECT * FROM clinicdesk_portal_records_of_phone(%s, %s) ORDER BY 3, 2",
                              ([OWN_PHONE], "2008-11-26"))
        assert [column.name for column in cursor.description] == ["centre_id", "patient_id", "as_guardian"]
        assert cursor.fetchall() == [(KOCHI, ASHA, False), (KOCHI, KIRAN, True)]


def test_the_portal_role_may_write_through_the_sync_merge_tables(pg_portal_urls):
    with psycopg.connect(_libpq(pg_portal_urls["owner"])) as conn:
        granted = {(row[0], row[1]) for row in conn.execute(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = %s",
            (PORTAL_ROLE,))}
    for table in ("sync_sequences", "sync_row_states", "sync_applied_ops", "sync_changes", "sync_conflicts",
                  "sync_loser_log", "sync_review_items"):
        assert {(table, "SELECT"), (table, "INSERT"), (table, "UPDATE")} <= granted, table
    assert ("centre_keys", "SELECT") in granted and ("centre_keys", "UPDATE") not in granted
    assert not {table for table, _privilege in granted} & {"devices", "enrolment_codes", "centres"}
    assert not {privilege for _table, privilege in granted} & {"DELETE", "TRUNCATE"}
