"""The portal's home and progress pages over synced rows: countdown for a fixed clock in the centre's time, course
milestones, today's advice, upcoming appointments, check-in offers, the guardian's view, a kind empty state, charts
of the patient's own reports, and nothing of another patient's."""

import re

import pytest

from tests.server.portal.conftest import ASHA, KOCHI, OWN_PHONE, SOLO_PHONE, seed_rows
from tests.server.portal.home_seed import (
    APPT_CON,
    APPT_VIR,
    PLAN_A,
    S_ABH,
    S_ARJUN,
    S_RAVI,
    S_SNEHA,
    page_problems,
    plan,
    seed_courses,
)


@pytest.fixture
def asha(portal):
    seed_courses(portal)
    return portal.sign_in(OWN_PHONE, record=0)


def section(html: str, heading_id: str) -> str:
    """The text of one <section> of the page, found by its heading's id."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, f"no section {heading_id}"
    return match.group(0)


def test_home_counts_down_to_the_next_session_in_the_centres_time(asha, portal):
    page = asha.get("/portal/home")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Namaste, Asha" in page.text
    next_visit = section(page.text, "next-heading")
    # 2026-11-26 04:30 UTC -> 2026-11-28 07:30 UTC (13:00 in Kochi)
    assert '<p class="countdown" id="countdown">in 2 days, 3 hours</p>' in next_visit
    # the therapy's patient name, as the check-in card has it (translated), not the desk's service name
    assert "Virechana (therapeutic purgation) on Sat 28 Nov 2026 at 13:00" in next_visit
    assert '<time datetime="2026-11-28T13:00+05:30">' in next_visit
    portal.clock.advance(days=2, hours=2, minutes=15)
    later = portal.sign_in(OWN_PHONE, record=0)  # the first session timed out meanwhile
    assert "in 45 minutes" in section(later.get("/portal/home").text, "next-heading")


def test_home_shows_the_current_phase_and_milestones(asha):
    course = section(asha.get("/portal/home").text, "course-heading")
    assert "Classic Panchakarma" in course and "Day 7 of your course" in course
    assert "Now: Preparation (purvakarma)" in course
    states = re.findall(r'<li class="(done|current|next)"[^>]*>\s*([^<]+?) <span', course)
    assert states == [("current", "Preparation (purvakarma)"), ("next", "Main cleansing (pradhanakarma)"),
                      ("next", "Recovery (paschatkarma)")]
    assert "Sat 21 Nov 2026 to Thu 26 Nov 2026" in course  # day offsets 1..6 of a course started on the 20th
    assert "2 of 3 sessions done" in course
    assert "Sat 28 Nov 2026 · 0 of 1 sessions done" in course  # a one-day phase names its day once


def test_a_course_completed_at_the_desk_is_shown_as_complete(portal):
    seed_courses(portal)
    with portal.transaction(KOCHI) as tx:  # the doctor closed the course early
        seed_rows(tx, {(KOCHI, "care_plans", PLAN_A): {**plan(KOCHI, ASHA, "Classic Panchakarma", "2026-11-20"),
                                                       "status": "completed"}})
    course = section(portal.sign_in(OWN_PHONE, record=0).get("/portal/home").text, "course-heading")
    assert "You have completed this course." in course and "Day 7 of your course" not in course


def test_home_gives_todays_advice_for_the_therapy_and_the_phase(asha):
    advice = section(asha.get("/portal/home").text, "guidance-heading")
    assert "Before your Swedana (herbal steam) today" in advice
    assert "Tell the therapist about high blood pressure" in advice
    assert "During Preparation (purvakarma)" in advice
    assert "No day sleep during oleation days" in advice


def test_home_lists_upcoming_appointments_with_preparation(asha):
    upcoming = section(asha.get("/portal/home").text, "upcoming-heading")
    assert upcoming.index("Virechana") < upcoming.index("Doctor&#39;s consultation")
    assert "Waiting for the clinic to confirm" in upcoming  # the consultation is only requested
    assert "Keep the whole day free" in upcoming  # virechana's "before" advice
    assert 'href="/portal/appointments"' in upcoming
    assert APPT_VIR not in upcoming and APPT_CON not in upcoming  # ids are not shown


def test_home_offers_a_check_in_for_a_session_of_the_last_three_days_only(asha):
    page = asha.get("/portal/home").text
    assert f'href="/portal/check-in/{S_ABH}"' in page and f'href="/portal/feedback/{S_ABH}"' in page
    assert f"/portal/check-in/{S_SNEHA}" not in page  # five days ago
    assert S_ARJUN not in page and S_RAVI not in page


def test_home_in_hindi(asha, portal):
    csrf = portal.csrf_of(asha, "/portal/home")
    asha.post("/portal/language", data={"language": "hi", "next": "/portal/home", "csrf": csrf})
    page = asha.get("/portal/home").text
    assert '<html lang="hi">' in page
    assert "2 दिन, 3 घंटे में" in page
    assert "पूर्वकर्म (तैयारी)" in page


def test_a_guardian_sees_the_childs_name_and_a_kind_empty_state(portal):
    seed_courses(portal)
    kiran = portal.sign_in(OWN_PHONE, record=1)
    page = kiran.get("/portal/home").text
    assert "For Kiran Menon" in page
    assert "Namaste" not in page  # the greeting is for the patient, not the parent
    assert "No treatment course yet" in page and "You have no upcoming appointments." in page
    assert "Classic Panchakarma" not in page and "Virechana" not in page  # nothing of his mother's course


def test_a_patient_without_a_course_sees_upcoming_appointments(portal):
    seed_courses(portal)
    meera = portal.sign_in(SOLO_PHONE)
    page = meera.get("/portal/home").text
    assert "No treatment course yet" in page
    assert "in 1 day" in page and "Fri 27 Nov 2026, 10:00" in page
    assert "Classic Panchakarma" not in page and "Ravi" not in page


def test_home_and_progress_views_are_audited_and_the_title_names_nobody(asha, portal):
    home = asha.get("/portal/home").text
    asha.get("/portal/progress")
    title = re.search(r"<title>(.*?)</title>", home).group(1)
    assert "Asha" not in title and "Menon" not in title
    actions = [row.action for row in portal.audit_rows()]
    assert "home.view" in actions and "progress.view" in actions


def test_progress_charts_the_patients_own_reports(asha):
    page = asha.get("/portal/progress")
    assert page.status_code == 200
    html = page.text
    assert html.count('role="img"') == 2  # symptoms, and energy/sleep/digestion
    assert "<title id=" in html
    # the staff-recorded report of 21 Nov is day 2 of the course: Joint pain 7, Stiffness 6, energy 4
    assert re.search(r'data-series="Joint pain">.*?data-x="2" data-y="7"', html, re.S)
    assert re.search(r'data-series="Stiffness">.*?data-x="2" data-y="6"', html, re.S)
    assert re.search(r'data-series="Energy">.*?data-x="2" data-y="4"', html, re.S)
    table = re.search(r"<table class=\"data\">.*?</table>", html, re.S).group(0)
    assert "<th scope=\"col\">Joint pain</th>" in table and "<td>7</td>" in table


def test_progress_has_a_kind_empty_state(portal):
    seed_courses(portal)
    page = portal.sign_in(SOLO_PHONE).get("/portal/progress").text
    assert "No reports yet" in page and 'role="img"' not in page


def test_signed_out_visitors_are_sent_to_sign_in(portal):
    client = portal.new_client()
    for path in ("/portal/home", "/portal/progress", f"/portal/check-in/{S_ABH}", f"/portal/feedback/{S_ABH}"):
        reply = client.get(path, follow_redirects=False)
        assert reply.status_code == 303 and reply.headers["location"].startswith("/portal/sign-in")


def test_pages_label_every_control_and_need_no_script(asha, portal):
    for path in ("/portal/home", "/portal/progress", f"/portal/check-in/{S_ABH}", f"/portal/feedback/{S_ABH}"):
        page = asha.get(path)
        assert page.status_code == 200, path
        assert page_problems(page.text) == [], path
    invalid = asha.post(f"/portal/check-in/{S_ABH}", data={"energy": "x", "csrf": portal.csrf_of(asha, "/portal/home")})
    assert invalid.status_code == 422 and page_problems(invalid.text) == []
    assert 'aria-invalid="true" aria-describedby="energy-error"' in invalid.text


def test_the_next_session_is_named_by_its_therapy_in_the_page_language(asha):
    csrf = re.search(r'name="csrf" value="([^"]+)"', asha.get("/portal/home").text).group(1)
    asha.post("/portal/language", data={"language": "ml", "next": "/portal/home", "csrf": csrf})
    next_visit = section(asha.get("/portal/home").text, "next-heading")
    assert "വിരേചനം (ഔഷധ വയറിളക്കൽ)" in next_visit and "Virechana" not in next_visit


def test_the_menu_offers_switch_record_only_to_a_phone_with_several_records(portal, asha):
    for path in ("/portal/home", "/portal/progress", "/portal/records"):
        assert 'href="/portal/choose"' in asha.get(path).text, path
    meera = portal.sign_in(SOLO_PHONE)
    for path in ("/portal/home", "/portal/progress", "/portal/records"):
        assert 'href="/portal/choose"' not in meera.get(path).text, path
