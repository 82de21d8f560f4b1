"""FHIR R4B export: every demo patient's document Bundle validates; Composition first, ABHA and UHID, LOINC vitals."""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from clinicdesk.domain.errors import PermissionDenied
from clinicdesk.services.fhir_export import ABHA_SYSTEM, LOINC, UHID_SYSTEM, export_fhir_bundle, export_fhir_json
from clinicdesk.store.models import AuditEntryRow, PatientRow
from clinicdesk.store.models_therapy import CarePlanRow
from tests.services.discharge_demo import FIXED_NOW, open_demo


@pytest.fixture
def ctx():
    ctx = open_demo()
    yield ctx
    ctx.db.close()


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_every_demo_patients_bundle_validates_as_a_document(ctx):
    with ctx.db.session() as session:
        uhids = list(session.scalars(select(PatientRow.uhid)))
    assert len(uhids) >= 10
    kinds: set[str] = set()
    for uhid in uhids:
        bundle = export_fhir_bundle(ctx, uhid)
        Bundle.model_validate(bundle)  # independently of the exporter's own check
        assert bundle["type"] == "document" and bundle["identifier"]["value"].startswith("urn:uuid:")
        assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"
        full_urls = {e["fullUrl"] for e in bundle["entry"]}
        references = {ref["reference"] for e in bundle["entry"] for ref in _references(e["resource"])}
        assert references <= full_urls, references - full_urls  # every reference resolves inside the Bundle
        kinds |= {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds >= {"Composition", "Patient", "Encounter", "Condition", "Observation", "MedicationRequest",
                     "Procedure", "AllergyIntolerance", "Organization", "Practitioner"}


def _references(value):
    if isinstance(value, dict):
        if set(value) == {"reference"}:
            yield value
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def test_patient_carries_abha_and_uhid_identifiers(ctx):
    with ctx.db.session() as session:
        row = session.scalars(select(PatientRow).where(PatientRow.abha_number != "")).first()
    patient = resources(export_fhir_bundle(ctx, row.uhid), "Patient")[0]
    systems = {i["system"]: i["value"] for i in patient["identifier"]}
    assert systems == {ABHA_SYSTEM: row.abha_number, UHID_SYSTEM: row.uhid}
    assert patient["birthDate"] == row.date_of_birth.isoformat()


def test_the_course_patient_has_a_discharge_composition_loinc_vitals_procedures_and_scores(ctx):
    with ctx.db.session() as session:
        plan = session.scalars(select(CarePlanRow).where(CarePlanRow.course_key == "classic-virechana-21")
                               .order_by(CarePlanRow.created_at)).first()
    bundle = export_fhir_bundle(ctx, plan.patient_id)
    composition = bundle["entry"][0]["resource"]
    assert composition["type"]["coding"][0] == {"system": LOINC, "code": "18842-5", "display": "Discharge summary"}
    titles = [s["title"] for s in composition["section"]]
    assert titles[:3] == ["Course and phases", "Diagnosis", "Therapies done"] and "Follow-up" in titles
    observations = resources(bundle, "Observation")
    codes = {c["code"] for o in observations for c in o["code"].get("coding", [])}
    assert {"8867-4", "85354-9"} <= codes  # heart rate and the blood pressure panel
    bp = next(o for o in observations if o["code"].get("coding", [{}])[0].get("code") == "85354-9")
    assert {c["code"]["coding"][0]["code"] for c in bp["component"]} == {"8480-6", "8462-4"}
    assert any(o["code"]["text"].endswith("knee pain") and "valueInteger" in o for o in observations)
    procedures = resources(bundle, "Procedure")
    assert procedures and all(p["status"] in ("completed", "in-progress") for p in procedures)
    assert any(p["code"]["text"].startswith("Virechana") for p in procedures)


def test_export_is_audited_without_values_and_refused_to_a_therapist(ctx):
    with ctx.db.session() as session:
        row = session.scalars(select(PatientRow)).first()
    content = export_fhir_json(ctx, row.uhid)
    assert json.loads(content)["resourceType"] == "Bundle"
    with ctx.db.session() as session:
        entry = session.scalars(select(AuditEntryRow).where(AuditEntryRow.action == "patient.export_fhir")
                                .order_by(AuditEntryRow.seq.desc())).first()
    assert entry.entity_id == row.id and row.given_name not in entry.detail and row.uhid not in entry.detail
    therapist = open_demo(username="rajan.t")
    try:
        with pytest.raises(PermissionDenied):
            export_fhir_bundle(therapist, row.uhid)
    finally:
        therapist.db.close()


@pytest.mark.parametrize("text, coding", [
    ("M17.0 Bilateral primary osteoarthritis of knee", {"system": "http://hl7.org/fhir/sid/icd-10", "code": "M17.0",
                                                        "display": "Bilateral primary osteoarthritis of knee"}),
    ("K30: Functional dyspepsia", {"system": "http://hl7.org/fhir/sid/icd-10", "code": "K30",
                                   "display": "Functional dyspepsia"}),
    ("Sandhivata with vata aggravation", None)])
def test_a_diagnosis_starting_with_an_icd10_code_is_coded_with_it(text, coding):
    from fhir.resources.R4B.condition import Condition

    from clinicdesk.services.fhir_export import _condition
    from clinicdesk.services.fhir_export import _uid as uid

    resource = _condition(uid("t", text), text, uid("p"), uid("e"), FIXED_NOW)
    Condition.model_validate(resource)
    assert resource["code"]["text"] == text
    assert resource["code"].get("coding", [None])[0] == coding


def test_the_patient_archive_holds_their_documents_decrypted_and_an_index(admin_ctx):
    import io
    import zipfile

    from clinicdesk.services import patient_export, patient_records, patients
    from tests.services.helpers import patient_draft

    patient_id, _ = patients.register_patient(admin_ctx, patient_draft())
    patient_records.add_document(admin_ctx, patient_id, title="Blood report / Nov", mime_type="application/pdf",
                                 content=b"%PDF-1.4 lab report")
    archive = zipfile.ZipFile(io.BytesIO(patient_export.export_patient_archive(admin_ctx, patient_id)))
    names = archive.namelist()
    document = next(name for name in names if name.startswith("documents/"))
    assert document == "documents/001-Blood-report-Nov.pdf"
    assert archive.read(document) == b"%PDF-1.4 lab report"  # decrypted, byte for byte
    assert "Blood report / Nov" in archive.read("index.html").decode()
    Bundle.model_validate(json.loads(archive.read("fhir.json")))
    assert not any(name.startswith("discharge-summary") for name in names)  # no course, no summary
