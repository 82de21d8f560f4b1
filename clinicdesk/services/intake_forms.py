"""Intake forms: versioned definitions (resources/intake_forms), filling one with sealed answers, reading, printing."""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import ClinicError, NotFound, ValidationError
from clinicdesk.domain.intake_forms import FormDefinition, FormPurpose, parse_definition, validate_answers
from clinicdesk.domain.roles import Action
from clinicdesk.reports.intake_form_pdf import FilledFormDocument, render_filled_form
from clinicdesk.reports.letterhead import ClinicLetterhead
from clinicdesk.resources import resource_path
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models import CentreRow, PatientRow, StaffRow
from clinicdesk.store.models_clinical_inbox import IntakeFormResponseRow, IntakeFormVersionRow

FILLED_ON = ("desk", "tablet")
_FORM_VERSION_NAMESPACE = uuid.UUID("5b0c7d1e-3f1a-4c55-9a53-2f7e0c1d9b44")  # fixed for ever: ids derive from it


class FormVersionChanged(ClinicError):
    """A definition file was edited without a new version number; answers would no longer match their questions."""


@dataclass(frozen=True)
class FilledFormItem:
    id: str
    form_key: str
    title: str
    version: int
    filled_at: datetime
    filled_by: str
    filled_on: str


@dataclass(frozen=True)
class FilledForm:
    item: FilledFormItem
    form: FormDefinition
    answers: dict[str, object]


def _canonical(body: dict) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@cache
def _resource_bodies() -> dict[tuple[str, int], str]:
    """Every definition file, canonical JSON by (key, version); read once per process."""
    bodies = {}
    folder = resource_path("intake_forms")
    for path in sorted(folder.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        form = parse_definition(body)  # a broken file fails loudly here, naming the form and question
        bodies[(form.key, form.version)] = _canonical(body)
    return bodies


def definition(form_key: str, version: int) -> FormDefinition:
    body = _resource_bodies().get((form_key, version))
    if body is None:
        raise NotFound(f"There is no form '{form_key}' version {version} in this installation.")
    return parse_definition(json.loads(body))


def _newest_versions() -> dict[str, int]:
    newest: dict[str, int] = {}
    for key, version in _resource_bodies():
        newest[key] = max(version, newest.get(key, 0))
    return newest


def newest_definition(form_key: str) -> FormDefinition:
    """The newest installed version of one form (the assessment and consent screens fill this one)."""
    version = _newest_versions().get(form_key)
    if version is None:
        raise NotFound(f"There is no form '{form_key}' in this installation.")
    return definition(form_key, version)


def available_forms(ctx: ServiceContext) -> list[FormDefinition]:
    """The newest version of each intake form, by title: what the desk or tablet offers to fill.

    Assessment and consent forms are left out: they are filled on their own screens, which also write the
    assessment and consent records the rest of the app reads.
    """
    ctx.authorise(Action.FORM_FILL, entity="patient")
    forms = (definition(k, v) for k, v in _newest_versions().items())
    return sorted((f for f in forms if f.purpose is FormPurpose.INTAKE), key=lambda f: f.title)


def form_version_id(form_key: str, version: int) -> str:
    """The same id on every desk for one form version, so two desks using it first offline write one row."""
    return str(uuid.uuid5(_FORM_VERSION_NAMESPACE, f"{form_key}:{version}"))


def _version_row(ctx: ServiceContext, session: Session, form: FormDefinition) -> IntakeFormVersionRow:
    body = _resource_bodies()[(form.key, form.version)]
    row = session.scalar(select(IntakeFormVersionRow).where(IntakeFormVersionRow.form_key == form.key,
                                                            IntakeFormVersionRow.version == form.version))
    if row is None:
        row = IntakeFormVersionRow(id=form_version_id(form.key, form.version), form_key=form.key,
                                   version=form.version, title=form.title,
                                   body=body, first_used_at=ctx.now())
        session.add(row)
    elif row.body != body:
        raise FormVersionChanged(f"The form '{form.key}' version {form.version} differs from the one already used "
                                 "here. Give the edited file a new version number; nothing was saved.")
    return row


def _context(response_id: str) -> str:
    return f"intake-form:{response_id}"


def fill_form(ctx: ServiceContext, patient_id: str, form_key: str, version: int, answers: dict[str, object], *,
              filled_on: str = "desk") -> tuple[str, Changes]:
    """Check the answers against that exact form version and store them sealed; returns the response id."""
    user = ctx.authorise(Action.FORM_FILL, entity="patient", entity_id=patient_id)
    if filled_on not in FILLED_ON:
        raise ValidationError({"filled_on": "must be desk or tablet"}, {"filled_on": "Filled on"})
    form = definition(form_key, version)
    clean = validate_answers(form, answers)
    with ctx.unit_of_work() as session:
        if session.get(PatientRow, patient_id) is None:
            raise NotFound("This patient record no longer exists.")
        response_id = store_response_in(ctx, session, patient_id, form, clean, filled_by=user.staff_id,
                                        filled_on=filled_on)
        return response_id, Changes(patients=True)


def store_response_in(ctx: ServiceContext, session: Session, patient_id: str, form: FormDefinition,
                      clean: dict[str, object], *, filled_by: str, filled_on: str = "desk") -> str:
    """Seal already-validated answers inside the caller's transaction (an assessment or consent); the response id."""
    if filled_on not in FILLED_ON:
        raise ValidationError({"filled_on": "must be desk or tablet"}, {"filled_on": "Filled on"})
    version_row = _version_row(ctx, session, form)
    session.flush()
    response_id = ctx.make_id()
    sealed = ctx.db.sealer.seal(_canonical(clean).encode(), context=_context(response_id))
    session.add(IntakeFormResponseRow(id=response_id, patient_id=patient_id, form_version_id=version_row.id,
                                      sealed_answers=sealed, filled_at=ctx.now(), filled_by=filled_by,
                                      filled_on=filled_on))
    ctx.audit(session, "form.fill", entity="patient", entity_id=patient_id, detail=f"{form.key} v{form.version}")
    return response_id


def _items(session: Session, *where) -> list[FilledFormItem]:
    rows = session.execute(select(IntakeFormResponseRow, IntakeFormVersionRow, StaffRow.full_name)
                           .join(IntakeFormVersionRow,
                                 IntakeFormVersionRow.id == IntakeFormResponseRow.form_version_id)
                           .join(StaffRow, StaffRow.id == IntakeFormResponseRow.filled_by)
                           .where(*where).order_by(IntakeFormResponseRow.filled_at.desc())).all()
    return [FilledFormItem(r.id, v.form_key, v.title, v.version, r.filled_at, name, r.filled_on)
            for r, v, name in rows]


def list_filled_forms(ctx: ServiceContext, patient_id: str) -> list[FilledFormItem]:
    """Which forms a patient has filled, newest first: names and dates only, never answers."""
    ctx.authorise(Action.PATIENT_VIEW, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        return _items(session, IntakeFormResponseRow.patient_id == patient_id)


def _open(ctx: ServiceContext, session: Session, patient_id: str, response_id: str) -> FilledForm:
    found = _items(session, IntakeFormResponseRow.id == response_id, IntakeFormResponseRow.patient_id == patient_id)
    if not found:
        raise NotFound("That filled form was not found.")
    row = session.get(IntakeFormResponseRow, response_id)
    version = session.get(IntakeFormVersionRow, row.form_version_id)
    # the stored definition, not today's file: answers always read against the questions that were asked
    form = parse_definition(json.loads(version.body))
    answers = json.loads(ctx.db.sealer.open(row.sealed_answers, context=_context(row.id)))
    return FilledForm(found[0], form, answers)


def open_filled_form(ctx: ServiceContext, patient_id: str, response_id: str) -> FilledForm:
    """The questions and the answers of one filled form; opening it is audited like a document."""
    ctx.authorise(Action.PATIENT_DOCUMENT_VIEW, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        filled = _open(ctx, session, patient_id, response_id)
        ctx.audit(session, "form.view", entity="patient", entity_id=patient_id)
        return filled


def filled_form_pdf(ctx: ServiceContext, patient_id: str, response_id: str) -> bytes:
    """A printable A4 PDF of one filled form; printing has its own permission and audit entry."""
    ctx.authorise(Action.PATIENT_PRINT, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        filled = _open(ctx, session, patient_id, response_id)
        patient = session.get(PatientRow, patient_id)
        centre = session.get(CentreRow, patient.centre_id)
        when = to_local(filled.item.filled_at, centre_zone(session, centre.id))
        ctx.audit(session, "form.print", entity="patient", entity_id=patient_id)
        document = FilledFormDocument(
            letterhead=ClinicLetterhead(name=centre.name, address_lines=(), phone=centre.phone,
                                        registration_number=""),
            form=filled.form, answers=filled.answers,
            patient_name=f"{patient.given_name} {patient.family_name}".strip(), uhid=patient.uhid,
            filled_at_text=f"{when:%d %b %Y, %H:%M}", filled_by=filled.item.filled_by)
    return render_filled_form(document)
