"""The Ayurvedic assessment filled as a versioned form: answers sealed as a form response, mapped to the assessment."""

from clinicdesk.domain.form_mappings import assessment_fields
from clinicdesk.domain.intake_forms import FormDefinition, validate_answers
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.intake_forms import definition, newest_definition, store_response_in
from clinicdesk.services.patient_records import add_assessment_in

ASSESSMENT_FORM = "ayurvedic_assessment"


def assessment_form(version: int | None = None) -> FormDefinition:
    """The form the assessment screen shows: the newest installed version unless one is asked for."""
    return newest_definition(ASSESSMENT_FORM) if version is None else definition(ASSESSMENT_FORM, version)


def record_assessment_form(ctx: ServiceContext, patient_id: str, answers: dict[str, object], *,
                           version: int | None = None, filled_on: str = "desk") -> tuple[str, Changes]:
    """Check the answers against the form, then in one transaction add the scored assessment row (exactly as the
    old dialog did) and the sealed form response it came from; returns the assessment id."""
    user = ctx.authorise(Action.PATIENT_ASSESS, entity="patient", entity_id=patient_id)
    form = assessment_form(version)
    clean = validate_answers(form, answers)
    fields = assessment_fields(form, clean)
    with ctx.unit_of_work() as session:
        assessment_id = add_assessment_in(
            ctx, session, patient_id, user.staff_id, prakriti_answers=fields.prakriti_answers,
            vikriti_answers=fields.vikriti_answers, agni=fields.agni, koshta=fields.koshta, sleep=fields.sleep,
            stress=fields.stress, energy=fields.energy, notes=fields.notes)
        store_response_in(ctx, session, patient_id, form, clean, filled_by=user.staff_id, filled_on=filled_on)
    return assessment_id, Changes(patients=True)
