"""An HQ server on a temporary SQLite file, driven through FastAPI's TestClient, with a hand-moved clock."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from clinicdesk.server.app import create_app

ADMIN_TOKEN = "hq-admin-token-for-tests-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


@dataclass
class Device:
    id: str
    centre_id: str
    credential: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.credential)


class HQ:
    """The admin's and the devices' steps, each asserting it succeeded."""

    def __init__(self, client: TestClient, database_file):
        self.client = client
        self.database_file = database_file

    def centre(self, name: str) -> str:
        response = self.client.post("/v1/admin/centres", json={"name": name}, headers=ADMIN)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def code(self, centre_id: str, valid_hours: int = 24) -> str:
        response = self.client.post("/v1/admin/enrolment-codes", json={"centre_id": centre_id,
                                                                        "valid_hours": valid_hours}, headers=ADMIN)
        assert response.status_code == 201, response.text
        return response.json()["code"]

    def enrol(self, centre_id: str, name: str = "Reception desk") -> Device:
        response = self.client.post("/v1/enrol", json={"code": self.code(centre_id), "device_name": name})
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["centre_id"] == centre_id
        return Device(body["device_id"], centre_id, body["credential"])

    def whoami(self, device: Device):
        return self.client.get("/v1/whoami", headers=device.headers)

    def revoke(self, device_id: str, reason: str = "stolen from the front desk"):
        return self.client.post(f"/v1/admin/devices/{device_id}/revoke", json={"reason": reason}, headers=ADMIN)

    def device_count(self) -> int:
        import sqlite3

        with sqlite3.connect(self.database_file) as conn:
            return conn.execute("SELECT COUNT(*) FROM devices").fetchone()[0]


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway PostgreSQL cluster for the whole test session (tests/server/postgres.py), stopped at the end;
    the tests that use it are skipped, with the apt package to install, where PostgreSQL is absent."""
    from tests.server.postgres import PostgresUnavailable, start_cluster

    try:
        cluster = start_cluster()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    yield cluster
    cluster.stop()


@pytest.fixture
def database_file(tmp_path):
    return tmp_path / "hq" / "hq.sqlite3"


@pytest.fixture
def hq(database_file, clock) -> HQ:
    app = create_app(f"sqlite:///{database_file}", admin_token=ADMIN_TOKEN, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield HQ(client, database_file)
