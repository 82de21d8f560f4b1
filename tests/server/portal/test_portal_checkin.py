"""Check-in after a session and the session's feedback form in the portal: only the patient's own run sessions of
the last three days, the domain's validation with messages in the page's language, rows written through the portal
writer as synced row states (outcome_reports, feedback), "Thank you", the report in progress, and audit entries."""

import re

import pytest
from sqlalchemy import select

from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.server.portal.writer import PORTAL_DEVICE_ID
from clinicdesk.server.sync_models import RowStateRow
from tests.server.portal.conftest import ASHA, KOCHI, OWN_PHONE
from tests.server.portal.home_seed import PLAN_A, S_ABH, S_ARJUN, S_RAVI, S_SNEHA, S_VIR, STAFF, seed_courses


@pytest.fixture
def asha(portal):
    seed_courses(portal)
    return portal.sign_in(OWN_PHONE, record=0)


def written(portal, table: str) -> list[RowStateRow]:
    """Rows the portal device wrote (a seeded row's stamps name the seed, not the portal)."""
    with portal.transaction(KOCHI) as session:
        states = session.scalars(select(RowStateRow).where(RowStateRow.centre_id == KOCHI,
                                                           RowStateRow.table_name == table))
        return [s for s in states if {HlcStamp.parse(t).node for t in s.field_stamps.values()} == {PORTAL_DEVICE_ID}]


def post(portal, client, path: str, data: dict):
    return client.post(path, data={**data, "csrf": portal.csrf_of(client, "/portal/home")})


def test_the_form_asks_for_the_symptoms_this_course_was_scored_on(asha):
    page = asha.get(f"/portal/check-in/{S_ABH}")
    assert page.status_code == 200
    assert "After your Abhyanga (full-body oil massage) on Wed 25 Nov 2026" in page.text
    assert '<label for="score_0">Joint pain</label>' in page.text
    assert '<label for="score_1">Stiffness</label>' in page.text
    for field in ("other_name", "other_score", "energy", "sleep", "digestion", "side_effects"):
        assert f'<label for="{field}">' in page.text and f'id="{field}"' in page.text
    assert 'name="csrf"' in page.text


def test_a_check_in_is_written_as_an_outcome_report_and_shows_in_progress(asha, portal):
    reply = post(portal, asha, f"/portal/check-in/{S_ABH}",
                 {"score_0": "5", "score_1": "3", "other_name": "Headache", "other_score": "2", "energy": "7",
                  "sleep": "", "digestion": "8", "side_effects": "  A little tired  "})
    assert reply.status_code == 200, reply.text
    assert "Thank you" in reply.text
    [state] = written(portal, "outcome_reports")
    assert state.field_values == {
        "plan_id": PLAN_A, "session_id": S_ABH, "symptom_scores": {"Joint pain": 5, "Stiffness": 3, "Headache": 2},
        "energy": 7, "sleep": None, "digestion": 8, "side_effects": "A little tired",
        "at": "2026-11-26T04:30:00+00:00", "by_staff_id": None}
    progress = asha.get("/portal/progress").text
    # reported on 26 Nov, day 7 of the course
    assert re.search(r'data-series="Joint pain">.*?data-x="7" data-y="5"', progress, re.S)
    assert re.search(r'data-series="Headache">.*?data-x="7" data-y="2"', progress, re.S)
    assert "A little tired" in progress
    # offered once: the home page no longer offers it, and the form says it was done
    assert f"/portal/check-in/{S_ABH}" not in asha.get("/portal/home").text
    again = asha.get(f"/portal/check-in/{S_ABH}")
    assert again.status_code == 409 and "already told us" in again.text
    assert post(portal, asha, f"/portal/check-in/{S_ABH}", {"score_0": "1"}).status_code == 409
    assert len(written(portal, "outcome_reports")) == 1
    actions = [row.action for row in portal.audit_rows()]
    assert "checkin.view" in actions and "checkin.submit" in actions


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Score at least one symptom, or your energy, sleep or digestion."),
    ({"score_0": "11"}, "Choose a score from 0 to 10."),
    ({"energy": "lots"}, "Choose a score from 0 to 10."),
    ({"other_name": "Headache"}, "Give the other symptom both a name and a score."),
    ({"other_name": "x" * 61, "other_score": "3"}, "Name the symptom in 1 to 60 characters."),
    ({"score_0": "4", "side_effects": "y" * 1001}, "Write at most 1,000 characters about side effects."),
])
def test_bad_input_re_shows_the_form_with_a_specific_message_and_writes_nothing(asha, portal, data, message):
    reply = post(portal, asha, f"/portal/check-in/{S_ABH}", data)
    assert reply.status_code == 422
    assert message in reply.text
    assert '<select id="score_0"' in reply.text  # the form again
    assert written(portal, "outcome_reports") == []


def test_what_was_typed_stays_in_the_form_after_an_error(asha, portal):
    reply = post(portal, asha, f"/portal/check-in/{S_ABH}",
                 {"score_1": "6", "other_name": "Head<b>ache", "side_effects": "Sore <script>"})
    assert reply.status_code == 422
    assert '<option value="6" selected>' in reply.text
    assert 'value="Head&lt;b&gt;ache"' in reply.text and "Sore &lt;script&gt;" in reply.text


def test_messages_follow_the_page_language(asha, portal):
    asha.post("/portal/language", data={"language": "ml", "next": "/portal/home",
                                        "csrf": portal.csrf_of(asha, "/portal/home")})
    reply = post(portal, asha, f"/portal/check-in/{S_ABH}", {"score_0": "12"})
    assert reply.status_code == 422
    assert '<html lang="ml">' in reply.text and "0 മുതൽ 10 വരെയുള്ള സ്കോർ തിരഞ്ഞെടുക്കുക." in reply.text


def test_another_patients_sessions_are_not_found(asha, portal):
    for session_id in (S_ARJUN, S_RAVI, "not-a-session"):  # same centre, other centre, nonsense
        assert asha.get(f"/portal/check-in/{session_id}").status_code == 404
        assert asha.get(f"/portal/feedback/{session_id}").status_code == 404
        assert post(portal, asha, f"/portal/check-in/{session_id}", {"score_0": "3"}).status_code == 404
        assert post(portal, asha, f"/portal/feedback/{session_id}", {"overall": "3"}).status_code == 404
    assert written(portal, "outcome_reports") == [] and written(portal, "feedback") == []


def test_a_check_in_is_open_only_after_a_session_and_for_three_days(asha, portal):
    not_run = asha.get(f"/portal/check-in/{S_VIR}")
    assert not_run.status_code == 409 and "has not taken place yet" in not_run.text
    closed = asha.get(f"/portal/check-in/{S_SNEHA}")  # five days ago
    assert closed.status_code == 409 and "open for 3 days" in closed.text
    assert post(portal, asha, f"/portal/check-in/{S_SNEHA}", {"score_0": "3"}).status_code == 409
    assert written(portal, "outcome_reports") == []


def test_a_csrf_less_post_changes_nothing(asha, portal):
    reply = asha.post(f"/portal/check-in/{S_ABH}", data={"score_0": "3"})
    assert reply.status_code == 403
    assert written(portal, "outcome_reports") == []


# --- feedback -------------------------------------------------------------------------------------------------------

RATINGS = {"effectiveness": "4", "practitioner": "5", "facility": "3", "staff": "4", "value": "4", "overall": "4"}


def test_feedback_is_written_as_the_desk_writes_it(asha, portal):
    page = asha.get(f"/portal/feedback/{S_ABH}")
    assert page.status_code == 200
    assert '<legend>Treatment effectiveness</legend>' in page.text and '<label for="recommend">' in page.text
    reply = post(portal, asha, f"/portal/feedback/{S_ABH}", {**RATINGS, "recommend": "9", "comment": " Kind staff "})
    assert reply.status_code == 200 and "Thank you for your rating" in reply.text
    [state] = written(portal, "feedback")
    assert state.field_values == {
        "centre_id": KOCHI, "scope": "session", "anonymous": False, "patient_id": ASHA, "plan_id": PLAN_A,
        "session_id": S_ABH, "practitioner_id": STAFF, "therapy": "abhyanga", "effectiveness": 4, "practitioner": 5,
        "facility": 3, "staff": 4, "value": 4, "overall": 4, "recommend": 9, "comment": "Kind staff",
        "submitted_at": "2026-11-26T04:30:00+00:00"}
    again = asha.get(f"/portal/feedback/{S_ABH}")
    assert again.status_code == 409 and "already rated" in again.text
    assert "feedback.submit" in [row.action for row in portal.audit_rows()]


def test_anonymous_feedback_keeps_no_link_to_the_patient(asha, portal):
    reply = post(portal, asha, f"/portal/feedback/{S_ABH}", {**RATINGS, "recommend": "7", "anonymous": "1"})
    assert reply.status_code == 200
    [state] = written(portal, "feedback")
    values = state.field_values
    assert (values["anonymous"], values["patient_id"], values["plan_id"], values["session_id"]) == (True, None, None,
                                                                                                    None)
    assert values["practitioner_id"] == STAFF and values["therapy"] == "abhyanga"


def test_feedback_with_a_missing_rating_is_re_shown_with_its_message(asha, portal):
    reply = post(portal, asha, f"/portal/feedback/{S_ABH}",
                 {**RATINGS, "overall": "", "recommend": "11", "comment": "Good"})
    assert reply.status_code == 422
    assert "Overall: Choose a rating from 1 to 5." in reply.text
    assert "Choose a score from 0 to 10." in reply.text
    assert 'id="practitioner-5" name="practitioner" value="5" checked' in reply.text
    assert ">Good</textarea>" in reply.text
    assert written(portal, "feedback") == []


def test_feedback_waits_until_the_session_was_run(asha):
    reply = asha.get(f"/portal/feedback/{S_VIR}")
    assert reply.status_code == 409 and "You can rate it afterwards" in reply.text
