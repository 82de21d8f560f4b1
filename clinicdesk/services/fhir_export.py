"""A patient's record as a FHIR R4B document Bundle (Composition first), every resource validated by fhir.resources.

R4B because India's ABDM profiles are written against R4, which R4B keeps compatible; fhir.resources 8 ships R5 as
its default and R4B as a sub-package.
"""

import json
import re
import uuid
from datetime import date, datetime, time
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.discharge import DischargeSummary
from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.prescriptions import FOOD_TIMINGS, parse_frequency, plain_number
from clinicdesk.domain.roles import Action
from clinicdesk.services.consultation_records import note_context, open_json, patient_name
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.discharge_summary import audit_key, choose_plan, collect_discharge_summary, find_patient
from clinicdesk.services.therapy_records import centre_zone, library_in_force
from clinicdesk.store.models import AllergyRow, CentreRow, PatientRow, StaffRow
from clinicdesk.store.models_consultation import (
    ClinicalNoteRow,
    ConsultationRow,
    ConsultationVitalsRow,
    PrescriptionItemRow,
    PrescriptionRow,
)
from clinicdesk.store.models_therapy import CarePlanRow, OutcomeReportRow, VitalsRow

FHIR_VERSION = "R4B"
ABHA_SYSTEM = "https://healthid.ndhm.gov.in"  # the NDHM/ABDM health ID (ABHA number) namespace
UHID_SYSTEM = "urn:clinicdesk:uhid"  # the clinic's own hospital number
LOINC, UCUM, ICD10 = "http://loinc.org", "http://unitsofmeasure.org", "http://hl7.org/fhir/sid/icd-10"
_V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
_OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_ICD10_AT_START = re.compile(r"^\s*([A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4})?)\b[\s:–-]*(.*)$")
_NAMESPACE = uuid.UUID("6f1c2a9e-53c4-4f7e-9a55-2b0d7c1e8f10")
GENDER = {"female": "female", "male": "male", "other": "other"}
# (column, LOINC code, display, UCUM unit) for single-value vital signs
VITALS = (("pulse_bpm", "8867-4", "Heart rate", "/min"), ("temperature_c", "8310-5", "Body temperature", "Cel"),
          ("weight_kg", "29463-7", "Body weight", "kg"), ("spo2_percent", "59408-5", "Oxygen saturation", "%"),
          ("respiratory_rate", "9279-1", "Respiratory rate", "/min"), ("height_cm", "8302-2", "Body height", "cm"),
          ("bmi", "39156-5", "Body mass index", "kg/m2"))


class FhirInvalid(ClinicError):
    """The exported resources did not validate; nothing is written."""


def _uid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join(parts)))


def _ref(resource_id: str) -> dict:
    return {"reference": f"urn:uuid:{resource_id}"}


def _instant(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _narrative(lines: list[str]) -> dict:
    body = "".join(f"<p>{escape(line)}</p>" for line in lines if line) or "<p>None recorded.</p>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def _concept(text: str, system: str | None = None, code: str | None = None, display: str | None = None) -> dict:
    concept: dict = {"text": text}
    if system and code:
        concept["coding"] = [{"system": system, "code": code, **({"display": display} if display else {})}]
    return concept


class _Builder:
    """Collects resources keyed by id; each is validated as it is added, so a bad one names itself."""

    def __init__(self):
        self.resources: list[dict] = []

    def add(self, resource: dict) -> str:
        from fhir.resources.R4B import get_fhir_model_class

        try:
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        except Exception as exc:  # pydantic's ValidationError: field paths only, never the values
            raise FhirInvalid(f"The exported {resource['resourceType']} did not validate as FHIR {FHIR_VERSION}: "
                              f"{_error_paths(exc)}") from None
        self.resources.append(resource)
        return resource["id"]

    def of_type(self, kind: str) -> list[str]:
        return [r["id"] for r in self.resources if r["resourceType"] == kind]


def _error_paths(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(".".join(str(p) for p in e.get("loc", ())) + f" ({e.get('type', '')})" for e in errors())
    return type(exc).__name__


def build_bundle(ctx: ServiceContext, session: Session, patient: PatientRow) -> dict:
    """The document Bundle as a dict (validated); callers check permission and audit."""
    zone = centre_zone(session, patient.centre_id)
    centre = session.get(CentreRow, patient.centre_id)
    out = _Builder()
    organisation = out.add({"resourceType": "Organization", "id": _uid("centre", centre.id), "name": centre.name,
                            **({"telecom": [{"system": "phone", "value": centre.phone}]} if centre.phone else {}),
                            **({"address": [{"text": centre.address, "country": "IN"}]} if centre.address else {})})
    patient_id = out.add(_patient(patient, organisation))
    practitioners: dict[str, str] = {}

    def practitioner(staff_id: str | None) -> str | None:
        if not staff_id:
            return None
        if staff_id not in practitioners:
            staff = session.get(StaffRow, staff_id)
            practitioners[staff_id] = out.add({"resourceType": "Practitioner", "id": _uid("staff", staff_id),
                                               "name": [{"text": staff.full_name}]})
        return practitioners[staff_id]

    for allergy in session.scalars(select(AllergyRow).where(AllergyRow.patient_id == patient.id)):
        out.add(_allergy(allergy, patient_id))
    consultations = session.scalars(select(ConsultationRow).where(ConsultationRow.patient_id == patient.id)
                                    .order_by(ConsultationRow.created_at)).all()
    for consultation in consultations:
        encounter = out.add(_consultation_encounter(consultation, patient_id, practitioner(consultation.doctor_id),
                                                    organisation))
        _consultation_records(ctx, session, out, consultation, patient_id, encounter, practitioner)
    summary = None
    plans = session.scalars(select(CarePlanRow).where(CarePlanRow.patient_id == patient.id)).all()
    therapies = library_in_force(ctx, session, patient.centre_id).therapies if plans else {}
    for plan in plans:
        encounter = out.add(_course_encounter(plan, patient_id, organisation, zone, practitioner(plan.doctor_id)))
        _course_records(session, out, plan, patient_id, encounter,
                        lambda key: therapies[key].name if key in therapies else key)
    if plans:
        summary = collect_discharge_summary(ctx, session, patient, choose_plan(session, patient.id, None))
    author = next(iter(practitioners.values()), None)
    composition = _composition(patient, summary, out, patient_id, organisation, author, ctx.now())
    if summary is not None:
        composition["encounter"] = _ref(summary.plan_id)
    from fhir.resources.R4B import get_fhir_model_class

    document_id = _uid("document", patient.id, ctx.now().isoformat())
    bundle = {"resourceType": "Bundle", "id": _uid("bundle", patient.id, ctx.now().isoformat()),
              "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{document_id}"},
              "type": "document", "timestamp": _instant(ctx.now()),
              "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in [composition, *out.resources]]}
    try:
        get_fhir_model_class("Composition").model_validate(composition)
        get_fhir_model_class("Bundle").model_validate(bundle)
    except Exception as exc:
        raise FhirInvalid(f"The exported document did not validate as FHIR {FHIR_VERSION}: {_error_paths(exc)}") \
            from None
    return bundle


def _patient(row: PatientRow, organisation: str) -> dict:
    identifiers = [{"type": _concept("Medical record number", _V2_0203, "MR", "Medical record number"),
                    "system": UHID_SYSTEM, "value": row.uhid}]
    if row.abha_number:
        identifiers.insert(0, {"type": {"text": "ABHA number"}, "system": ABHA_SYSTEM, "value": row.abha_number})
    telecom = [{"system": "phone", "value": value, "use": use} for value, use in ((row.phone, "mobile"),
                                                                                  (row.alt_phone, "home")) if value]
    if row.email:
        telecom.append({"system": "email", "value": row.email})
    resource = {"resourceType": "Patient", "id": row.id, "identifier": identifiers, "active": True,
                "name": [{"text": patient_name(row), "given": [row.given_name],
                          **({"family": row.family_name} if row.family_name else {})}],
                "gender": GENDER.get(row.sex, "unknown"), "birthDate": row.date_of_birth.isoformat(),
                "managingOrganization": _ref(organisation),
                "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47",
                                                            "code": row.preferred_language or "en"}]}}]}
    if telecom:
        resource["telecom"] = telecom
    address = {key: value for key, value in (("city", row.city), ("state", row.state),
                                             ("postalCode", row.pincode)) if value}
    if row.address_line:
        address["line"] = [row.address_line]
    if address:
        resource["address"] = [address | {"country": "IN"}]
    return resource


def _allergy(row: AllergyRow, patient_id: str) -> dict:
    status = "inactive" if row.removed_at else "active"
    resource = {"resourceType": "AllergyIntolerance", "id": row.id,
                "clinicalStatus": _concept(status, "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                           status),
                "code": {"text": row.substance}, "patient": _ref(patient_id), "recordedDate": _instant(row.recorded_at)}
    if row.reaction or row.severity:
        reaction = {"manifestation": [{"text": row.reaction or "Reaction not described"}]}
        if row.severity in ("mild", "moderate", "severe"):
            reaction["severity"] = row.severity
        resource["reaction"] = [reaction]
    return resource


def _consultation_encounter(row: ConsultationRow, patient_id: str, doctor: str | None, organisation: str) -> dict:
    finished = row.status in ("signed", "completed", "closed")
    resource = {"resourceType": "Encounter", "id": row.id, "status": "finished" if finished else "in-progress",
                "class": {"system": _ACT_CODE, "code": "AMB", "display": "ambulatory"},
                "type": [{"text": "Ayurveda consultation"}], "subject": _ref(patient_id),
                "serviceProvider": _ref(organisation)}
    start = row.started_at or row.created_at
    resource["period"] = {"start": _instant(start), **({"end": _instant(row.ended_at)} if row.ended_at else {})}
    if doctor:
        resource["participant"] = [{"individual": _ref(doctor)}]
    return resource


def _course_encounter(plan: CarePlanRow, patient_id: str, organisation: str, zone, doctor: str | None) -> dict:
    status = {"completed": "finished", "cancelled": "cancelled", "planned": "planned"}.get(plan.status, "in-progress")
    resource = {"resourceType": "Encounter", "id": plan.id, "status": status,
                "class": {"system": _ACT_CODE, "code": "AMB", "display": "ambulatory"},
                "type": [{"text": f"Panchakarma course: {plan.name}"}], "subject": _ref(patient_id),
                "serviceProvider": _ref(organisation),
                "period": {"start": _instant(datetime.combine(plan.start_date, time(0), zone))}}
    if doctor:
        resource["participant"] = [{"individual": _ref(doctor)}]
    return resource


def _vital_observations(source_id: str, row, patient_id: str, encounter: str, at: datetime) -> list[dict]:
    base = {"resourceType": "Observation", "status": "final", "subject": _ref(patient_id),
            "encounter": _ref(encounter), "effectiveDateTime": _instant(at),
            "category": [_concept("Vital Signs", _OBS_CATEGORY, "vital-signs", "Vital Signs")]}
    found = []
    for column, code, display, unit in VITALS:
        value = getattr(row, column, None)
        if value is None:
            continue
        found.append(base | {"id": _uid(source_id, column), "code": _concept(display, LOINC, code, display),
                             "valueQuantity": {"value": float(value), "unit": unit, "system": UCUM, "code": unit}})
    if row.bp_systolic is not None and row.bp_diastolic is not None:
        found.append(base | {"id": _uid(source_id, "bp"), "code": _concept("Blood pressure panel", LOINC, "85354-9",
                                                                          "Blood pressure panel"),
                             "component": [
                                 {"code": _concept("Systolic blood pressure", LOINC, "8480-6"),
                                  "valueQuantity": {"value": row.bp_systolic, "unit": "mm[Hg]", "system": UCUM,
                                                    "code": "mm[Hg]"}},
                                 {"code": _concept("Diastolic blood pressure", LOINC, "8462-4"),
                                  "valueQuantity": {"value": row.bp_diastolic, "unit": "mm[Hg]", "system": UCUM,
                                                    "code": "mm[Hg]"}}]})
    return found


def _consultation_records(ctx, session, out: _Builder, consultation: ConsultationRow, patient_id: str,
                          encounter: str, practitioner) -> None:
    for vitals in session.scalars(select(ConsultationVitalsRow).where(
            ConsultationVitalsRow.consultation_id == consultation.id)):
        for resource in _vital_observations(vitals.id, vitals, patient_id, encounter, vitals.at):
            out.add(resource)
    note = session.scalars(select(ClinicalNoteRow).where(ClinicalNoteRow.consultation_id == consultation.id,
                                                         ClinicalNoteRow.status == "signed")
                           .order_by(ClinicalNoteRow.version.desc()).limit(1)).first()
    if note is not None:
        sections = open_json(ctx, note.sealed_sections, context=note_context(note.id))["sections"]
        # the assessment holds the diagnoses (ICD-10 coded when picked from the list); the chief complaint is the
        # problem the patient came with, exported as a problem-list Condition so it is not lost when no diagnosis
        # was written
        for part, category in (("assessment", "encounter-diagnosis"), ("chief_complaint", "problem-list-item")):
            for number, sentence in enumerate(sections.get(part, [])):
                out.add(_condition(_uid(note.id, part, str(number)), sentence["text"], patient_id, encounter,
                                   note.signed_at or note.written_at, category))
    for rx in session.scalars(select(PrescriptionRow).where(PrescriptionRow.consultation_id == consultation.id)):
        requester = practitioner(rx.prescribed_by)
        for item in session.scalars(select(PrescriptionItemRow).where(PrescriptionItemRow.prescription_id == rx.id)
                                    .order_by(PrescriptionItemRow.line_no)):
            out.add(_medication_request(item, rx, patient_id, encounter, requester))


def _condition(resource_id: str, text: str, patient_id: str, encounter: str, at: datetime,
               category: str = "encounter-diagnosis") -> dict:
    """A Condition; text that starts with an ICD-10 code ("M17.0 Primary osteoarthritis...") is coded with it."""
    match = _ICD10_AT_START.match(text)
    code = (_concept(text, ICD10, match.group(1), match.group(2) or None) if match else {"text": text})
    return {"resourceType": "Condition", "id": resource_id,
            "clinicalStatus": _concept("Active", "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
            "category": [_concept(category.replace("-", " ").capitalize(),
                                  "http://terminology.hl7.org/CodeSystem/condition-category", category)],
            "code": code, "subject": _ref(patient_id), "encounter": _ref(encounter), "recordedDate": _instant(at)}


def _medication_request(item: PrescriptionItemRow, rx: PrescriptionRow, patient_id: str, encounter: str,
                        requester: str | None) -> dict:
    frequency = parse_frequency(item.frequency_code)
    when = f"{frequency.code} ({frequency.label})" + (f", {FOOD_TIMINGS[item.food_timing]}"
                                                        if FOOD_TIMINGS.get(item.food_timing) else "")
    dose = f"{plain_number(item.dose)} {item.dose_unit}"
    text = f"{dose}, {when}, for {item.duration_days} days" + (f". {item.instructions}" if item.instructions else "")
    resource = {"resourceType": "MedicationRequest", "id": item.id, "status": "active", "intent": "order",
                "medicationCodeableConcept": {"text": item.drug_name}, "subject": _ref(patient_id),
                "encounter": _ref(encounter), "authoredOn": _instant(rx.prescribed_at),
                "dosageInstruction": [{"text": text, "route": {"text": item.route},
                                       "doseAndRate": [{"doseQuantity": {"value": float(item.dose),
                                                                         "unit": item.dose_unit}}]}],
                "dispenseRequest": {"expectedSupplyDuration": {"value": item.duration_days, "unit": "days",
                                                               "system": UCUM, "code": "d"}}}
    if requester:
        resource["requester"] = _ref(requester)
    return resource


def _course_records(session, out: _Builder, plan: CarePlanRow, patient_id: str, encounter: str, therapy_name) -> None:
    rows = list(plan.sessions)
    by_id = {row.id: row for row in rows}
    for row in rows:
        if row.status not in ("completed", "in_session", "recovery", "in_preparation"):
            continue
        procedure = {"resourceType": "Procedure", "id": row.id,
                     "status": "completed" if row.status == "completed" else "in-progress",
                     "code": {"text": therapy_name(row.therapy)},
                     "category": {"text": f"Panchakarma: {row.phase}"},
                     "subject": _ref(patient_id), "encounter": _ref(encounter)}
        if row.started_at:
            procedure["performedPeriod"] = {"start": _instant(row.started_at),
                                            **({"end": _instant(row.ended_at)} if row.ended_at else {})}
        out.add(procedure)
    for vitals in session.scalars(select(VitalsRow).where(VitalsRow.session_id.in_(list(by_id)))):
        for resource in _vital_observations(vitals.id, vitals, patient_id, encounter, vitals.at):
            if by_id[vitals.session_id].status != "scheduled":  # the session is exported as a Procedure
                resource["partOf"] = [_ref(vitals.session_id)]
            out.add(resource)
    for report in session.scalars(select(OutcomeReportRow).where(OutcomeReportRow.plan_id == plan.id)):
        scores = dict(report.symptom_scores) | {name: value for name, value in (
            ("energy", report.energy), ("sleep", report.sleep), ("digestion", report.digestion)) if value is not None}
        for name, value in scores.items():
            out.add({"resourceType": "Observation", "id": _uid(report.id, name), "status": "final",
                     "category": [_concept("Survey", _OBS_CATEGORY, "survey", "Survey")],
                     "code": {"text": f"Patient-reported score (0-10): {name}"}, "subject": _ref(patient_id),
                     "encounter": _ref(encounter), "effectiveDateTime": _instant(report.at), "valueInteger": value})


def _composition(patient: PatientRow, summary: DischargeSummary | None, out: _Builder, patient_id: str,
                 organisation: str, author: str | None, now: datetime) -> dict:
    def section(title: str, lines: list[str], kinds: tuple[str, ...] = ()) -> dict:
        entries = [_ref(i) for kind in kinds for i in out.of_type(kind)]
        return {"title": title, "text": _narrative(lines), **({"entry": entries} if entries else {})}

    if summary is not None:
        kind = _concept("Discharge summary", LOINC, "18842-5", "Discharge summary")
        title = f"Discharge summary: {summary.course_name}"
        sections = [
            section("Course and phases", [f"{summary.course_name} ({summary.course_status}), {summary.start_date} to "
                                          f"{summary.end_date}"] + [
                f"{span.phase}: {span.first_day} to {span.last_day}, {span.completed}/{span.planned} sessions"
                for span in summary.phases], ("Encounter",)),
            section("Diagnosis", list(summary.diagnoses), ("Condition",)),
            section("Therapies done", [f"{t.day} {t.therapy}" + (f" ({'; '.join(t.medicines)})" if t.medicines else "")
                                       for t in summary.therapies], ("Procedure",)),
            section("Vitals and symptom trends", [f"{s.day}: " + ", ".join(f"{n} {v}" for n, v in s.scores)
                                                  for s in summary.symptoms], ("Observation",)),
            section("Deviations and incidents", [f"{d.day} {d.therapy}: {d.what}" for d in summary.deviations] + [
                f"{i.day} incident ({i.severity}): {i.description}" for i in summary.incidents]),
            section("Medicines", [f"{m.name} {m.dose}, {m.how}, {m.duration}" for m in summary.medicines],
                    ("MedicationRequest",)),
            section("Allergies", list(summary.patient.allergies), ("AllergyIntolerance",)),
            section("Diet advice", list(summary.diet_advice) or ["Graded diet (Samsarjana krama) as advised."]),
            section("Follow-up", [f"Review on {summary.follow_up}" + (" (booked)" if summary.follow_up_booked
                                                                        else "")] if summary.follow_up else []),
        ]
    else:
        kind = _concept("Patient summary Document", LOINC, "60591-5", "Patient summary Document")
        title = "Patient summary"
        sections = [section("Encounters", [], ("Encounter",)), section("Diagnosis", [], ("Condition",)),
                    section("Vitals", [], ("Observation",)), section("Medicines", [], ("MedicationRequest",)),
                    section("Allergies", [], ("AllergyIntolerance",))]
    return {"resourceType": "Composition", "id": _uid("composition", patient.id, now.isoformat()), "status": "final",
            "type": kind, "subject": _ref(patient_id), "date": _instant(now), "title": title,
            "author": [_ref(author or organisation)], "custodian": _ref(organisation), "section": sections}


def export_fhir_bundle(ctx: ServiceContext, patient: str) -> dict:
    """A patient's record as a validated FHIR R4B document Bundle (dict); `patient` is a record id or a UHID."""
    ctx.authorise(Action.PATIENT_EXPORT, entity="patient", entity_id=audit_key(patient))
    with ctx.unit_of_work() as session:
        row = find_patient(session, patient)
        bundle = build_bundle(ctx, session, row)
        ctx.audit(session, "patient.export_fhir", entity="patient", entity_id=row.id,
                  detail=f"{len(bundle['entry'])} resources")
        return bundle


def bundle_json(bundle: dict) -> bytes:
    return json.dumps(bundle, ensure_ascii=False, indent=2, default=_json_default).encode()


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def export_fhir_json(ctx: ServiceContext, patient: str) -> bytes:
    """The Bundle as UTF-8 JSON, ready to write to a file."""
    return bundle_json(export_fhir_bundle(ctx, patient))
