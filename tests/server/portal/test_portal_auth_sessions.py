"""Portal sessions: idle and absolute timeouts, sign-out ending the session at HQ, CSRF refusals that change
nothing, the language choice, security headers on every response, and audit rows free of phone numbers."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clinicdesk.server.app import create_app
from clinicdesk.server.portal.config import PortalConfig
from clinicdesk.server.portal.portal_models import PortalCodeRow, PortalSessionRow
from clinicdesk.server.portal.security_headers import CONTENT_SECURITY_POLICY
from tests.server.portal.conftest import (
    ASHA,
    KOCHI,
    MEERA,
    OWN_PHONE,
    SEEDED_PATIENTS,
    SOLO_PHONE,
    add_probe_routes,
)


def _session(portal) -> PortalSessionRow:
    with portal.app.state.hq.sessions.begin() as session:
        (row,) = session.scalars(select(PortalSessionRow))
        return row


def _expect_sign_in(reply, *, expired: bool) -> None:
    assert reply.status_code == 303
    assert reply.headers["location"] == ("/portal/sign-in?expired=1" if expired else "/portal/sign-in")


def test_the_probe_acts_for_the_chosen_record(probed_portal):
    client = probed_portal.sign_in(OWN_PHONE, record=0)
    identity = client.get("/portal/probe").json()
    assert identity["patient_id"] == ASHA and identity["centre_id"] == KOCHI
    assert identity["phone_last4"] == "2345" and identity["as_guardian"] is False and identity["language"] == "en"


def test_not_signed_in_goes_to_the_sign_in_page(probed_portal):
    client = probed_portal.new_client()
    _expect_sign_in(client.get("/portal/probe", follow_redirects=False), expired=False)
    client.cookies.set("cdportal", "a-token-nobody-issued", path="/portal")
    _expect_sign_in(client.get("/portal/probe", follow_redirects=False), expired=False)


def test_an_idle_session_ends_after_20_minutes_and_says_so(probed_portal):
    client = probed_portal.sign_in(SOLO_PHONE)
    token = client.cookies.get("cdportal")
    probed_portal.clock.advance(minutes=19)
    assert client.get("/portal/probe").status_code == 200  # activity resets the idle clock
    probed_portal.clock.advance(minutes=19)
    assert client.get("/portal/probe").status_code == 200
    probed_portal.clock.advance(minutes=20, seconds=1)
    _expect_sign_in(client.get("/portal/probe", follow_redirects=False), expired=True)
    assert _session(probed_portal).end_reason == "expired"
    page = client.get("/portal/sign-in?expired=1")
    assert "Your session ended because it was idle or open too long" in page.text
    # the browser was told to drop the cookie; one that kept it does not revive the session either
    assert "cdportal" not in client.cookies
    kept = probed_portal.new_client()
    kept.cookies.set("cdportal", token, path="/portal")
    _expect_sign_in(kept.get("/portal/probe", follow_redirects=False), expired=True)


def test_a_busy_session_still_ends_after_12_hours(probed_portal):
    client = probed_portal.sign_in(SOLO_PHONE)
    for _ in range(12 * 4 - 1):
        probed_portal.clock.advance(minutes=15)
        assert client.get("/portal/probe", follow_redirects=False).status_code == 200
    probed_portal.clock.advance(minutes=15, seconds=1)
    _expect_sign_in(client.get("/portal/probe", follow_redirects=False), expired=True)


def test_sign_out_ends_the_session_at_hq_so_the_old_cookie_opens_nothing(probed_portal):
    client = probed_portal.sign_in(SOLO_PHONE)
    token = client.cookies.get("cdportal")
    signed_out = client.post("/portal/sign-out", data={"csrf": probed_portal.session_csrf(client)},
                             follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/portal/sign-in?signed_out=1"
    assert "cdportal" not in client.cookies
    row = _session(probed_portal)
    assert row.ended_at is not None and row.end_reason == "signed-out"
    replay = probed_portal.new_client()
    replay.cookies.set("cdportal", token, path="/portal")
    assert replay.get("/portal/probe", follow_redirects=False).status_code == 303
    assert "You have signed out." in client.get("/portal/sign-in?signed_out=1").text


def test_a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing(probed_portal):
    client = probed_portal.sign_in(SOLO_PHONE)
    other = probed_portal.sign_in(OWN_PHONE, record=0)
    others_token = probed_portal.session_csrf(other)
    audited = len(probed_portal.audit_rows())
    for data in ({}, {"csrf": ""}, {"csrf": others_token}, {"csrf": "x" * 43}):
        assert client.post("/portal/probe", data=data).status_code == 403
        refused = client.post("/portal/sign-out", data=data)
        assert refused.status_code == 403 and "This form has expired" in refused.text
    assert len(probed_portal.audit_rows()) == audited
    assert client.get("/portal/probe").status_code == 200  # still signed in
    assert client.post("/portal/probe", data={"csrf": probed_portal.session_csrf(client)}).status_code == 200


def test_sign_in_forms_need_the_browsers_double_submit_token(portal):
    client = portal.new_client()
    token = portal.csrf_of(client, "/portal/sign-in")
    stranger = portal.new_client()  # another site's form: it has no cookie of ours
    assert stranger.post("/portal/sign-in", data={"phone": SOLO_PHONE, "csrf": token}).status_code == 403
    assert client.post("/portal/sign-in", data={"phone": SOLO_PHONE, "csrf": "forged"}).status_code == 403
    assert client.post("/portal/sign-in", data={"phone": SOLO_PHONE}).status_code == 403
    assert client.post("/portal/language", data={"language": "ml", "csrf": "forged"}).status_code == 403
    assert portal.gateway.requests == []
    with portal.app.state.hq.sessions.begin() as session:
        assert session.scalars(select(PortalCodeRow)).all() == []
    assert '<html lang="en">' in client.get("/portal/sign-in").text


def test_a_signed_in_language_choice_is_the_sessions_and_only_returns_to_portal_pages(probed_portal):
    client = probed_portal.sign_in(SOLO_PHONE)
    csrf = probed_portal.session_csrf(client)
    moved = client.post("/portal/language", data={"language": "ml", "csrf": csrf, "next": "/portal/probe"},
                        follow_redirects=False)
    assert moved.headers["location"] == "/portal/probe"
    assert client.get("/portal/probe").json()["language"] == "ml"
    assert '<html lang="ml">' in client.get("/portal/choose").text
    for target in ("https://evil.example/", "//evil.example/portal/", "/v1/whoami", "/portal/\\evil"):
        reply = client.post("/portal/language", data={"language": "hi", "csrf": csrf, "next": target},
                            follow_redirects=False)
        assert reply.headers["location"] == "/portal/home", target
    unknown = client.post("/portal/language", data={"language": "fr", "csrf": csrf}, follow_redirects=False)
    assert unknown.status_code == 303 and client.get("/portal/probe").json()["language"] == "hi"


def test_every_response_carries_the_security_headers(portal):
    client = portal.new_client()
    responses = {
        "page": client.get("/portal/sign-in"),
        "redirect": client.get("/portal/verify", follow_redirects=False),
        "missing": client.get("/portal/no-such-page"),
        "refused": client.post("/portal/sign-in", data={}),
        "css": client.get("/portal/static/portal.css"),
    }
    for name, response in responses.items():
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, name
        assert "script-src 'none'" in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["referrer-policy"] == "no-referrer", name
        expected_cache = "public, max-age=86400" if name == "css" else "no-store"
        assert response.headers["cache-control"] == expected_cache, name
    assert responses["missing"].status_code == 404 and "This page does not exist." in responses["missing"].text
    assert responses["css"].status_code == 200 and ":focus-visible" in responses["css"].text


def test_pages_load_nothing_from_elsewhere_and_no_script(portal):
    page = portal.new_client().get("/portal/sign-in").text
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert re.search(r'<html lang="en">', page) and len(page.encode()) < 8_000


def test_audit_rows_cover_every_step_and_hold_no_phone_number_or_name(probed_portal):
    client = probed_portal.sign_in(OWN_PHONE, record=0)
    client.get("/portal/probe")
    client.post("/portal/sign-out", data={"csrf": probed_portal.session_csrf(client)})
    probed_portal.start(probed_portal.new_client(), "+919000000001")
    rows = probed_portal.audit_rows()
    actions = [row.action for row in rows]
    for step in ("signin.start", "signin.code_sent", "signin.verified", "signin.chosen", "probe.get",
                 "signin.signed_out"):
        assert step in actions, step
    probe = next(row for row in rows if row.action == "probe.get")
    assert (probe.centre_id, probe.patient_id, probe.subject) == (KOCHI, ASHA, "row-1")
    assert probe.client_ip_key and probe.session_id and probe.phone_last4 == "2345"
    names = {v for p in SEEDED_PATIENTS.values() for v in (p["given_name"], p["family_name"])}
    for row in rows:
        text = repr({column.key: getattr(row, column.key) for column in row.__table__.columns})
        for phone in (OWN_PHONE, "+919000000001"):
            assert phone[3:] not in text
        assert not any(name in text for name in names)
        assert "testclient" not in text  # the client address only as a keyed hash
    assert len({row.phone_key for row in rows if row.phone_last4 == "2345"}) == 1


def test_without_an_sms_gateway_the_sign_in_page_says_sign_in_is_not_set_up(tmp_path, portal_clock):
    app = create_app(f"sqlite:///{tmp_path / 'hq.sqlite3'}", clock=portal_clock,
                     portal=PortalConfig(hash_key=b"k" * 32))
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/portal/sign-in")
        assert "Sign-in by code is not set up at this clinic" in page.text and 'name="phone"' not in page.text
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        refused = client.post("/portal/sign-in", data={"phone": SOLO_PHONE, "csrf": token})
        assert refused.status_code == 503


def test_an_hq_started_without_portal_options_still_serves_the_sign_in_page(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    with TestClient(app, base_url="https://testserver") as client:
        assert "not set up" in client.get("/portal/sign-in").text
        assert client.get("/v1/whoami").status_code == 401  # the sync API is untouched


@pytest.mark.parametrize("language, words", [("hi", "साइन इन"), ("ml", "സൈൻ ഇൻ")])
def test_the_sign_in_page_speaks_hindi_and_malayalam(portal, language, words):
    client = portal.new_client()
    client.cookies.set("lang", language, path="/portal")
    page = client.get("/portal/sign-in").text
    assert f'<html lang="{language}">' in page and words in page


def test_the_chosen_record_of_another_phone_is_not_reachable_by_editing_the_form(probed_portal):
    client = probed_portal.sign_in(SOLO_PHONE)
    refused = client.post("/portal/choose", data={"record": "1", "csrf": probed_portal.session_csrf(client)})
    assert refused.status_code == 400
    assert client.get("/portal/probe").json()["patient_id"] == MEERA


def test_probe_routes_can_be_added_to_a_fresh_app(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    add_probe_routes(app)
    with TestClient(app, base_url="https://testserver") as client:
        assert client.get("/portal/probe", follow_redirects=False).status_code == 303
