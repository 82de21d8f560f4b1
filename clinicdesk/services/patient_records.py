"""The clinical parts of a patient's chart: allergies, medications, assessments, consents, preferences, documents."""

import hashlib
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.prakriti import (
    AGNI_CHOICES,
    KOSHTA_CHOICES,
    LEVEL_CHOICES,
    SLEEP_CHOICES,
    Dosha,
    score_answers,
)
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.patient_dto import (
    AllergyItem,
    AssessmentItem,
    CommunicationPreferences,
    ConsentItem,
    DocumentItem,
    MedicationItem,
    TimelineEvent,
)
from clinicdesk.store.models import (
    AllergyRow,
    AssessmentRow,
    CommunicationPreferenceRow,
    ConsentRow,
    MedicationRow,
    PatientDocumentRow,
    PatientRow,
    StaffRow,
)

CONSENT_KINDS = ("treatment", "data_processing", "recording", "photography", "marketing", "research",
                 "contact_sms", "contact_whatsapp", "contact_email")  # messages need consent for their channel
CONSENT_METHODS = ("signed", "verbal", "digital")
CHANNELS = ("sms", "whatsapp", "email", "phone")
SEVERITIES = ("mild", "moderate", "severe")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_ALLOWED_MIME = ("application/pdf", "image/jpeg", "image/png", "text/plain")


def _patient(session: Session, patient_id: str) -> PatientRow:
    row = session.get(PatientRow, patient_id)
    if row is None:
        raise NotFound("This patient record no longer exists.")
    return row


def _staff_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(StaffRow.id, StaffRow.full_name).where(StaffRow.id.in_(ids))).all())


def load_profile_parts(session: Session, row: PatientRow) -> dict:
    allergies = session.scalars(select(AllergyRow).where(AllergyRow.patient_id == row.id,
                                                         AllergyRow.removed_at.is_(None))
                                .order_by(AllergyRow.recorded_at)).all()
    meds = session.scalars(select(MedicationRow).where(MedicationRow.patient_id == row.id,
                                                       MedicationRow.stopped_at.is_(None))
                           .order_by(MedicationRow.recorded_at)).all()
    assessments = session.scalars(select(AssessmentRow).where(AssessmentRow.patient_id == row.id)
                                  .order_by(AssessmentRow.assessed_at.desc())).all()
    consents = session.scalars(select(ConsentRow).where(ConsentRow.patient_id == row.id)
                               .order_by(ConsentRow.given_at.desc())).all()
    doc_rows = session.execute(select(PatientDocumentRow.id, PatientDocumentRow.title, PatientDocumentRow.mime_type,
                                      PatientDocumentRow.size_bytes, PatientDocumentRow.added_at)
                               .where(PatientDocumentRow.patient_id == row.id)
                               .order_by(PatientDocumentRow.added_at.desc())).all()
    pref = session.get(CommunicationPreferenceRow, row.id)
    names = _staff_names(session, {a.assessed_by for a in assessments} | {c.witness_id for c in consents
                                                                          if c.witness_id})
    timeline = [TimelineEvent(row.created_at, "registered", "Registered")]
    timeline += [TimelineEvent(a.assessed_at, "assessment", f"Ayurvedic assessment: {a.prakriti}")
                 for a in assessments]
    timeline += [TimelineEvent(c.given_at, "consent", f"Consent given: {c.kind.replace('_', ' ')}") for c in consents]
    timeline += [TimelineEvent(c.withdrawn_at, "consent", f"Consent withdrawn: {c.kind.replace('_', ' ')}")
                 for c in consents if c.withdrawn_at]
    timeline += [TimelineEvent(d.added_at, "document", f"Document added: {d.title}") for d in doc_rows]
    timeline += [TimelineEvent(a.recorded_at, "allergy", f"Allergy recorded: {a.substance}") for a in allergies]
    return {
        "allergies": tuple(AllergyItem(a.id, a.substance, a.reaction, a.severity) for a in allergies),
        "medications": tuple(MedicationItem(m.id, m.name, m.dose, m.frequency, m.since) for m in meds),
        "assessments": tuple(AssessmentItem(a.id, a.assessed_at, names.get(a.assessed_by, ""), a.vata, a.pitta,
                                            a.kapha, a.prakriti, a.vikriti, a.agni, a.koshta, a.sleep, a.stress,
                                            a.energy, a.notes) for a in assessments),
        "consents": tuple(ConsentItem(c.id, c.kind, c.version, c.given_at, c.method, names.get(c.witness_id, ""),
                                      c.withdrawn_at) for c in consents),
        "preferences": (CommunicationPreferences(tuple(pref.channels), pref.language, pref.reminder_hours_before,
                                                 pref.quiet_start, pref.quiet_end, pref.do_not_disturb,
                                                 pref.marketing_opt_in) if pref else CommunicationPreferences()),
        "documents": tuple(DocumentItem(d.id, d.title, d.mime_type, d.size_bytes, d.added_at) for d in doc_rows),
        "timeline": tuple(sorted(timeline, key=lambda e: e.at, reverse=True)),
    }


def add_allergy(ctx: ServiceContext, patient_id: str, substance: str, reaction: str = "",
                severity: str = "moderate") -> Changes:
    ctx.authorise(Action.PATIENT_EDIT_CLINICAL, entity="patient", entity_id=patient_id)
    problems = {}
    if not substance.strip() or len(substance) > 120:
        problems["substance"] = "is required (at most 120 characters)"
    if severity not in SEVERITIES:
        problems["severity"] = "must be mild, moderate or severe"
    if problems:
        raise ValidationError(problems, {"substance": "Allergy substance", "severity": "Allergy severity"})
    with ctx.unit_of_work() as session:
        _patient(session, patient_id)
        row = AllergyRow(id=ctx.make_id(), patient_id=patient_id, substance=substance.strip(),
                         reaction=reaction.strip()[:200], severity=severity, recorded_at=ctx.now())
        session.add(row)
        ctx.audit(session, "patient.allergy_add", entity="patient", entity_id=patient_id)
    return Changes(patients=True)


def remove_allergy(ctx: ServiceContext, patient_id: str, allergy_id: str) -> Changes:
    """Marks an allergy as no longer current; the entry stays in the record."""
    ctx.authorise(Action.PATIENT_EDIT_CLINICAL, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        row = session.get(AllergyRow, allergy_id)
        if row is None or row.patient_id != patient_id:
            raise NotFound("That allergy entry was not found.")
        row.removed_at = ctx.now()
        ctx.audit(session, "patient.allergy_remove", entity="patient", entity_id=patient_id)
    return Changes(patients=True)


def add_medication(ctx: ServiceContext, patient_id: str, name: str, dose: str = "", frequency: str = "",
                   since: date | None = None) -> Changes:
    ctx.authorise(Action.PATIENT_EDIT_CLINICAL, entity="patient", entity_id=patient_id)
    if not name.strip() or len(name) > 120:
        raise ValidationError({"name": "is required (at most 120 characters)"}, {"name": "Medication name"})
    if since and since > ctx.now().date():
        raise ValidationError({"since": "cannot be in the future"}, {"since": "Medication start date"})
    with ctx.unit_of_work() as session:
        _patient(session, patient_id)
        session.add(MedicationRow(id=ctx.make_id(), patient_id=patient_id, name=name.strip(), dose=dose.strip()[:60],
                                  frequency=frequency.strip()[:60], since=since, recorded_at=ctx.now()))
        ctx.audit(session, "patient.medication_add", entity="patient", entity_id=patient_id)
    return Changes(patients=True)


def stop_medication(ctx: ServiceContext, patient_id: str, medication_id: str) -> Changes:
    ctx.authorise(Action.PATIENT_EDIT_CLINICAL, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        row = session.get(MedicationRow, medication_id)
        if row is None or row.patient_id != patient_id:
            raise NotFound("That medication entry was not found.")
        row.stopped_at = ctx.now()
        ctx.audit(session, "patient.medication_stop", entity="patient", entity_id=patient_id)
    return Changes(patients=True)


def record_assessment(ctx: ServiceContext, patient_id: str, *, prakriti_answers: dict[str, str],
                      vikriti_answers: dict[str, str] | None = None, agni: str = "", koshta: str = "",
                      sleep: str = "", stress: str = "", energy: str = "", notes: str = "") -> Changes:
    """Score the questionnaire into Vata/Pitta/Kapha and save it as a new version of the assessment."""
    user = ctx.authorise(Action.PATIENT_ASSESS, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        add_assessment_in(ctx, session, patient_id, user.staff_id, prakriti_answers=prakriti_answers,
                          vikriti_answers=vikriti_answers, agni=agni, koshta=koshta, sleep=sleep, stress=stress,
                          energy=energy, notes=notes)
    return Changes(patients=True)


def add_assessment_in(ctx: ServiceContext, session: Session, patient_id: str, assessed_by: str, *,
                      prakriti_answers: dict[str, str], vikriti_answers: dict[str, str] | None = None,
                      agni: str = "", koshta: str = "", sleep: str = "", stress: str = "", energy: str = "",
                      notes: str = "") -> str:
    """Check, score and add one assessment inside the caller's transaction (the form screen's too); its id."""
    problems = {}
    try:
        score = score_answers({k: Dosha(v) for k, v in prakriti_answers.items()})
        vikriti_score = score_answers({k: Dosha(v) for k, v in (vikriti_answers or {}).items()})
    except ValueError as exc:
        raise ValidationError({"prakriti": str(exc)}, {"prakriti": "Questionnaire"}) from None
    if score.total < 6:
        problems["prakriti"] = "needs at least 6 answered questions to give a meaningful constitution"
    for name, value, allowed in (("agni", agni, AGNI_CHOICES), ("koshta", koshta, KOSHTA_CHOICES),
                                 ("sleep", sleep, SLEEP_CHOICES), ("stress", stress, LEVEL_CHOICES),
                                 ("energy", energy, LEVEL_CHOICES)):
        if value and value not in allowed:
            problems[name] = "must be one of: " + ", ".join(allowed)
    if problems:
        raise ValidationError(problems, {"prakriti": "Questionnaire", "agni": "Digestion (agni)",
                                         "koshta": "Bowel (koshta)", "sleep": "Sleep", "stress": "Stress",
                                         "energy": "Energy"})
    _patient(session, patient_id)
    assessment_id = ctx.make_id()
    session.add(AssessmentRow(id=assessment_id, patient_id=patient_id, assessed_at=ctx.now(),
                              assessed_by=assessed_by, prakriti_answers=dict(prakriti_answers),
                              vikriti_answers=dict(vikriti_answers or {}), vata=score.vata, pitta=score.pitta,
                              kapha=score.kapha, prakriti=score.constitution(),
                              vikriti=vikriti_score.constitution(), agni=agni, koshta=koshta, sleep=sleep,
                              stress=stress, energy=energy, notes=notes.strip()[:2000]))
    ctx.audit(session, "patient.assess", entity="patient", entity_id=patient_id)
    return assessment_id


def record_consent(ctx: ServiceContext, patient_id: str, *, kind: str, version: str, method: str) -> Changes:
    user = ctx.authorise(Action.PATIENT_CONSENT, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        add_consent_in(ctx, session, patient_id, user.staff_id, kind=kind, version=version, method=method)
    return Changes(patients=True)


def add_consent_in(ctx: ServiceContext, session: Session, patient_id: str, witness_id: str, *, kind: str,
                   version: str, method: str) -> str:
    """Check and add one consent inside the caller's transaction (the consent form adds several at once); its id."""
    problems = {}
    if kind not in CONSENT_KINDS:
        problems["kind"] = "must be one of: " + ", ".join(CONSENT_KINDS)
    if method not in CONSENT_METHODS:
        problems["method"] = "must be signed, verbal or digital"
    if not version.strip() or len(version) > 20:
        problems["version"] = "is required (the version of the consent text shown)"
    if problems:
        raise ValidationError(problems, {"kind": "Consent type", "method": "Consent method",
                                         "version": "Consent version"})
    _patient(session, patient_id)
    consent_id = ctx.make_id()
    session.add(ConsentRow(id=consent_id, patient_id=patient_id, kind=kind, version=version.strip(),
                           given_at=ctx.now(), method=method, witness_id=witness_id))
    ctx.audit(session, "patient.consent", entity="patient", entity_id=patient_id, detail=kind)
    return consent_id


def withdraw_consent(ctx: ServiceContext, patient_id: str, consent_id: str) -> Changes:
    ctx.authorise(Action.PATIENT_CONSENT, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        row = session.get(ConsentRow, consent_id)
        if row is None or row.patient_id != patient_id:
            raise NotFound("That consent was not found.")
        if row.withdrawn_at is None:
            row.withdrawn_at = ctx.now()
        ctx.audit(session, "patient.consent_withdraw", entity="patient", entity_id=patient_id, detail=row.kind)
    return Changes(patients=True)


def set_preferences(ctx: ServiceContext, patient_id: str, prefs: CommunicationPreferences) -> Changes:
    ctx.authorise(Action.PATIENT_EDIT_DEMOGRAPHICS, entity="patient", entity_id=patient_id)
    problems = {}
    if any(c not in CHANNELS for c in prefs.channels):
        problems["channels"] = "may only be SMS, WhatsApp, email or phone"
    if prefs.language not in ("en", "hi", "ml"):
        problems["language"] = "must be English, Hindi or Malayalam"
    if not 1 <= prefs.reminder_hours_before <= 72:
        problems["reminder_hours_before"] = "must be between 1 and 72 hours"
    if (prefs.quiet_start is None) != (prefs.quiet_end is None):
        problems["quiet_hours"] = "need both a start and an end time, or neither"
    if problems:
        raise ValidationError(problems, {"channels": "Channels", "language": "Message language",
                                         "reminder_hours_before": "Reminder timing", "quiet_hours": "Quiet hours"})
    with ctx.unit_of_work() as session:
        _patient(session, patient_id)
        row = session.get(CommunicationPreferenceRow, patient_id) or CommunicationPreferenceRow(patient_id=patient_id)
        row.channels, row.language = list(prefs.channels), prefs.language
        row.reminder_hours_before = prefs.reminder_hours_before
        row.quiet_start, row.quiet_end = prefs.quiet_start, prefs.quiet_end
        row.do_not_disturb, row.marketing_opt_in = prefs.do_not_disturb, prefs.marketing_opt_in
        session.add(row)
        ctx.audit(session, "patient.preferences", entity="patient", entity_id=patient_id)
    return Changes(patients=True)


def add_document(ctx: ServiceContext, patient_id: str, *, title: str, mime_type: str, content: bytes) -> Changes:
    """Attach a scan or report; the content is sealed before it reaches the database."""
    user = ctx.authorise(Action.PATIENT_DOCUMENT_ADD, entity="patient", entity_id=patient_id)
    check_document(title, mime_type, content)
    with ctx.unit_of_work() as session:
        _patient(session, patient_id)
        store_document_in(ctx, session, patient_id, title=title, mime_type=mime_type, content=content,
                          added_by=user.staff_id)
        ctx.audit(session, "patient.document_add", entity="patient", entity_id=patient_id)
    return Changes(patients=True)


def check_document(title: str, mime_type: str, content: bytes) -> None:
    """ValidationError naming what is wrong with an attachment (title, type, size), before anything is written."""
    problems = {}
    if not title.strip() or len(title) > 200:
        problems["title"] = "is required (at most 200 characters)"
    if mime_type not in _ALLOWED_MIME:
        problems["file"] = "must be a PDF, JPEG, PNG or plain-text file"
    elif not content:
        problems["file"] = "is empty"
    elif len(content) > MAX_DOCUMENT_BYTES:
        problems["file"] = "is larger than 20 MB; scan at a lower resolution"
    if problems:
        raise ValidationError(problems, {"title": "Document title", "file": "File"})


def store_document_in(ctx: ServiceContext, session: Session, patient_id: str, *, title: str, mime_type: str,
                      content: bytes, added_by: str) -> str:
    """Seal and add a checked attachment inside the caller's transaction (a lab report); returns its id."""
    doc_id = ctx.make_id()
    session.add(PatientDocumentRow(id=doc_id, patient_id=patient_id, title=title.strip(), mime_type=mime_type,
                                   size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                   sealed_content=ctx.db.sealer.seal(content, context=f"document:{doc_id}"),
                                   added_at=ctx.now(), added_by=added_by))
    return doc_id


def open_document(ctx: ServiceContext, patient_id: str, document_id: str) -> tuple[str, str, bytes]:
    """(title, mime type, content) of an attachment; audited."""
    ctx.authorise(Action.PATIENT_DOCUMENT_VIEW, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        row = session.get(PatientDocumentRow, document_id)
        if row is None or row.patient_id != patient_id:
            raise NotFound("That document was not found.")
        if not row.sealed_content:  # a row pulled from HQ whose bytes travel separately (clinicdesk/sync/blobs.py)
            raise NotFound("This document is still downloading from HQ; it opens after the next sync.")
        content = ctx.db.sealer.open(row.sealed_content, context=f"document:{row.id}")
        ctx.audit(session, "patient.document_view", entity="patient", entity_id=patient_id)
        return row.title, row.mime_type, content


def parse_quiet_time(text: str) -> time | None:
    text = text.strip()
    if not text:
        return None
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValidationError({"quiet_hours": "must be written as HH:MM, for example 21:00"},
                              {"quiet_hours": "Quiet hours"}) from None
