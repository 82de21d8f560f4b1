"""A patient's consent to a care plan's procedures: the typed name and a drawn signature, captured on the tablet."""

from sqlalchemy.orm import Session

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.signatures import signature_problem
from clinicdesk.services.therapy_dto import PlanConsentStatus
from clinicdesk.services.therapy_records import active_consent, get_plan
from clinicdesk.store.models import PatientRow, StaffRow
from clinicdesk.store.models_consent_media import ProcedureConsentRow

CONSENT_TEXT_VERSION = "pk-1"
CONSENT_TEXT = (
    "I have been told about the Panchakarma procedures in this care plan, what they involve, their expected "
    "benefits, possible discomforts and risks, and the alternatives. I may ask questions at any time and may "
    "withdraw this consent before any session. I agree to the procedures in this plan.")
_LABELS = {"typed_name": "Typed name", "signature": "Signature", "version": "Consent text version",
           "witness": "Witness", "consent": "Consent"}


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _patient_name(patient: PatientRow) -> str:
    return " ".join(part for part in (patient.given_name, patient.family_name) if part)


def record_procedure_consent(ctx: ServiceContext, plan_id: str, typed_name: str, signature_png: bytes,
                             version: str = CONSENT_TEXT_VERSION, *,
                             witness_id: str | None = None) -> tuple[str, Changes]:
    """The typed name must be the patient's own, or (someone signing for them) any name with a staff witness."""
    user = ctx.authorise(Action.THERAPY_CONSENT, entity="care_plan", entity_id=plan_id)
    with ctx.unit_of_work(write_lock=True) as session:
        consent_id = add_procedure_consent_in(ctx, session, plan_id, typed_name, signature_png, version,
                                              recorded_by=user.staff_id, witness_id=witness_id)
    return consent_id, Changes(therapy=True)


def add_procedure_consent_in(ctx: ServiceContext, session: Session, plan_id: str, typed_name: str,
                             signature_png: bytes, version: str, *, recorded_by: str,
                             witness_id: str | None = None) -> str:
    """Check and add the consent inside the caller's (write-locked) transaction, as the consent form does; its id."""
    problems = {}
    if not version.strip() or len(version) > 20:
        problems["version"] = "is required (at most 20 characters)"
    if (problem := signature_problem(signature_png)) is not None:
        problems["signature"] = problem
    plan = get_plan(session, plan_id)
    patient = session.get(PatientRow, plan.patient_id)
    if patient is None:
        raise NotFound("This patient record no longer exists.")
    name = _norm(typed_name)
    if not name or len(typed_name) > 200:
        problems["typed_name"] = "is required (at most 200 characters)"
    elif witness_id is None and name != _norm(_patient_name(patient)):
        problems["typed_name"] = "must be the patient's full name as registered, or name a witness"
    if witness_id is not None:
        witness = session.get(StaffRow, witness_id)
        if witness is None or not witness.active:
            problems["witness"] = "must be an active member of staff"
    if active_consent(session, plan_id) is not None:
        problems["consent"] = "is already recorded for this plan; withdraw it before recording a new one"
    if problems:
        raise ValidationError(problems, _LABELS)
    consent_id = ctx.make_id()
    session.add(ProcedureConsentRow(
        id=consent_id, plan_id=plan_id, patient_id=plan.patient_id, typed_name=" ".join(typed_name.split()),
        sealed_signature=ctx.db.sealer.seal(signature_png, context=f"procedure-consent:{consent_id}"),
        text_version=version.strip(), signed_at=ctx.now(), recorded_by=recorded_by, witness_id=witness_id))
    ctx.audit(session, "therapy.consent_record", entity="care_plan", entity_id=plan_id)
    return consent_id


def withdraw_procedure_consent(ctx: ServiceContext, plan_id: str) -> Changes:
    ctx.authorise(Action.THERAPY_CONSENT, entity="care_plan", entity_id=plan_id)
    with ctx.unit_of_work(write_lock=True) as session:
        get_plan(session, plan_id)
        row = active_consent(session, plan_id)
        if row is None:
            raise NotFound("This plan has no active consent to withdraw.")
        row.withdrawn_at = ctx.now()
        ctx.audit(session, "therapy.consent_withdraw", entity="care_plan", entity_id=plan_id)
    return Changes(therapy=True)


def plan_consent_status(ctx: ServiceContext, plan_id: str) -> PlanConsentStatus:
    ctx.authorise(Action.THERAPY_VIEW, entity="care_plan", entity_id=plan_id)
    with ctx.unit_of_work() as session:
        plan = get_plan(session, plan_id)
        patient = session.get(PatientRow, plan.patient_id)
        patient_name = _patient_name(patient) if patient else ""
        row = active_consent(session, plan_id)
        if row is None:
            return PlanConsentStatus(plan_id, patient_name)
        witness = session.get(StaffRow, row.witness_id) if row.witness_id else None
        return PlanConsentStatus(plan_id, patient_name, row.id, row.typed_name, row.text_version, row.signed_at,
                                 witness.full_name if witness else "")
