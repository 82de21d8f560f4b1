"""Device codes: each device of a centre gets its own letter(s) for UHIDs and booking references; a device keeps the
code it proposes when no device of its centre ever had it, otherwise HQ gives the next free one."""

import pytest

from clinicdesk.server.enrolment import device_codes


def _enrol(hq, centre: str, proposed: str | None = None, name: str = "Desk"):
    body = {"code": hq.code(centre), "device_name": name}
    if proposed is not None:
        body["device_code"] = proposed
    return hq.client.post("/v1/enrol", json=body)


def test_the_first_desk_keeps_a_and_later_desks_get_the_next_free_letters(hq):
    kochi, thrissur = hq.centre("Kochi"), hq.centre("Thrissur")
    given = [_enrol(hq, kochi, proposed).json()["device_code"] for proposed in ("A", "A", "D", None, "A")]
    assert given == ["A", "B", "D", "C", "E"]
    assert _enrol(hq, thrissur, "A").json()["device_code"] == "A"  # codes are per centre


def test_a_revoked_devices_code_is_never_given_again(hq):
    kochi = hq.centre("Kochi")
    first = _enrol(hq, kochi, "A").json()
    assert hq.revoke(first["device_id"]).status_code == 200
    assert _enrol(hq, kochi, "A").json()["device_code"] == "B"  # its KOC-A- numbers still exist


@pytest.mark.parametrize("bad", ["a", "", "ABCDE", "A1", "Ä"])
def test_a_malformed_proposal_is_refused_and_enrols_nothing(hq, bad):
    response = _enrol(hq, hq.centre("Kochi"), bad)
    assert response.status_code == 422 and hq.device_count() == 0


def test_codes_run_from_a_to_z_then_aa():
    codes = list(device_codes())
    assert codes[:3] == ["A", "B", "C"] and codes[25:28] == ["Z", "AA", "AB"] and len(codes) == 26 + 26 * 26
