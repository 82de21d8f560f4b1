"""The portal's writer on PostgreSQL as the portal's own role (clinicdesk_portal, no BYPASSRLS): the grants of
migration 0010 are enough for apply_batch, and row-level security keeps the write inside the centre entered."""

import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError

from clinicdesk.server import migrate
from clinicdesk.server.centre_scope import enter_centre
from clinicdesk.server.portal.app import open_portal_database
from clinicdesk.server.portal.writer import PORTAL_DEVICE_ID, submit_rows
from tests.server.postgres import OWNER_ROLE

PORTAL_ROLE = "clinicdesk_portal"
NOW = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)


@pytest.fixture
def database(postgres_cluster, capsys):
    """A migrated HQ database with two centres, the portal role created (as a DBA would) before migrating."""
    postgres_cluster.superuser_sql(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PORTAL_ROLE}') THEN "
        f"CREATE ROLE {PORTAL_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; END IF; END $$")
    name = postgres_cluster.new_database()
    postgres_cluster.superuser_sql(f"GRANT CONNECT ON DATABASE {name} TO {PORTAL_ROLE}")
    owner_url = postgres_cluster.url(OWNER_ROLE, name).replace("postgresql+psycopg", "postgresql")
    assert migrate.main([owner_url]) == 0
    capsys.readouterr()
    centres = [str(uuid.uuid4()), str(uuid.uuid4())]
    with psycopg.connect(owner_url) as conn:
        for number, centre in enumerate(centres):
            conn.execute("INSERT INTO centres (id, name, created_at) VALUES (%s, %s, %s)",
                         (centre, f"Centre {number}", NOW))
    return postgres_cluster.url(PORTAL_ROLE, name), owner_url, centres


def _read(owner_url: str, sql: str, *args) -> list[tuple]:
    with psycopg.connect(owner_url) as conn:
        return conn.execute(sql, args).fetchall()


def test_the_portal_role_writes_a_request_of_its_centre(database):
    portal_url, owner_url, (centre, _other) = database
    sessions = open_portal_database(portal_url)
    request_id = str(uuid.uuid4())
    try:
        with sessions.begin() as session:
            enter_centre(session, centre)
            submit_rows(session, centre, [("portal_requests", request_id, {"kind": "book", "status": "pending"})],
                        NOW)
        with sessions.begin() as session:  # a second write reads the first's stamp and passes it
            enter_centre(session, centre)
            submit_rows(session, centre, [("portal_requests", request_id, {"status": "withdrawn"})], NOW)
    finally:
        sessions.kw["bind"].dispose()
    [(values,)] = _read(owner_url, "SELECT field_values FROM sync_row_states WHERE centre_id = %s AND row_id = %s",
                        centre, request_id)
    assert values == {"kind": "book", "status": "withdrawn"}
    changes = _read(owner_url, "SELECT pushed_by_device_id, hlc FROM sync_changes WHERE centre_id = %s "
                               "ORDER BY server_seq", centre)
    assert [device for device, _ in changes] == [PORTAL_DEVICE_ID] * 2 and changes[0][1] < changes[1][1]


def test_row_level_security_stops_a_write_into_another_centre(database):
    portal_url, owner_url, (centre, other) = database
    sessions = open_portal_database(portal_url)
    try:
        with pytest.raises(DBAPIError), sessions.begin() as session:
            enter_centre(session, centre)
            submit_rows(session, other, [("portal_requests", str(uuid.uuid4()), {"status": "pending"})], NOW)
    finally:
        sessions.kw["bind"].dispose()
    assert _read(owner_url, "SELECT count(*) FROM sync_changes") == [(0,)]
