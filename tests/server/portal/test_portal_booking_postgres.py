"""Booking on a real PostgreSQL with the portal connected as its own role: the pages' queries work there, and two
patients asking for the same free start at the same moment get one request and one refusal."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clinicdesk.server import migrate
from clinicdesk.server.app import create_app
from clinicdesk.server.sync_models import RowStateRow
from tests.server.portal.conftest import SOLO_PHONE, THRISSUR, PortalTestbed, seed_clinic
from tests.server.portal.test_portal_booking_signed_in import MASSAGE, _seed_booking
from tests.server.postgres import APP_ROLE, OWNER_ROLE

PORTAL_ROLE = "clinicdesk_portal"
RAVI_PHONE = "+919847077777"  # Ravi, the other patient of Thrissur


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def pg_booking(postgres_cluster, capsys, portal_clock, portal_config, sms_gateway):
    postgres_cluster.superuser_sql(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PORTAL_ROLE}') THEN "
        f"CREATE ROLE {PORTAL_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; END IF; END $$",
        f"ALTER ROLE {PORTAL_ROLE} LOGIN")
    database = postgres_cluster.new_database()
    postgres_cluster.superuser_sql(f"GRANT CONNECT ON DATABASE {database} TO {PORTAL_ROLE}")
    assert migrate.main([_libpq(postgres_cluster.url(OWNER_ROLE, database))]) == 0
    capsys.readouterr()
    app = create_app(_libpq(postgres_cluster.url(APP_ROLE, database)), clock=portal_clock, portal=portal_config,
                     portal_database_url=_libpq(postgres_cluster.url(PORTAL_ROLE, database)))
    seed_clinic(app)
    with TestClient(app, base_url="https://testserver") as client:
        testbed = PortalTestbed(client=client, gateway=sms_gateway[0], clock=portal_clock)
        yield testbed
        testbed.close()


def test_two_patients_asking_for_one_start_at_once_get_one_request(pg_booking):
    _seed_booking(pg_booking)
    clients = [pg_booking.sign_in(SOLO_PHONE), pg_booking.sign_in(RAVI_PHONE)]
    path = f"/portal/book?service={MASSAGE}&day=2026-11-28"
    forms = [{"service": MASSAGE, "day": "2026-11-28", "start": "09:00", "csrf": pg_booking.csrf_of(client, path)}
             for client in clients]
    assert all('value="09:00"' in client.get(path).text for client in clients)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda pair: pair[0].post("/portal/book", data=pair[1], follow_redirects=False),
                                zip(clients, forms, strict=True)))
    assert sorted(answer.status_code for answer in answers) == [303, 409]
    with pg_booking.transaction(THRISSUR) as session:
        requests = list(session.scalars(select(RowStateRow).where(RowStateRow.table_name == "portal_requests")))
    assert len(requests) == 1 and requests[0].field_values["requested_start"] == "2026-11-28T03:30:00+00:00"
    assert all('value="09:00"' not in client.get(path).text for client in clients)
