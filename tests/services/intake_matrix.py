"""Permission-matrix calls for enquiries, lab results, the patient timeline and intake forms."""

import itertools
from datetime import UTC, date, datetime

from clinicdesk.domain.labs import LabEntry
from clinicdesk.domain.leads import LeadDraft
from clinicdesk.domain.roles import Action, Role
from clinicdesk.services import intake_forms, lab_results, leads, patient_timeline
from tests.services.helpers import patient_draft

_numbers = itertools.count(1)
ANSWERS = {"chief_complaint": "Back pain", "severity": 5, "diabetes": False, "hypertension": False,
           "diet": "Vegetarian"}
HB = LabEntry("Haemoglobin", date(2026, 11, 20), "13.1", "g/dL")


def _lead(w) -> str:
    """A fresh enquiry for each call, so a move never meets a lead an earlier call already moved."""
    n = next(_numbers)
    lead_id, _ = leads.create_lead(w.ctx(Role.ADMIN), LeadDraft(name=f"Matrix Lead {chr(65 + n % 26)}",
                                                                phone=f"98{n:08d}", source="camp"))
    return lead_id


def _response(w) -> str:
    if "intake_response" not in w.ids:
        w.ids["intake_response"], _ = intake_forms.fill_form(w.ctx(Role.ADMIN), w.ids["patient"], "general_intake",
                                                             1, ANSWERS)
    return w.ids["intake_response"]


def registry() -> dict[Action, dict[str, object]]:
    p = "patient"
    return {
        Action.LEAD_VIEW: {
            "leads.list_leads": lambda c, w: leads.list_leads(c, source="camp"),
            "leads.intervention_queue": lambda c, w: leads.intervention_queue(c),
            "leads.get_lead": lambda c, w: leads.get_lead(c, _lead(w)),
            "leads.patient_draft_for": lambda c, w: leads.patient_draft_for(c, _lead(w)),
            "leads.conversion_funnel": lambda c, w: leads.conversion_funnel(
                c, since=datetime(2026, 1, 1, tzinfo=UTC), until=datetime(2027, 1, 1, tzinfo=UTC))},
        Action.LEAD_WORK: {
            "leads.create_lead": lambda c, w: leads.create_lead(c, LeadDraft(name="Walk In", phone="9847011111")),
            "leads.move_lead": lambda c, w: leads.move_lead(c, _lead(w), "contact", note="called"),
            "leads.assign_lead": lambda c, w: leads.assign_lead(c, _lead(w), w.users[Role.CUSTOMER_RELATIONS].staff_id),
            "leads.convert_to_patient": lambda c, w: leads.convert_to_patient(
                c, _lead(w), patient_draft(given_name="Converted", phone=f"97{next(_numbers):08d}"),
                allow_duplicate=True),
            "leads.convert_to_existing_patient": lambda c, w: leads.convert_to_existing_patient(
                c, _lead(w), w.ids[p])},
        Action.LAB_RECORD: {
            "lab_results.record_lab_result": lambda c, w: lab_results.record_lab_result(c, w.ids[p], HB)},
        Action.LAB_VIEW: {
            "lab_results.list_lab_results": lambda c, w: lab_results.list_lab_results(c, w.ids[p]),
            "lab_results.trend_for_test": lambda c, w: lab_results.trend_for_test(c, w.ids[p], "Haemoglobin")},
        Action.FORM_FILL: {
            "intake_forms.available_forms": lambda c, w: intake_forms.available_forms(c),
            "intake_forms.fill_form": lambda c, w: intake_forms.fill_form(c, w.ids[p], "general_intake", 1, ANSWERS)},
        Action.PATIENT_VIEW: {
            "patient_timeline.load_timeline": lambda c, w: patient_timeline.load_timeline(c, w.ids[p]),
            "intake_forms.list_filled_forms": lambda c, w: intake_forms.list_filled_forms(c, w.ids[p])},
        Action.PATIENT_DOCUMENT_VIEW: {
            "intake_forms.open_filled_form": lambda c, w: intake_forms.open_filled_form(c, w.ids[p], _response(w))},
        Action.PATIENT_PRINT: {
            "intake_forms.filled_form_pdf": lambda c, w: intake_forms.filled_form_pdf(c, w.ids[p], _response(w))},
    }
