"""A patient signs in on a phone with the code the SMS gateway got, sees the countdown to the next session, can
do it with the keyboard alone, in Hindi or Malayalam, and the pages pass basic accessibility checks."""

import re

from clinicdesk.server.portal.rendering import translate
from tests.portal_e2e.accessibility import FOCUS_IS_VISIBLE, problems_on
from tests.portal_e2e.conftest import screenshot, sign_in

SIGNED_IN_PAGES = ("/home", "/appointments", "/book", "/records", "/progress")


def test_the_code_from_the_sms_signs_the_patient_in_and_home_counts_down_to_the_next_session(page, portal_world):
    sign_in(page, portal_world)
    page.goto(portal_world.portal_url + "/home")
    countdown = page.locator(".countdown")
    countdown.wait_for()
    assert re.search(r"\d", countdown.inner_text()), "the countdown shows no number"
    assert page.get_by_role("heading", name=translate("en", "home.next.heading")).is_visible()
    texts = portal_world.sms.texts_to(portal_world.phone)
    assert texts and all(portal_world.phone not in text for text in texts), "the SMS must not repeat the number"


def test_a_wrong_code_is_refused_with_a_sentence_and_signs_nobody_in(page, portal_world):
    page.goto(portal_world.portal_url + "/sign-in")
    page.fill("#phone", portal_world.phone)
    page.locator("form[action='/portal/sign-in'] button[type=submit]").click()
    page.wait_for_url("**/portal/verify**")
    real = portal_world.sms.latest_code(portal_world.phone)
    page.fill("#code", "000000" if real != "000000" else "111111")
    page.locator("form[action='/portal/verify'] button[type=submit]").click()
    assert page.get_by_role("alert").inner_text().strip() == translate("en", "signin.code_wrong")
    page.goto(portal_world.portal_url + "/home")
    assert "/portal/sign-in" in page.url


def test_keyboard_alone_reaches_the_send_code_button_with_a_visible_focus_ring(page, portal_world):
    page.goto(portal_world.portal_url + "/sign-in")
    button = page.locator("form[action='/portal/sign-in'] button[type=submit]")
    for _press in range(12):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
        if page.evaluate("document.activeElement.id") == "phone":
            page.keyboard.type(portal_world.phone)
    else:
        raise AssertionError("Tab never reached the send-code button")
    assert page.evaluate(FOCUS_IS_VISIBLE), "the focused button shows no focus ring"
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/verify**")  # the phone typed on the way was sent with the keyboard alone


def test_signed_in_pages_pass_basic_accessibility_checks(patient_page, page, portal_world):
    page.goto(portal_world.portal_url + "/sign-in")
    problems = {"/sign-in": problems_on(page)}
    for path in SIGNED_IN_PAGES:
        response = patient_page.goto(portal_world.portal_url + path)
        assert response.status == 200, f"{path} answered {response.status}"
        problems[path] = problems_on(patient_page)
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_portal_speaks_hindi_and_malayalam_after_a_language_switch(page, portal_world):
    sign_in(page, portal_world)
    for language in ("hi", "ml", "en"):
        page.goto(portal_world.portal_url + "/records")
        page.select_option("#language-choice", language)
        page.locator("form[action='/portal/language'] button[type=submit]").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == language
        assert page.get_by_role("heading", level=1).inner_text().strip() == translate(language, "records.title")
        nav = page.get_by_role("navigation")
        assert nav.get_by_role("link", name=translate(language, "nav.home")).is_visible()
        page.goto(portal_world.portal_url + "/home")  # the choice stays with the session, page after page
        assert page.evaluate("document.documentElement.lang") == language
        if language != "en":
            screenshot(page, f"home-{language}")


def test_signing_in_and_booking_work_with_javascript_turned_off(phone_context, portal_world):
    page = phone_context(javascript=False).new_page()
    sign_in(page, portal_world)
    page.goto(portal_world.portal_url + "/book")
    page.select_option("#booking-service", portal_world.desk.services["CON-FU"])
    page.locator("form[method=get]", has=page.locator("#booking-service")).locator("button").click()
    page.locator("form[method=get]", has=page.locator("#booking-day")).locator("button").click()
    assert page.locator("input[name=start]").count() > 0  # every step is a plain form: no script needed
