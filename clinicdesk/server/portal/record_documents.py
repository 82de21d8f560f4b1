"""The records a patient can download from the portal (prescriptions, consultation summaries, discharge summaries,
invoices): what the list shows, and each one's PDF built from HQ's synced rows with the desk's own renderers."""

from dataclasses import dataclass
from datetime import date

from clinicdesk.domain.billing.money import format_inr
from clinicdesk.reports.discharge_pdf import render_discharge_summary
from clinicdesk.reports.invoice_pdf import render_invoice
from clinicdesk.reports.prescription_pdf import render_prescription
from clinicdesk.server.portal.consultation_notes import NoteOpener, NoteUnavailable, signed_note, signed_notes
from clinicdesk.server.portal.consultation_summary_pdf import ConsultationSummary, render_consultation_summary
from clinicdesk.server.portal.discharge_from_rows import build_discharge_summary, completed_plans
from clinicdesk.server.portal.invoice_from_rows import build_invoice
from clinicdesk.server.portal.prescription_from_rows import build_prescription, letterhead
from clinicdesk.server.portal.record_scope import RecordScope
from clinicdesk.server.portal.record_values import age_sex, as_date, as_decimal, local_day, patient_name
from clinicdesk.server.portal.rendering import translate

KINDS = ("prescription", "consultation", "discharge", "invoice")
_SUMMARY_LABELS = ("title", "patient", "uhid", "age_sex", "doctor", "visit", "signed", "diagnosis", "advice",
                   "nothing_recorded")


@dataclass(frozen=True)
class RecordEntry:
    """One line of the records page: no clinical text, only what tells the patient which document it is."""

    kind: str
    row_id: str
    day: date
    detail: str  # the doctor's name, the course's name, or the bill's number and total
    credit_note: bool = False


@dataclass(frozen=True)
class RecordPdf:
    file_name: str  # neutral: the kind and the day, never the patient's name or number
    content: bytes


def list_records(scope: RecordScope) -> dict[str, list[RecordEntry]]:
    """Every downloadable record of the patient by kind, newest first."""
    zone = scope.zone
    prescriptions = [RecordEntry("prescription", rx["id"], local_day(rx.get("prescribed_at"), zone),
                                 scope.staff_name(rx.get("prescribed_by")))
                     for rx in scope.of_patient("prescriptions")]
    consultations = [RecordEntry("consultation", note["id"], local_day(note.get("signed_at"), zone),
                                 scope.staff_name(note.get("signed_by") or consultation.get("doctor_id")))
                     for note, consultation in signed_notes(scope)]
    discharges = [RecordEntry("discharge", plan["id"], as_date(plan.get("start_date")), plan.get("name") or "")
                  for plan in completed_plans(scope)]
    invoices = [RecordEntry("invoice", bill["id"], as_date(bill.get("issued_on")),
                            f"{bill.get('number') or ''}  {format_inr(as_decimal(bill.get('total')))}",
                            credit_note=bill.get("kind") == "credit_note")
                for bill in scope.of_patient("invoices")]
    listed = {"prescription": prescriptions, "consultation": consultations, "discharge": discharges,
              "invoice": invoices}
    # a row without its date is malformed; it is left off rather than break the page
    return {kind: sorted((e for e in entries if e.day is not None), key=lambda e: (e.day, e.row_id), reverse=True)
            for kind, entries in listed.items()}


def _consultation_pdf(scope: RecordScope, note_id: str, language: str, notes: NoteOpener | None) -> RecordPdf | None:
    pair = signed_note(scope, note_id)
    if pair is None:
        return None
    if notes is None:
        raise NoteUnavailable("HQ holds no centre key to open notes with")
    note, consultation = pair
    sections = notes.sections(note)
    signed_day = local_day(note.get("signed_at"), scope.zone)
    visit_day = local_day(consultation.get("started_at"), scope.zone) or signed_day
    patient = scope.patient
    summary = ConsultationSummary(
        letterhead=letterhead(scope), patient_name=patient_name(patient), name_local=patient.get("name_local") or "",
        uhid=patient.get("uhid") or "", age_sex=age_sex(patient, visit_day),
        doctor=scope.staff_name(note.get("signed_by") or consultation.get("doctor_id")), visit_day=visit_day,
        signed_day=signed_day, diagnosis=sections["assessment"], advice=sections["plan"],
        labels={key: translate(language, f"records.pdf.{key}") for key in _SUMMARY_LABELS})
    return RecordPdf(f"consultation-summary-{signed_day.isoformat()}.pdf", render_consultation_summary(summary))


def record_pdf(scope: RecordScope, kind: str, row_id: str, *, language: str, today: date,
               notes: NoteOpener | None) -> RecordPdf | None:
    """The PDF of one of the patient's records, or None when it is not theirs, not of that kind, a draft, or not
    there. NoteUnavailable when a consultation summary exists but its text cannot be opened at HQ."""
    if kind == "prescription":
        rx = scope.owned("prescriptions", row_id)
        if rx is None:
            return None
        document = build_prescription(scope, rx, notes)
        return RecordPdf(f"prescription-{document.date.isoformat()}.pdf", render_prescription(document))
    if kind == "consultation":
        return _consultation_pdf(scope, row_id, language, notes)
    if kind == "discharge":
        plan = next((plan for plan in completed_plans(scope) if plan["id"] == row_id), None)
        if plan is None:
            return None
        summary = build_discharge_summary(scope, plan, today=today, language=language, notes=notes)
        return RecordPdf(f"discharge-summary-{summary.end_date.isoformat()}.pdf", render_discharge_summary(summary))
    if kind == "invoice":
        bill = scope.owned("invoices", row_id)
        if bill is None:
            return None
        document = build_invoice(scope, bill)
        name = "credit-note" if bill.get("kind") == "credit_note" else "invoice"
        return RecordPdf(f"{name}-{document.date.isoformat()}.pdf", render_invoice(document))
    return None
