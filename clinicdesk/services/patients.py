"""Patient registration, editing, profile and search: the reception desk's everyday actions."""

import re
from dataclasses import fields, replace

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import ClinicError, NotFound, ValidationError
from clinicdesk.domain.identifiers import mask_aadhaar
from clinicdesk.domain.patients import PatientDraft, format_uhid, validate_patient
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.patient_dto import PatientProfile, PatientSummary
from clinicdesk.services.patient_records import load_profile_parts
from clinicdesk.store.models import CentreRow, PatientRow, UhidCounterRow

_STORED_FIELDS = [f.name for f in fields(PatientDraft) if f.name not in ("aadhaar", "extra")]
SEARCH_LIMIT = 50


class StaleRecord(ClinicError):
    """Someone else saved this patient since it was opened; nothing was overwritten."""


def _next_uhid(ctx: ServiceContext, session: Session, centre_id: str) -> str:
    centre = session.get(CentreRow, centre_id)
    device = ctx.db.config.device_code
    counter = session.get(UhidCounterRow, (centre_id, device))
    if counter is None:
        counter = UhidCounterRow(centre_id=centre_id, device_code=device, next_number=1)
        session.add(counter)
    number = counter.next_number
    counter.next_number = number + 1
    return format_uhid(centre.code, device, number)


def _apply_aadhaar(ctx: ServiceContext, session: Session, row: PatientRow, aadhaar: str) -> None:
    token = ctx.db.sealer.lookup_token(aadhaar, kind="aadhaar")
    clash = session.scalar(select(PatientRow.uhid).where(PatientRow.aadhaar_lookup == token, PatientRow.id != row.id))
    if clash:
        raise ValidationError({"aadhaar": f"is already registered to patient {clash}; open that record instead"},
                              {"aadhaar": "Aadhaar"})
    row.aadhaar_sealed = ctx.db.sealer.seal(aadhaar.encode(), context=f"aadhaar:{row.id}")
    row.aadhaar_last4 = aadhaar[-4:]
    row.aadhaar_lookup = token


def register_patient(ctx: ServiceContext, draft: PatientDraft, *, centre_id: str | None = None) -> tuple[str, Changes]:
    """Validate, issue a UHID and save; returns the new patient's id."""
    user = ctx.authorise(Action.PATIENT_REGISTER, entity="patient")
    now = ctx.now()
    clean = validate_patient(draft, today=now.date())
    with ctx.unit_of_work() as session:
        centre = centre_id or user.centre_id
        row = PatientRow(id=ctx.make_id(), centre_id=centre, uhid=_next_uhid(ctx, session, centre),
                         created_by=user.staff_id, created_at=now, updated_at=now,
                         **{name: getattr(clean, name) for name in _STORED_FIELDS})
        if clean.aadhaar:
            _apply_aadhaar(ctx, session, row, clean.aadhaar)
        session.add(row)
        session.flush()
        ctx.audit(session, "patient.register", entity="patient", entity_id=row.id)
        return row.id, Changes(patients=True)


def update_patient(ctx: ServiceContext, patient_id: str, draft: PatientDraft, *, expected_version: int) -> Changes:
    """Save edits unless someone else saved first (then StaleRecord, and nothing changes)."""
    ctx.authorise(Action.PATIENT_EDIT_DEMOGRAPHICS, entity="patient", entity_id=patient_id)
    now = ctx.now()
    clean = validate_patient(draft, today=now.date())
    with ctx.unit_of_work() as session:
        row = session.get(PatientRow, patient_id)
        if row is None:
            raise NotFound("This patient record no longer exists.")
        if row.row_version != expected_version:
            raise StaleRecord("Someone else changed this patient while you were editing. Your changes were not "
                              "saved; reopen the record to see the latest and edit again.")
        changed = [name for name in _STORED_FIELDS if getattr(row, name) != getattr(clean, name)]
        for name in changed:
            setattr(row, name, getattr(clean, name))
        if clean.aadhaar:
            _apply_aadhaar(ctx, session, row, clean.aadhaar)
            changed.append("aadhaar")
        row.updated_at = now
        ctx.audit(session, "patient.edit", entity="patient", entity_id=row.id,
                  detail="fields: " + ",".join(sorted(changed)))  # field names only, never values
        return Changes(patients=True)


def get_profile(ctx: ServiceContext, patient_id: str) -> PatientProfile:
    """The whole chart for the profile screen; opening it is a chart view and is audited."""
    ctx.authorise(Action.PATIENT_VIEW, entity="patient", entity_id=patient_id)
    return _load_profile(ctx, patient_id, audit_action="patient.view")


def profile_for_print(ctx: ServiceContext, patient_id: str) -> PatientProfile:
    """The chart for a printout (the caller renders it); printing patient data has its own permission and audit."""
    ctx.authorise(Action.PATIENT_PRINT, entity="patient", entity_id=patient_id)
    return _load_profile(ctx, patient_id, audit_action="patient.print")


def profile_for_export(ctx: ServiceContext, patient_id: str) -> PatientProfile:
    """The chart for an export file (the caller writes it); exporting has its own permission and audit."""
    ctx.authorise(Action.PATIENT_EXPORT, entity="patient", entity_id=patient_id)
    return _load_profile(ctx, patient_id, audit_action="patient.export")


def _load_profile(ctx: ServiceContext, patient_id: str, *, audit_action: str) -> PatientProfile:
    with ctx.unit_of_work() as session:
        row = session.get(PatientRow, patient_id)
        if row is None:
            raise NotFound("This patient record no longer exists.")
        draft = replace(PatientDraft(), **{name: getattr(row, name) for name in _STORED_FIELDS})
        ctx.audit(session, audit_action, entity="patient", entity_id=row.id)
        return PatientProfile(id=row.id, uhid=row.uhid, centre_id=row.centre_id, draft=draft,
                              aadhaar_masked=mask_aadhaar(row.aadhaar_last4) if row.aadhaar_last4 else "",
                              row_version=row.row_version, created_at=row.created_at,
                              **load_profile_parts(session, row))


def reveal_aadhaar(ctx: ServiceContext, patient_id: str) -> str:
    """The full Aadhaar, for the rare form that needs it; audited."""
    ctx.authorise(Action.PATIENT_VIEW_AADHAAR, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        row = session.get(PatientRow, patient_id)
        if row is None or row.aadhaar_sealed is None:
            raise NotFound("No Aadhaar number is stored for this patient.")
        ctx.audit(session, "patient.view_aadhaar", entity="patient", entity_id=row.id)
        return ctx.db.sealer.open(row.aadhaar_sealed, context=f"aadhaar:{row.id}").decode()


def fts_query(typed: str) -> str | None:
    """Turn what was typed into an FTS5 prefix query; None when there is nothing to search for."""
    cleaned = typed.strip()
    if re.fullmatch(r"[+\d\s-]+", cleaned):  # a phone or number typed with spaces: one token
        digits = re.sub(r"\D", "", cleaned)
        if digits.startswith("91") and len(digits) == 12:
            digits = digits[2:]
        elif digits.startswith("0") and len(digits) == 11:  # trunk prefix, as the phone field accepts it
            digits = digits[1:]
        tokens = [digits] if digits else []
    else:
        tokens = [t for t in re.split(r"[^\w\u0900-\u097F\u0D00-\u0D7F]+", cleaned) if t]
    if not tokens:
        return None
    return " ".join('"' + t.replace('"', "") + '"*' for t in tokens[:6])


def search_patients(ctx: ServiceContext, typed: str, *, limit: int = SEARCH_LIMIT) -> list[PatientSummary]:
    """Search-as-you-type over name (any script), phone, UHID and ABHA through the FTS5 index."""
    ctx.authorise(Action.PATIENT_SEARCH, entity="patient")
    query = fts_query(typed)
    with ctx.unit_of_work() as session:
        if query is None:
            rows = session.scalars(select(PatientRow).order_by(PatientRow.updated_at.desc()).limit(limit)).all()
        else:
            # Newest index entries first (registered or edited most recently, like the empty-box list). Not
            # ORDER BY rank: bm25 scores every match before LIMIT applies, so at 100,000 patients the first
            # letter of a name or the "KOC-A-0" of a UHID took 150-250 ms per keystroke (tests/bench/bench_search).
            ids = session.execute(text("SELECT patient_id FROM patient_fts WHERE patient_fts MATCH :q "
                                       "ORDER BY rowid DESC LIMIT :n"), {"q": query, "n": limit}).scalars().all()
            found = {r.id: r for r in session.scalars(select(PatientRow).where(PatientRow.id.in_(ids)))}
            rows = [found[i] for i in ids if i in found]
        return [PatientSummary(r.id, r.uhid, f"{r.given_name} {r.family_name}".strip(), r.name_local,
                               r.date_of_birth, r.sex, r.phone, r.abha_number) for r in rows]
