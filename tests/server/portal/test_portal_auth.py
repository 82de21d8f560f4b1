"""Portal sign-in end to end over an SQLite HQ: the code arrives through a local SMS gateway stand-in, wrong and
expired codes are refused, a known and an unknown phone get the same answers, a guardian opens a child's record,
and the chooser only accepts the records the phone opens."""

import re

from sqlalchemy import select

from clinicdesk.server.portal.portal_models import PortalCodeRow, PortalSessionRow
from tests.server.portal.conftest import (
    ARJUN,
    ASHA,
    KIRAN,
    MEERA,
    OWN_PHONE,
    SOLO_PHONE,
    THRISSUR,
    UNKNOWN_PHONE,
)


def _session_rows(portal) -> list[PortalSessionRow]:
    with portal.app.state.hq.sessions.begin() as session:
        return list(session.scalars(select(PortalSessionRow)))


def _code_rows(portal) -> list[PortalCodeRow]:
    with portal.app.state.hq.sessions.begin() as session:
        return list(session.scalars(select(PortalCodeRow)))


def test_a_phone_with_one_record_signs_in_with_the_texted_code_and_reaches_home(portal):
    client = portal.new_client()
    started = portal.start(client, "98950 11111")  # typed with a space and without +91
    assert started.status_code == 303 and started.headers["location"] == "/portal/verify"

    headers, body = portal.gateway.requests[-1]
    code = portal.last_code()
    assert body["to"] == SOLO_PHONE and body["sender"] == "SUKHAM"
    assert headers["Authorization"] == "Bearer portal-test-key"
    assert body["text"] == f"Your ClinicDesk code is {code}. It expires in 5 minutes. Do not share it."

    verify_page = client.get("/portal/verify")
    assert "ending 1111" in verify_page.text and '<label for="code">' in verify_page.text
    signed_in = portal.enter_code(client, code)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/portal/home"
    cookie = signed_in.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookie if c.startswith("cdportal="))
    for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/portal"):
        assert attribute in session_cookie

    (row,) = _session_rows(portal)
    token = session_cookie.split(";")[0].split("=", 1)[1]
    assert (row.centre_id, row.patient_id, row.as_guardian) == (THRISSUR, MEERA, False)
    assert token not in {row.token_sha256, row.csrf_token} and len(row.token_sha256) == 64
    # the code is kept only as a salted hash
    (attempt,) = _code_rows(portal)
    assert code not in repr({c.name: getattr(attempt, c.key) for c in PortalCodeRow.__table__.columns})
    assert attempt.used_at is not None

    home = client.get("/portal/home", follow_redirects=False)
    assert home.status_code != 303


def test_the_code_text_follows_the_chosen_language(portal):
    client = portal.new_client()
    chosen = client.post("/portal/language", data={"language": "hi", "next": "/portal/sign-in",
                                                   "csrf": portal.csrf_of(client, "/portal/sign-in")},
                         follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/portal/sign-in"
    page = client.get("/portal/sign-in")
    assert '<html lang="hi">' in page.text and "मोबाइल नंबर" in page.text
    portal.start(client, SOLO_PHONE)
    _headers, body = portal.gateway.requests[-1]
    assert body["language"] == "hi" and f"ClinicDesk कोड {portal.last_code()} है" in body["text"]


def test_a_wrong_code_is_refused_and_five_wrong_tries_use_the_code_up(portal):
    client = portal.new_client()
    portal.start(client, SOLO_PHONE)
    right = portal.last_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for attempt in range(1, 5):
        reply = portal.enter_code(client, wrong)
        assert reply.status_code == 400 and "That code is not right" in reply.text, attempt
    fifth = portal.enter_code(client, wrong)
    assert fifth.status_code == 400 and "Too many wrong tries" in fifth.text
    after = portal.enter_code(client, right)  # even the right code no longer opens anything
    assert after.status_code == 400 and "Too many wrong tries" in after.text
    assert _session_rows(portal) == [] and "cdportal" not in client.cookies


def test_a_malformed_code_costs_no_try_and_says_what_a_code_looks_like(portal):
    client = portal.new_client()
    portal.start(client, SOLO_PHONE)
    for typo in ("12345", "abcdef", "1234567"):
        reply = portal.enter_code(client, typo)
        assert reply.status_code == 400 and "The code is 6 digits" in reply.text
    (attempt,) = _code_rows(portal)
    assert attempt.wrong_tries == 0
    assert portal.enter_code(client, portal.last_code()).status_code == 303


def test_a_code_expires_after_five_minutes(portal):
    client = portal.new_client()
    portal.start(client, SOLO_PHONE)
    portal.clock.advance(minutes=5)
    reply = portal.enter_code(client, portal.last_code())
    assert reply.status_code == 400 and "This code has expired" in reply.text
    assert _session_rows(portal) == []


def test_a_code_just_inside_five_minutes_still_works(portal):
    client = portal.new_client()
    portal.start(client, SOLO_PHONE)
    portal.clock.advance(minutes=4, seconds=59)
    assert portal.enter_code(client, portal.last_code()).headers["location"] == "/portal/home"


def test_a_code_opens_one_sign_in_only(portal):
    client = portal.sign_in(SOLO_PHONE)
    reused = portal.new_client()
    reused.cookies.set("cdportal_pending", client.cookies.get("cdportal_pending") or "", path="/portal")
    assert portal.enter_code(client, portal.last_code()).status_code in (303, 400)
    assert len(_session_rows(portal)) == 1


def test_a_malformed_phone_gets_a_clear_message_and_changes_nothing(portal):
    client = portal.new_client()
    for typed in ("12345", "98950-1111x", "+1 415 555 0100", "0000000000"):
        reply = portal.start(client, typed)
        assert reply.status_code == 400
        assert "Enter a 10-digit Indian mobile number" in reply.text and 'aria-invalid="true"' in reply.text
    assert portal.gateway.requests == [] and _code_rows(portal) == []


def test_known_and_unknown_phones_get_the_same_pages_and_only_the_known_one_a_code(portal):
    def flow(phone: str) -> tuple:
        client = portal.new_client()
        started = portal.start(client, phone)
        page = client.get("/portal/verify").text
        wrong = portal.enter_code(client, "000000")
        normalise = re.compile(r'value="[^"]+"|ending \d{4}')
        return (started.status_code, started.headers["location"], normalise.sub("", page), wrong.status_code,
                normalise.sub("", wrong.text))

    assert flow(SOLO_PHONE) == flow(UNKNOWN_PHONE)
    assert [body["to"] for _headers, body in portal.gateway.requests] == [SOLO_PHONE]
    assert {row.phone_last4 for row in _code_rows(portal)} == {SOLO_PHONE[-4:], UNKNOWN_PHONE[-4:]}


def test_a_guessed_code_never_opens_an_unknown_phone(portal):
    client = portal.new_client()
    portal.start(client, UNKNOWN_PHONE)
    (attempt,) = _code_rows(portal)
    assert attempt.records == []
    for guess in ("000000", "123456", "999999"):
        assert portal.enter_code(client, guess).status_code == 400
    assert _session_rows(portal) == []


def test_a_parent_sees_their_own_record_and_their_childs_but_not_an_adult_childs(portal):
    client = portal.new_client()
    portal.start(client, OWN_PHONE)
    reply = portal.enter_code(client, portal.last_code())
    assert reply.headers["location"] == "/portal/choose"
    home = client.get("/portal/home", follow_redirects=False)  # no record chosen yet: the chooser first
    assert home.status_code == 303 and home.headers["location"] == "/portal/choose"

    chooser = client.get("/portal/choose")
    assert chooser.status_code == 200
    assert "Asha Menon" in chooser.text and "Kiran Menon" in chooser.text and "Arjun" not in chooser.text
    assert chooser.text.index("Asha Menon") < chooser.text.index("Kiran Menon")
    assert chooser.text.count("as parent or guardian") == 1 and "Sukham Kochi" in chooser.text
    assert chooser.text.count('<input type="radio"') == chooser.text.count("<label for=\"record-") == 2

    (row,) = _session_rows(portal)
    assert [(r["patient_id"], r["as_guardian"]) for r in row.records] == [(ASHA, False), (KIRAN, True)]
    assert ARJUN not in repr(row.records)
    chosen = client.post("/portal/choose", data={"record": "1", "csrf": portal.csrf_of(client, "/portal/choose")},
                         follow_redirects=False)
    assert chosen.headers["location"] == "/portal/home"
    (row,) = _session_rows(portal)
    assert (row.patient_id, row.as_guardian) == (KIRAN, True)


def test_the_chooser_refuses_a_record_it_did_not_offer_and_keeps_the_session_unchosen(portal):
    client = portal.new_client()
    portal.start(client, OWN_PHONE)
    portal.enter_code(client, portal.last_code())
    csrf = portal.csrf_of(client, "/portal/choose")
    for value in ("2", "-1", "x", "", MEERA):
        refused = client.post("/portal/choose", data={"record": value, "csrf": csrf}, follow_redirects=False)
        assert refused.status_code == 400 and "Choose one of the records listed" in refused.text
    (row,) = _session_rows(portal)
    assert row.patient_id is None and row.centre_id is None


def test_a_signed_in_parent_can_switch_to_the_other_record(portal):
    client = portal.sign_in(OWN_PHONE, record=0)
    (row,) = _session_rows(portal)
    assert row.patient_id == ASHA
    switched = client.post("/portal/choose", data={"record": "1", "csrf": portal.session_csrf(client)},
                           follow_redirects=False)
    assert switched.status_code == 303
    (row,) = _session_rows(portal)
    assert (row.patient_id, row.as_guardian) == (KIRAN, True)


def test_verify_without_a_started_sign_in_goes_back_to_the_phone_page(portal):
    client = portal.new_client()
    reply = client.get("/portal/verify", follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == "/portal/sign-in"


def test_the_chooser_offers_sign_out(portal):
    client = portal.new_client()
    portal.start(client, OWN_PHONE)
    portal.enter_code(client, portal.last_code())
    csrf = portal.csrf_of(client, "/portal/choose")
    assert 'action="/portal/sign-out"' in client.get("/portal/choose").text
    signed_out = client.post("/portal/sign-out", data={"csrf": csrf}, follow_redirects=False)
    assert signed_out.headers["location"] == "/portal/sign-in?signed_out=1"
    (row,) = _session_rows(portal)
    assert row.end_reason == "signed-out"
