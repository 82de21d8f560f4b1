"""The Enquiries page and the funnel: take a lead, move it with history, convert it, and read the funnel."""

from datetime import date

from PySide6.QtCore import QDate

from clinicdesk.domain.leads import Event, LeadDraft
from clinicdesk.domain.roles import Role
from clinicdesk.services import leads
from clinicdesk.ui.leads.funnel_page import FunnelPage
from clinicdesk.ui.leads.leads_page import LeadsPage


def _page(qtbot, app) -> LeadsPage:
    page = LeadsPage(app)
    qtbot.addWidget(page)
    page.show()
    return page


def test_a_new_enquiry_is_saved_listed_and_its_history_shown(qtbot, app_for_role):
    page = _page(qtbot, app_for_role(Role.FRONT_DESK))
    dialog = page.open_new()
    dialog.name.setText("Ravi Kumar")
    dialog.save()
    assert "Contact needs a phone number or an email" in dialog.banner.text() and dialog.isVisible()
    dialog.phone.setText("98470 12345")
    dialog.interest.setText("Abhyanga")
    dialog.save()
    assert not dialog.isVisible()
    assert [page.model.index(r, 1).data() for r in range(page.model.rowCount())] == ["Ravi Kumar"]
    assert page.model.index(0, 5).data() == "New enquiry"
    assert "Enquiry taken" in page.history.toPlainText()
    page.note.setText("Called, will decide after Diwali")
    page.move_selected(Event.CONTACT)
    assert page.model.index(0, 5).data() == "Contacted"
    assert "(New enquiry → Contacted): Called, will decide after Diwali" in page.history.toPlainText()


def test_sending_to_customer_relations_needs_a_reason_and_joins_the_queue(qtbot, app_for_role):
    desk = app_for_role(Role.FRONT_DESK)
    lead_id, _ = leads.create_lead(desk.ctx, LeadDraft(name="Meera Das", phone="9847011111"))
    leads.move_lead(desk.ctx, lead_id, "contact")
    page = _page(qtbot, desk)
    page.move_selected(Event.HESITATE)
    assert page.banner.isVisible() and "Why hesitating is required" in page.banner.text()
    page.note.setText("worried about the cost")
    page.move_selected(Event.HESITATE)
    officer_page = _page(qtbot, app_for_role(Role.CUSTOMER_RELATIONS))
    officer_page.queue.setChecked(True)
    assert [officer_page.model.index(r, 1).data() for r in range(officer_page.model.rowCount())] == ["Meera Das"]
    assert not officer_page.move_buttons[Event.HESITATE].isEnabled()
    assert officer_page.convert_button.isEnabled()


def test_convert_prefills_registers_and_closes_the_enquiry(qtbot, app_for_role):
    desk = app_for_role(Role.FRONT_DESK)
    leads.create_lead(desk.ctx, LeadDraft(name="Lata Menon", phone="9847022222", interest="Shirodhara"))
    page = _page(qtbot, desk)
    page.open_convert()
    dialog = page.dialog
    assert (dialog.given.text(), dialog.family.text(), dialog.phone.text()) == ("Lata", "Menon", "9847022222")
    dialog.dob.setDate(QDate(1979, 5, 14))
    dialog.book_next.setChecked(False)
    dialog.convert()
    assert dialog.patient_id and not dialog.isVisible()
    assert page.model.index(0, 5).data() == "Converted"
    assert not page.convert_button.isEnabled()


def test_the_funnel_shows_counts_rates_and_sources(qtbot, app_for_role):
    desk = app_for_role(Role.FRONT_DESK)
    for n, source in enumerate(("ads", "ads", "camp")):
        lead_id, _ = leads.create_lead(desk.ctx, LeadDraft(name=f"Person {'ABC'[n]}", phone=f"984700000{n}",
                                                           source=source))
        if n == 0:
            leads.move_lead(desk.ctx, lead_id, "contact")
    page = FunnelPage(desk)
    qtbot.addWidget(page)
    assert "3 enquiries" in page.summary.text() and "overall conversion 0%" in page.summary.text()
    assert [s.reached for s in page.chart.funnel.stages] == [3, 1, 0]
    rows = {page.model.index(r, 0).data(): page.model.index(r, 1).data() for r in range(page.model.rowCount())}
    assert rows["Ads"] == "2" and rows["Camp"] == "1"
    page.start.setDate(QDate(2026, 12, 1))
    page.end.setDate(QDate(2026, 12, 31))
    page.refresh()
    assert page.funnel.total == 0 and date(2026, 11, 26) < date(2026, 12, 1)
