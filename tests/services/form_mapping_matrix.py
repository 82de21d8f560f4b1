"""Permission-matrix calls for the assessment and consents filled as versioned forms (the chart's own actions)."""

from clinicdesk.domain.roles import Action
from clinicdesk.services.assessment_form import record_assessment_form
from clinicdesk.services.consent_forms import record_procedure_consent_form, record_registration_consents
from tests.services.therapy_world import PNG

ASSESSMENT = {"frame": "vata", "skin": "pitta", "hair": "kapha", "appetite": "vata", "digestion": "pitta",
              "sleep": "kapha", "agni": "sama (balanced)"}
REGISTRATION = {"treatment": True, "data_processing": True, "recording": True, "method": "verbal"}
PROCEDURE = {"procedures": True, "typed_name": "Guardian", "on_behalf": True, "signature": PNG}


def registry(floor_of) -> dict[Action, dict[str, object]]:
    p = "patient"
    return {
        Action.PATIENT_ASSESS: {
            "assessment_form.record_assessment_form": lambda c, w: record_assessment_form(c, w.ids[p], ASSESSMENT)},
        Action.PATIENT_CONSENT: {
            "consent_forms.record_registration_consents": lambda c, w: record_registration_consents(
                c, w.ids[p], REGISTRATION)},
        Action.THERAPY_CONSENT: {
            "consent_forms.record_procedure_consent_form": lambda c, w: record_procedure_consent_form(
                c, floor_of(w).small_plan(), PROCEDURE)},
    }
