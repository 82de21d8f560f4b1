"""Strict input limits: every malformed, oversized, overlong or mistyped request gets a 4xx with a reason,
never a 500, and changes nothing."""

import json

import pytest

from tests.server.conftest import ADMIN, bearer

JSON = {"content-type": "application/json"}
GOOD_ENROLMENT = {"code": "AAAA-BBBB-CCCC-DDDD", "device_name": "Desk"}


def _with(**changes):
    return json.dumps({**GOOD_ENROLMENT, **changes}).encode()


# (label, raw body, expected status)
BAD_ENROLMENT_BODIES = [
    ("truncated JSON", b'{"code": "AAAA', 400),
    ("not JSON at all", b"code=AAAA&device_name=Desk", 400),
    ("invalid UTF-8", b'{"code": "\xff\xfe", "device_name": "Desk"}', 400),
    ("nested far too deep", b"[" * 40_000, 400),
    ("empty body", b"", 422),
    ("null", b"null", 422),
    ("a list", b"[]", 422),
    ("a string", b'"AAAA-BBBB-CCCC-DDDD"', 422),
    ("a number", b"42", 422),
    ("no fields", b"{}", 422),
    ("missing device name", json.dumps({"code": "AAAA-BBBB-CCCC-DDDD"}).encode(), 422),
    ("unknown field", _with(admin=True), 422),
    ("centre named in the body", _with(centre_id="01a217bf-6ea3-71cf-abdf-21b540968de1"), 422),
    ("code as a number", _with(code=1234), 422),
    ("code as null", _with(code=None), 422),
    ("name as a list", _with(device_name=["Desk"]), 422),
    ("name as an object", _with(device_name={"en": "Desk"}), 422),
    ("name as a boolean", _with(device_name=True), 422),
    ("overlong name", _with(device_name="D" * 81), 422),
    ("overlong code", _with(code="A" * 41), 422),
    ("blank name", _with(device_name="   "), 422),
    ("name with a NUL", _with(device_name="Desk\u0000"), 422),
    ("name with a right-to-left override", _with(device_name="Desk\u202egpj.exe"), 422),
    ("duplicate-key smuggling", b'{"code": "A", "device_name": "D", "device_name": "E", "centre_id": "x"}', 422),
]


@pytest.mark.parametrize(("label", "body", "status"), BAD_ENROLMENT_BODIES, ids=[b[0] for b in BAD_ENROLMENT_BODIES])
def test_bad_enrolment_bodies_get_a_4xx_with_a_reason(hq, label, body, status):
    hq.code(hq.centre("Kochi"))
    response = hq.client.post("/v1/enrol", content=body, headers=JSON)
    assert response.status_code == status, response.text
    assert response.json()["reason"] and response.json()["error"]
    assert hq.device_count() == 0


BAD_ADMIN_REQUESTS = [
    ("centre name too long", "/v1/admin/centres", {"name": "K" * 81}),
    ("centre name empty", "/v1/admin/centres", {"name": ""}),
    ("centre name a number", "/v1/admin/centres", {"name": 7}),
    ("validity as text", "/v1/admin/enrolment-codes", {"centre_id": "c", "valid_hours": "24"}),
    ("validity as a fraction", "/v1/admin/enrolment-codes", {"centre_id": "c", "valid_hours": 1.5}),
    ("validity as a boolean", "/v1/admin/enrolment-codes", {"centre_id": "c", "valid_hours": True}),
    ("validity zero", "/v1/admin/enrolment-codes", {"centre_id": "c", "valid_hours": 0}),
    ("validity over a week", "/v1/admin/enrolment-codes", {"centre_id": "c", "valid_hours": 169}),
    ("validity beyond 64 bits", "/v1/admin/enrolment-codes", {"centre_id": "c", "valid_hours": 10**30}),
    ("centre id too long", "/v1/admin/enrolment-codes", {"centre_id": "c" * 37}),
    ("revocation without a reason", "/v1/admin/devices/d/revoke", {}),
    ("revocation reason too long", "/v1/admin/devices/d/revoke", {"reason": "r" * 201}),
    ("device id too long in the path", f"/v1/admin/devices/{'d' * 37}/revoke", {"reason": "lost"}),
]


@pytest.mark.parametrize(("label", "path", "payload"), BAD_ADMIN_REQUESTS, ids=[b[0] for b in BAD_ADMIN_REQUESTS])
def test_bad_admin_requests_get_a_422_with_a_reason(hq, label, path, payload):
    response = hq.client.post(path, json=payload, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_request" and response.json()["reason"]


def test_an_oversized_body_is_refused_before_it_is_read(hq):
    response = hq.client.post("/v1/enrol", content=_with(device_name="D" * 70_000), headers=JSON)
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"


def test_an_oversized_body_without_a_length_is_refused_too(hq):
    def chunks():  # chunked transfer encoding: no Content-Length to check up front
        for _ in range(100):
            yield b" " * 1024

    response = hq.client.post("/v1/enrol", content=chunks(), headers=JSON)
    assert response.status_code == 413


def test_a_body_declared_as_something_else_than_json_is_refused(hq):
    response = hq.client.post("/v1/enrol", content=_with(), headers={"content-type": "text/plain"})
    assert response.status_code == 415 and "application/json" in response.json()["reason"]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer " + "x" * 500, "cdk1.x.y",
                                    "Bearer cdk1.\u00e9\u00e9.secret"])
def test_malformed_authorization_is_a_401(hq, header):
    response = hq.client.get("/v1/whoami", headers={"Authorization": header.encode("utf-8")})
    assert response.status_code == 401 and response.json()["reason"]


def test_unknown_endpoints_and_methods_are_4xx_with_a_reason(hq):
    device = hq.enrol(hq.centre("Kochi"))
    for response, status in ((hq.client.get("/v1/nothing-here", headers=device.headers), 404),
                             (hq.client.delete("/v1/whoami", headers=device.headers), 405),
                             (hq.client.get("/v1/enrol"), 405)):
        assert response.status_code == status and response.json()["reason"]


def test_a_valid_request_after_all_that_still_works(hq):
    for label, body, _ in BAD_ENROLMENT_BODIES:
        assert hq.client.post("/v1/enrol", content=body, headers=JSON).status_code < 500, label
    device = hq.enrol(hq.centre("Kochi"))
    assert hq.client.get("/v1/whoami", headers=bearer(device.credential)).status_code == 200
