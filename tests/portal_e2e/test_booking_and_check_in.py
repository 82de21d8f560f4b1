"""A patient books a session on the phone (pending until the desk syncs and its auto-approval confirms it), and
reports how they feel after a session (the desk's next sync has the outcome report)."""

from sqlalchemy import select

from clinicdesk.server.portal.rendering import translate
from clinicdesk.store.models_therapy import OutcomeReportRow

NOTE = "Evenings suit me better"


def _book_first_free_start(page, portal_world, service_id: str) -> None:
    page.goto(portal_world.portal_url + "/book")
    page.select_option("#booking-service", service_id)
    page.locator("form[method=get]", has=page.locator("#booking-service")).locator("button").click()
    page.locator("#booking-day").wait_for()
    page.locator("form[method=get]", has=page.locator("#booking-day")).locator("button").click()
    page.locator("#booking-start-1").check()
    page.fill("#booking-note", NOTE)
    page.locator("form[action='/portal/book'][method=post] button[type=submit]").click()
    page.wait_for_url("**/portal/appointments**")


def test_a_booking_is_pending_until_the_desk_syncs_and_then_shows_confirmed(patient_page, portal_world):
    service_id = portal_world.desk.services["SHI"]
    _book_first_free_start(patient_page, portal_world, service_id)
    assert patient_page.get_by_role("status").inner_text().strip() == translate("en", "booking.done.requested")
    requests = patient_page.locator("#requests-heading + ul")
    assert requests.get_by_text(translate("en", "booking.request.pending"), exact=True).is_visible()
    [request] = [row for row in portal_world.hq_rows("portal_requests")
                 if row["service_id"] == service_id and row["note"] == NOTE]
    assert (request["patient_id"], request["kind"], request["status"]) == (portal_world.desk.patient_id, "book",
                                                                          "pending")

    summary = portal_world.connected.sync()  # pulls the request, auto-approves it, pushes the decision
    assert summary.rejected == 0

    decided = next(row for row in portal_world.hq_rows("portal_requests") if row["id"] == request["id"])
    assert decided["status"] == "confirmed" and decided["decided_by"] == "auto", decided["decision_note"]
    patient_page.reload()
    assert requests.get_by_text(translate("en", "booking.request.confirmed"), exact=True).is_visible()
    appointment_id = decided["result_appointment_id"]
    appointment = patient_page.locator(f"#appt-{appointment_id}")
    assert appointment.get_by_text(translate("en", "booking.status.confirmed"), exact=True).is_visible()
    # the check-in QR code for the desk: on the page for the next appointment, a link away for a later one
    code_link = patient_page.get_by_role("link", name=translate("en", "booking.show_code")).and_(
        patient_page.locator(f"a[href='/portal/appointments/{appointment_id}/code']"))
    if code_link.count():
        code_link.click()
        patient_page.wait_for_url(f"**/portal/appointments/{appointment_id}/code")
    code = patient_page.locator(f"img[src='/portal/appointments/{appointment_id}/qr.svg']")
    assert code.count() == 1 and code.evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_check_in_after_a_session_reaches_the_desk_as_an_outcome_report(patient_page, portal_world):
    patient_page.goto(portal_world.portal_url + "/home")
    link = patient_page.get_by_role("link", name=translate("en", "home.checkin.link")).first
    session_id = link.get_attribute("href").rsplit("/", 1)[1]
    link.click()
    patient_page.locator("select[name^='score_']").first.select_option("3")
    for field, score in (("energy", "7"), ("sleep", "6"), ("digestion", "5")):
        patient_page.select_option(f"#{field}", score)
    patient_page.fill("#side_effects", "Mild tiredness in the evening")
    patient_page.locator(f"form[action='/portal/check-in/{session_id}'] button[type=submit]").click()
    assert patient_page.get_by_role("heading", level=1).inner_text().strip() == translate("en", "checkin.thanks_title")

    assert portal_world.connected.sync().rejected == 0
    with portal_world.desk.db.session() as session:
        report = session.scalars(select(OutcomeReportRow).where(OutcomeReportRow.session_id == session_id,
                                                                OutcomeReportRow.by_staff_id.is_(None))).one()
        assert (report.energy, report.sleep, report.digestion) == (7, 6, 5)
        assert report.side_effects == "Mild tiredness in the evening"
