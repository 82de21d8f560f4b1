"""Sign-in rate limits: 3 codes per phone per 15 minutes, 10 sign-in starts per client address per hour; they are
database rows, so they hold for a restarted server (or another worker) over the same database."""

from fastapi.testclient import TestClient

from clinicdesk.server.app import create_app
from tests.server.portal.conftest import SOLO_PHONE


def _numbers(count: int) -> list[str]:
    return [f"+9190000001{n:02d}" for n in range(count)]


def test_a_fourth_code_for_a_phone_within_15_minutes_is_refused_then_allowed_again(portal):
    for _ in range(3):
        assert portal.start(portal.new_client(), SOLO_PHONE).status_code == 303
    refused = portal.start(portal.new_client(), SOLO_PHONE)
    assert refused.status_code == 429
    assert "Three codes were already asked for this number in the last 15 minutes" in refused.text
    assert len(portal.gateway.requests) == 3
    portal.clock.advance(minutes=15, seconds=1)
    assert portal.start(portal.new_client(), SOLO_PHONE).status_code == 303
    assert len(portal.gateway.requests) == 4


def test_the_phone_limit_treats_unknown_phones_the_same(portal):
    unknown = _numbers(1)[0]
    answers = [portal.start(portal.new_client(), unknown).status_code for _ in range(4)]
    assert answers == [303, 303, 303, 429] and portal.gateway.requests == []


def test_an_eleventh_start_from_one_address_within_an_hour_is_refused(portal):
    phones = _numbers(11)
    for phone in phones[:10]:
        assert portal.start(portal.new_client("10.0.0.7"), phone).status_code == 303
    refused = portal.start(portal.new_client("10.0.0.7"), phones[10])
    assert refused.status_code == 429 and "Too many sign-in attempts from this connection" in refused.text
    # another address is not held back, and the first one may start again after the hour
    assert portal.start(portal.new_client("10.0.0.8"), phones[10]).status_code == 303
    portal.clock.advance(hours=1, seconds=1)
    assert portal.start(portal.new_client("10.0.0.7"), SOLO_PHONE).status_code == 303


def test_the_limits_hold_for_a_restarted_server_on_the_same_database(portal, tmp_path, portal_config, portal_clock):
    for _ in range(3):
        portal.start(portal.new_client(), SOLO_PHONE)
    restarted = create_app(f"sqlite:///{tmp_path / 'hq.sqlite3'}", clock=portal_clock, portal=portal_config)
    with TestClient(restarted, base_url="https://testserver") as client:
        refused = portal.start(client, SOLO_PHONE)
    assert refused.status_code == 429 and len(portal.gateway.requests) == 3


def test_a_refused_start_is_audited_without_the_number(portal):
    for _ in range(4):
        portal.start(portal.new_client(), SOLO_PHONE)
    actions = [row.action for row in portal.audit_rows()]
    assert actions.count("signin.start") == 3 and actions.count("signin.refused") == 1
    for row in portal.audit_rows():
        assert SOLO_PHONE[3:] not in repr(vars(row))
