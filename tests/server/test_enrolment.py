"""Enrolment: a one-time code becomes one device credential of the code's centre; used, expired, unknown codes,
wrong credentials and revoked devices are refused with a reason."""

from fastapi.testclient import TestClient

from clinicdesk.server.app import create_app
from tests.server.conftest import ADMIN, bearer


def test_a_code_enrols_a_device_that_then_knows_its_centre(hq):
    kochi = hq.centre("Kochi")
    code = hq.code(kochi)
    response = hq.client.post("/v1/enrol", json={"code": code, "device_name": "Reception desk 1"})
    assert response.status_code == 201
    body = response.json()
    assert body["centre_id"] == kochi and body["centre_name"] == "Kochi"
    assert body["credential"].startswith(f"cdk1.{body['device_id']}.")

    whoami = hq.client.get("/v1/whoami", headers=bearer(body["credential"]))
    assert whoami.status_code == 200
    assert whoami.json() == {"device": {"id": body["device_id"], "name": "Reception desk 1"},
                             "centre": {"id": kochi, "name": "Kochi"}}


def test_a_code_is_accepted_as_a_person_types_it(hq):
    code = hq.code(hq.centre("Kochi"))
    typed = code.replace("-", " ").lower()
    assert hq.client.post("/v1/enrol", json={"code": typed, "device_name": "Tablet"}).status_code == 201


def test_a_used_code_is_refused_and_enrols_nothing(hq):
    code = hq.code(hq.centre("Kochi"))
    assert hq.client.post("/v1/enrol", json={"code": code, "device_name": "First"}).status_code == 201
    again = hq.client.post("/v1/enrol", json={"code": code, "device_name": "Second"})
    assert again.status_code == 403
    assert again.json()["error"] == "enrolment_code_used" and "new one" in again.json()["reason"]
    assert hq.device_count() == 1


def test_an_expired_code_is_refused(hq, clock):
    centre = hq.centre("Kochi")
    late, in_time = hq.code(centre, valid_hours=2), hq.code(centre, valid_hours=2)
    clock.advance(hours=1, minutes=59)
    assert hq.client.post("/v1/enrol", json={"code": in_time, "device_name": "Tablet"}).status_code == 201
    clock.advance(minutes=1)
    refused = hq.client.post("/v1/enrol", json={"code": late, "device_name": "Tablet"})
    assert refused.status_code == 403 and refused.json()["error"] == "enrolment_code_expired"
    assert hq.device_count() == 1


def test_an_unknown_code_is_refused(hq):
    hq.code(hq.centre("Kochi"))
    refused = hq.client.post("/v1/enrol", json={"code": "AAAA-BBBB-CCCC-DDDD", "device_name": "Tablet"})
    assert refused.status_code == 403 and refused.json()["error"] == "enrolment_code_refused"
    assert hq.device_count() == 0


def test_a_revoked_device_is_refused_with_the_reason_and_others_carry_on(hq):
    centre = hq.centre("Kochi")
    stolen, desk = hq.enrol(centre, "Tablet 2"), hq.enrol(centre, "Reception")
    assert hq.whoami(stolen).status_code == 200

    revoked = hq.revoke(stolen.id, "stolen from the therapy room")
    assert revoked.status_code == 200 and revoked.json()["device_id"] == stolen.id

    refused = hq.whoami(stolen)
    assert refused.status_code == 403
    assert refused.json()["error"] == "device_revoked"
    assert "stolen from the therapy room" in refused.json()["reason"]
    assert hq.whoami(desk).status_code == 200


def test_revoking_twice_keeps_the_first_revocation(hq, clock):
    device = hq.enrol(hq.centre("Kochi"))
    first = hq.revoke(device.id, "lost").json()
    clock.advance(hours=3)
    assert hq.revoke(device.id, "found and lost again").json() == first


def test_revoking_an_unknown_device_says_so(hq):
    response = hq.revoke("01a217bf-6edf-722a-93b6-1464373aec69")
    assert response.status_code == 404 and response.json()["error"] == "unknown_device"


def test_a_credential_with_the_wrong_secret_is_refused(hq):
    device = hq.enrol(hq.centre("Kochi"))
    prefix, secret = device.credential.rsplit(".", 1)
    forged = f"{prefix}.{'A' * len(secret)}"
    for credential in (forged, device.credential[:-1], "cdk1.not-a-device.secret", ""):
        response = hq.client.get("/v1/whoami", headers=bearer(credential))
        assert response.status_code == 401, credential
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert hq.whoami(device).status_code == 200


def test_whoami_without_a_credential_says_what_to_send(hq):
    response = hq.client.get("/v1/whoami")
    assert response.status_code == 401
    assert response.json()["error"] == "credential_missing" and "Authorization: Bearer" in response.json()["reason"]


def test_admin_endpoints_need_the_admin_token(hq):
    device = hq.enrol(hq.centre("Kochi"))
    for headers, status in (({}, 401), (device.headers, 403), (bearer("x" * 40), 403)):
        response = hq.client.post("/v1/admin/centres", json={"name": "Thrissur"}, headers=headers)
        assert response.status_code == status
    assert hq.client.post("/v1/admin/centres", json={"name": "Thrissur"}, headers=ADMIN).status_code == 201


def test_without_an_admin_token_the_admin_api_is_off(tmp_path, clock):
    app = create_app(f"sqlite:///{tmp_path / 'hq.sqlite3'}", clock=clock)
    with TestClient(app) as client:
        response = client.post("/v1/admin/centres", json={"name": "Kochi"}, headers=ADMIN)
    assert response.status_code == 403 and response.json()["error"] == "admin_disabled"


def test_a_centre_name_is_unique(hq):
    hq.centre("Kochi")
    again = hq.client.post("/v1/admin/centres", json={"name": "Kochi"}, headers=ADMIN)
    assert again.status_code == 409 and again.json()["error"] == "centre_exists"


def test_a_code_for_an_unknown_centre_is_refused(hq):
    response = hq.client.post("/v1/admin/enrolment-codes", json={"centre_id": "no-such-centre"}, headers=ADMIN)
    assert response.status_code == 404 and response.json()["error"] == "unknown_centre"
