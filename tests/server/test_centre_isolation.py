"""Centre isolation: a device's centre comes from its credential only; naming another centre anywhere in a
request is refused, and a device cannot act as the HQ admin for any centre."""


def test_each_device_sees_only_its_own_centre(hq):
    kochi, thrissur = hq.centre("Kochi"), hq.centre("Thrissur")
    a, b = hq.enrol(kochi, "Kochi desk"), hq.enrol(thrissur, "Thrissur desk")
    assert hq.whoami(a).json()["centre"] == {"id": kochi, "name": "Kochi"}
    assert hq.whoami(b).json()["centre"] == {"id": thrissur, "name": "Thrissur"}


def test_naming_another_centre_in_the_query_is_refused_not_ignored(hq):
    kochi, thrissur = hq.centre("Kochi"), hq.centre("Thrissur")
    a = hq.enrol(kochi)
    for query in (f"centre_id={thrissur}", f"centre={thrissur}", f"centre_id={kochi}"):
        response = hq.client.get(f"/v1/whoami?{query}", headers=a.headers)
        assert response.status_code == 422, query
        assert response.json()["error"] == "unknown_query_parameter"


def test_naming_a_centre_in_an_enrolment_body_is_an_unknown_field(hq):
    kochi, thrissur = hq.centre("Kochi"), hq.centre("Thrissur")
    code = hq.code(kochi)
    response = hq.client.post("/v1/enrol", json={"code": code, "device_name": "Desk", "centre_id": thrissur})
    assert response.status_code == 422
    assert response.json()["problems"] == [{"field": "centre_id", "problem": "Extra inputs are not permitted",
                                            "type": "extra_forbidden"}]
    assert hq.device_count() == 0
    # The code is still unused, and it enrols into the centre it was issued for.
    enrolled = hq.client.post("/v1/enrol", json={"code": code, "device_name": "Desk"})
    assert enrolled.json()["centre_id"] == kochi


def test_a_device_cannot_act_as_admin_for_another_centre(hq):
    kochi, thrissur = hq.centre("Kochi"), hq.centre("Thrissur")
    a, b = hq.enrol(kochi), hq.enrol(thrissur)
    code = hq.client.post("/v1/admin/enrolment-codes", json={"centre_id": thrissur}, headers=a.headers)
    assert code.status_code == 403
    revoke = hq.client.post(f"/v1/admin/devices/{b.id}/revoke", json={"reason": "x"}, headers=a.headers)
    assert revoke.status_code == 403
    assert hq.whoami(b).status_code == 200
    assert hq.device_count() == 2


def test_a_device_credential_cannot_be_rebound_to_another_device_id(hq):
    kochi, thrissur = hq.centre("Kochi"), hq.centre("Thrissur")
    a, b = hq.enrol(kochi), hq.enrol(thrissur)
    a_secret = a.credential.rsplit(".", 1)[1]
    guessed = f"cdk1.{b.id}.{a_secret}"  # A's secret presented as B's device
    response = hq.client.get("/v1/whoami", headers={"Authorization": f"Bearer {guessed}"})
    assert response.status_code == 401
