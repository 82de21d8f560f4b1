"""A patient's erasure request: requested -> reviewed (approved or refused) -> carried out, within the retention rule.

The rule implemented: clinical records (consultations, notes, prescriptions, therapy sessions, vitals, incidents,
outcomes) are kept for the legal retention period after the patient's last clinical activity; the period is the
setting `clinical_retention_years` (default 3 years, the minimum the Indian Medical Council (Professional Conduct)
Regulations 2002, 1.3.1 set for patients' medical records; a clinic under a longer state rule raises it). Erasure
never deletes clinical rows. It always pseudonymises the contact details (phone, alternate phone, email, address,
emergency contact, Aadhaar) and stops all messages; once the period has passed it also replaces the name, keeps only
the year of birth and drops the ABHA identifiers, so what remains can no longer be tied to the person. Either way
the record is marked (phone "ERASED" and the audit entry) and every step is in the hash-chained audit log.

The workflow lives in the audit log itself (entity "erasure"): it is append-only and hash-chained, so the history
of a request cannot be edited afterwards, and no schema change was needed.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.discharge_summary import audit_key, find_patient
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models import AuditEntryRow, CommunicationPreferenceRow, PatientRow, SettingRow
from clinicdesk.store.models_consultation import ConsultationRow, PrescriptionRow
from clinicdesk.store.models_therapy import CarePlanRow

RETENTION_SETTING = "clinical_retention_years"
DEFAULT_RETENTION_YEARS = 3
ERASED_MARK = "ERASED"
REASONS = {"consent_withdrawn": "The patient withdrew consent", "no_longer_needed": "No longer needed",
           "patient_request": "The patient asked for erasure"}
REQUESTED, APPROVED, REFUSED, CARRIED_OUT = "requested", "approved", "refused", "carried_out"
# what may happen next from each state (None: no request yet)
TRANSITIONS = {None: {"request": REQUESTED}, REQUESTED: {"approve": APPROVED, "refuse": REFUSED},
               APPROVED: {"carry_out": CARRIED_OUT}, REFUSED: {"request": REQUESTED}, CARRIED_OUT: {}}
_EVENT_OF_ACTION = {"patient.erasure_request": "request", "patient.erasure_approve": "approve",
                    "patient.erasure_refuse": "refuse", "patient.erasure_carry_out": "carry_out"}


@dataclass(frozen=True)
class ErasureRequest:
    id: str
    patient_id: str
    reason: str
    status: str
    requested_by: str
    requested_at: str
    reviewed_by: str = ""
    retention_until: date | None = None
    mode: str = ""  # pseudonymised (inside retention) or anonymised (after it)


def retention_years(session: Session) -> int:
    row = session.get(SettingRow, RETENTION_SETTING)
    return int(row.value) if row and row.value.strip().isdigit() else DEFAULT_RETENTION_YEARS


def retention_until(session: Session, patient: PatientRow) -> date:
    """The last day clinical records must be kept: last clinical activity plus the retention period."""
    moments = [patient.created_at]
    moments += [session.scalar(select(func.max(column)).where(owner == patient.id)) for column, owner in (
        (ConsultationRow.created_at, ConsultationRow.patient_id), (PrescriptionRow.prescribed_at,
                                                                   PrescriptionRow.patient_id),
        (CarePlanRow.updated_at, CarePlanRow.patient_id))]
    last = to_local(max(m for m in moments if m is not None), centre_zone(session, patient.centre_id)).date()
    years = retention_years(session)
    try:
        return last.replace(year=last.year + years)
    except ValueError:  # 29 February
        return last.replace(year=last.year + years, day=28)


def _fields(detail: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in detail.split(";") if "=" in part)


def _history(session: Session, request_id: str | None = None) -> dict[str, ErasureRequest]:
    query = select(AuditEntryRow).where(AuditEntryRow.entity == "erasure", AuditEntryRow.outcome == "ok")
    if request_id:
        query = query.where(AuditEntryRow.entity_id == request_id)
    requests: dict[str, ErasureRequest] = {}
    for row in session.scalars(query.order_by(AuditEntryRow.seq)):
        event, fields = _EVENT_OF_ACTION.get(row.action), _fields(row.detail)
        if event == "request":
            requests[row.entity_id] = ErasureRequest(row.entity_id, fields.get("patient", ""), fields.get("reason", ""),
                                                     REQUESTED, row.actor, row.at)
        elif event and row.entity_id in requests:
            old = requests[row.entity_id]
            until = fields.get("retention_until")
            requests[row.entity_id] = ErasureRequest(
                old.id, old.patient_id, old.reason, TRANSITIONS[old.status][event], old.requested_by, old.requested_at,
                row.actor if event in ("approve", "refuse") else old.reviewed_by,
                date.fromisoformat(until) if until else old.retention_until, fields.get("mode", old.mode))
    return requests


def _load(session: Session, request_id: str) -> ErasureRequest:
    found = _history(session, request_id).get(request_id)
    if found is None:
        raise NotFound("That erasure request was not found.")
    return found


def _step(request: ErasureRequest, event: str) -> str:
    target = TRANSITIONS[request.status].get(event)
    if target is None:
        raise IllegalTransition(f"This erasure request is {request.status.replace('_', ' ')}; the step "
                                f"'{event.replace('_', ' ')}' is not possible now.")
    return target


def request_erasure(ctx: ServiceContext, patient: str, *, reason: str) -> tuple[str, Changes]:
    """Record a patient's request to erase their data; `reason` is one of REASONS (never free text: no values)."""
    ctx.authorise(Action.ERASURE_REQUEST, entity="patient", entity_id=audit_key(patient))
    if reason not in REASONS:
        raise ValidationError({"reason": f"must be one of: {', '.join(REASONS)}"}, {"reason": "Reason"})
    with ctx.unit_of_work(write_lock=True) as session:
        row = find_patient(session, patient)
        open_ones = [r for r in _history(session).values() if r.patient_id == row.id
                     and r.status in (REQUESTED, APPROVED)]
        if open_ones:
            raise IllegalTransition("An erasure request for this patient is already open; review or carry out that "
                                    "one.")
        request_id = ctx.make_id()
        ctx.audit(session, "patient.erasure_request", entity="erasure", entity_id=request_id,
                  detail=f"patient={row.id};reason={reason}")
    return request_id, Changes(audit=True)


def review_erasure(ctx: ServiceContext, request_id: str, *, approve: bool) -> Changes:
    """Approve or refuse a request; the reviewer may not be the person who recorded it."""
    user = ctx.authorise(Action.ERASURE_REVIEW, entity="erasure", entity_id=request_id)
    with ctx.unit_of_work(write_lock=True) as session:
        request = _load(session, request_id)
        _step(request, "approve" if approve else "refuse")
        if request.requested_by == user.username:
            raise PermissionDenied("Someone other than the person who recorded the request must review it.")
        patient = session.get(PatientRow, request.patient_id)
        if patient is None:
            raise NotFound("This patient record no longer exists.")
        until = retention_until(session, patient)
        ctx.audit(session, "patient.erasure_approve" if approve else "patient.erasure_refuse", entity="erasure",
                  entity_id=request_id, detail=f"patient={patient.id};retention_until={until.isoformat()}")
    return Changes(audit=True)


def carry_out_erasure(ctx: ServiceContext, request_id: str) -> tuple[ErasureRequest, Changes]:
    """Pseudonymise (inside the retention period) or anonymise (after it) an approved request's patient."""
    ctx.authorise(Action.ERASURE_CARRY_OUT, entity="erasure", entity_id=request_id)
    with ctx.unit_of_work(write_lock=True) as session:
        request = _load(session, request_id)
        _step(request, "carry_out")
        patient = session.get(PatientRow, request.patient_id)
        if patient is None:
            raise NotFound("This patient record no longer exists.")
        today = to_local(ctx.now(), centre_zone(session, patient.centre_id)).date()
        until = retention_until(session, patient)
        mode = "anonymised" if today > until else "pseudonymised"
        _pseudonymise_contact(session, patient, ctx.now())
        if mode == "anonymised":
            _anonymise_identity(patient)
        patient.updated_at = ctx.now()
        ctx.audit(session, "patient.erasure_carry_out", entity="erasure", entity_id=request_id,
                  detail=f"patient={patient.id};mode={mode};retention_until={until.isoformat()}")
        ctx.audit(session, "patient.erased", entity="patient", entity_id=patient.id, detail=f"mode={mode}")
        return _load(session, request_id), Changes(patients=True, audit=True, messages=True)


def _pseudonymise_contact(session: Session, patient: PatientRow, now: datetime) -> None:
    patient.phone = ERASED_MARK  # the visible mark: staff see at once that this record was erased
    for name in ("alt_phone", "email", "address_line", "pincode", "emergency_contact_name",
                 "emergency_contact_relation", "emergency_contact_phone", "occupation"):
        setattr(patient, name, "")
    patient.aadhaar_sealed, patient.aadhaar_last4, patient.aadhaar_lookup = None, "", None
    preferences = session.get(CommunicationPreferenceRow, patient.id)
    if preferences is None:
        preferences = CommunicationPreferenceRow(patient_id=patient.id)
        session.add(preferences)
    preferences.channels, preferences.do_not_disturb, preferences.marketing_opt_in = [], True, False


def _anonymise_identity(patient: PatientRow) -> None:
    patient.given_name, patient.family_name, patient.name_local = "Erased", f"patient {patient.uhid}", ""
    patient.date_of_birth = date(patient.date_of_birth.year, 1, 1)
    patient.abha_number, patient.abha_address, patient.city = "", "", ""


def list_erasure_requests(ctx: ServiceContext) -> list[ErasureRequest]:
    """Every erasure request with its current state, newest first."""
    ctx.authorise(Action.ERASURE_REQUEST, entity="erasure")
    with ctx.unit_of_work() as session:
        return list(reversed(_history(session).values()))


def uhids_of_requests(ctx: ServiceContext, requests: list[ErasureRequest]) -> dict[str, str]:
    """Each requested patient's UHID in one query: the request list names its patients by UHID without opening (and
    auditing) every chart."""
    ctx.authorise(Action.ERASURE_REQUEST, entity="erasure")
    ids = {r.patient_id for r in requests}
    if not ids:
        return {}
    with ctx.unit_of_work() as session:
        return dict(session.execute(select(PatientRow.id, PatientRow.uhid).where(PatientRow.id.in_(ids))).all())
