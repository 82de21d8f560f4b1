"""Everything held about one patient, for their right of access: FHIR Bundle, documents, summaries, an index (zip)."""

import io
import re
import zipfile
from html import escape

from sqlalchemy import select

from clinicdesk.domain.roles import Action
from clinicdesk.reports.discharge_pdf import render_discharge_summary
from clinicdesk.reports.fonts import FontsMissing
from clinicdesk.services.consultation_records import patient_name
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.discharge_summary import audit_key, collect_discharge_summary, find_patient, summary_language
from clinicdesk.services.fhir_export import FHIR_VERSION, build_bundle, bundle_json
from clinicdesk.store.models import AuditEntryRow, PatientDocumentRow
from clinicdesk.store.models_therapy import CarePlanRow

_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "text/plain": "txt"}
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # fixed member times: the same record always gives the same archive


def _safe(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-")[:60] or "document"


def export_patient_archive(ctx: ServiceContext, patient: str) -> bytes:
    """A zip of everything held about the patient: fhir.json, documents/ (decrypted), discharge summaries, index.html.

    Recordings and transcripts are not included: they are kept only for a short retention period and the signed
    notes drawn from them are in the FHIR Bundle.
    """
    ctx.authorise(Action.PATIENT_EXPORT, entity="patient", entity_id=audit_key(patient))
    with ctx.unit_of_work() as session:
        row = find_patient(session, patient)
        bundle = build_bundle(ctx, session, row)
        documents = []
        for number, document in enumerate(session.scalars(select(PatientDocumentRow).where(
                PatientDocumentRow.patient_id == row.id).order_by(PatientDocumentRow.added_at)), start=1):
            extension = _EXTENSIONS.get(document.mime_type, "bin")
            name = f"documents/{number:03d}-{_safe(document.title)}.{extension}"
            content = (ctx.db.sealer.open(document.sealed_content, context=f"document:{document.id}")
                       if document.sealed_content else None)  # None: its bytes have not arrived from HQ yet
            documents.append((name, document.title, document.mime_type, document.added_at, content))
        language = summary_language(row, None)
        summaries = [collect_discharge_summary(ctx, session, row, plan, language=language) for plan in session.scalars(
            select(CarePlanRow).where(CarePlanRow.patient_id == row.id, CarePlanRow.status != "cancelled")
            .order_by(CarePlanRow.start_date))]
        accesses = session.scalar(select(AuditEntryRow.seq).where(AuditEntryRow.entity_id == row.id).limit(1))
        ctx.audit(session, "patient.export_archive", entity="patient", entity_id=row.id,
                  detail=f"{len(documents)} documents, {len(summaries)} summaries")
        name, uhid = patient_name(row), row.uhid
    pdfs = []
    for number, summary in enumerate(summaries, start=1):
        try:
            pdfs.append((f"discharge-summary-{number}.pdf", summary.course_name, render_discharge_summary(summary)))
        except FontsMissing:
            pdfs.append((f"discharge-summary-{number}.txt", summary.course_name,
                         b"The fonts needed to print this summary are not installed on the exporting computer."))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def put(member: str, content: bytes) -> None:
            archive.writestr(zipfile.ZipInfo(member, _ZIP_TIME), content, compress_type=zipfile.ZIP_DEFLATED)

        put("fhir.json", bundle_json(bundle))
        for member, _, _, _, content in documents:
            if content is not None:
                put(member, content)
        for member, _, content in pdfs:
            put(member, content)
        put("index.html", _index(name, uhid, bundle, documents, pdfs, has_audit=accesses is not None).encode())
    return buffer.getvalue()


def _index(name: str, uhid: str, bundle: dict, documents: list, pdfs: list, *, has_audit: bool) -> str:
    counts: dict[str, int] = {}
    for entry in bundle["entry"]:
        kind = entry["resource"]["resourceType"]
        counts[kind] = counts.get(kind, 0) + 1
    rows = "".join(f"<li>{escape(kind)}: {count}</li>" for kind, count in sorted(counts.items()))
    docs = "".join(
        f"<li><a href=\"{escape(member)}\">{escape(title)}</a> ({escape(mime)}, added {added:%d %b %Y})</li>"
        if content is not None else f"<li>{escape(title)}: not yet downloaded from HQ on this computer</li>"
        for member, title, mime, added, content in documents) or "<li>None</li>"
    summaries = "".join(f"<li><a href=\"{escape(member)}\">{escape(title)}</a></li>"
                        for member, title, _ in pdfs) or "<li>None</li>"
    audit = ("Every view, print and export of your record is written to the clinic's audit log; ask the clinic for "
             "that list." if has_audit else "No access has been recorded.")
    return (f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Records held: {escape(uhid)}</title>"
            f"<body style=\"font-family: sans-serif; max-width: 48em\"><h1>Records held about {escape(name)}</h1>"
            f"<p>UHID {escape(uhid)}. This archive holds everything the clinic keeps about you.</p>"
            f"<h2>Your health record (fhir.json)</h2><p>A FHIR {FHIR_VERSION} document Bundle, the format Indian "
            f"health records use (ABDM), with:</p><ul>{rows}</ul>"
            f"<h2>Discharge summaries</h2><ul>{summaries}</ul><h2>Documents</h2><ul>{docs}</ul>"
            f"<h2>Who saw your record</h2><p>{audit}</p></body></html>")
