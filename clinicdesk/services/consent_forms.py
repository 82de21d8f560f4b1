"""Consents given through versioned forms: registration consents and the Panchakarma procedure consent.

The form response (statements, method, typed name, signature) is sealed like any intake form; each ticked statement
becomes the consent row the rest of the app reads (patient_consents, procedure_consents), in the same transaction.
"""

from sqlalchemy import select

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.form_mappings import consent_fields, consent_text_version
from clinicdesk.domain.intake_forms import FormDefinition, signature_png, validate_answers
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.intake_forms import definition, newest_definition, store_response_in
from clinicdesk.services.patient_records import add_consent_in
from clinicdesk.services.procedure_consent import add_procedure_consent_in
from clinicdesk.services.therapy_records import get_plan
from clinicdesk.store.models import ConsentRow

REGISTRATION_CONSENT_FORM = "registration_consents"
PROCEDURE_CONSENT_FORM = "procedure_consent"


def consent_form(form_key: str, version: int | None = None) -> FormDefinition:
    """The form a consent screen shows: the newest installed version unless one is asked for."""
    return newest_definition(form_key) if version is None else definition(form_key, version)


def record_registration_consents(ctx: ServiceContext, patient_id: str, answers: dict[str, object], *,
                                 version: int | None = None, filled_on: str = "desk") -> tuple[str, Changes]:
    """One consent row per ticked statement (skipping one already in force for the same text); the response id.

    A required statement left unticked, or a consent "signed here on screen" without a signature, is refused
    and nothing is written.
    """
    user = ctx.authorise(Action.PATIENT_CONSENT, entity="patient", entity_id=patient_id)
    form = consent_form(REGISTRATION_CONSENT_FORM, version)
    clean = validate_answers(form, answers)
    fields = consent_fields(form, clean)
    if fields.method == "digital" and not fields.signature:
        labels = {q.key: q.label for q in form.questions()}
        raise ValidationError({"signature": "is missing: ask the patient to sign in the box, or choose how else "
                                            "the consent was given"}, labels)
    text_version = consent_text_version(form)
    with ctx.unit_of_work() as session:
        in_force = set(session.scalars(select(ConsentRow.kind).where(
            ConsentRow.patient_id == patient_id, ConsentRow.version == text_version,
            ConsentRow.withdrawn_at.is_(None))))
        for kind in fields.given:
            if kind not in in_force:
                add_consent_in(ctx, session, patient_id, user.staff_id, kind=kind, version=text_version,
                               method=fields.method)
        response_id = store_response_in(ctx, session, patient_id, form, clean, filled_by=user.staff_id,
                                        filled_on=filled_on)
    return response_id, Changes(patients=True)


def record_procedure_consent_form(ctx: ServiceContext, plan_id: str, answers: dict[str, object], *,
                                  version: int | None = None, filled_on: str = "tablet") -> tuple[str, Changes]:
    """The care plan's procedure consent from its form: statement ticked, typed name, drawn signature, and a staff
    witness when someone signs on the patient's behalf; returns the procedure consent id."""
    user = ctx.authorise(Action.THERAPY_CONSENT, entity="care_plan", entity_id=plan_id)
    form = consent_form(PROCEDURE_CONSENT_FORM, version)
    clean = validate_answers(form, answers)
    fields = consent_fields(form, clean)
    with ctx.unit_of_work(write_lock=True) as session:
        plan = get_plan(session, plan_id)
        consent_id = add_procedure_consent_in(
            ctx, session, plan_id, fields.typed_name, signature_png(fields.signature), consent_text_version(form),
            recorded_by=user.staff_id, witness_id=user.staff_id if fields.on_behalf else None)
        store_response_in(ctx, session, plan.patient_id, form, clean, filled_by=user.staff_id, filled_on=filled_on)
    return consent_id, Changes(therapy=True, patients=True)
