"""The patient's copy of a signed consultation note: letterhead, visit, diagnosis and advice on one A4 page (shaped
Hindi and Malayalam through the reports package's fonts), from a ConsultationSummary value."""

import io
from dataclasses import dataclass
from datetime import date

from clinicdesk.reports.fonts import register_document_fonts
from clinicdesk.reports.letterhead import (
    ClinicLetterhead,
    document_styles,
    draw_footer,
    letterhead_flowables,
    para,
    table_font,
)


@dataclass(frozen=True)
class ConsultationSummary:
    """What the patient may keep of a visit: the signed note's diagnosis and advice, nothing else of it."""

    letterhead: ClinicLetterhead
    patient_name: str
    name_local: str
    uhid: str
    age_sex: str
    doctor: str
    visit_day: date
    signed_day: date
    diagnosis: tuple[str, ...]
    advice: tuple[str, ...]
    labels: dict  # printed headings in the patient's language: title, patient, uhid, age_sex, doctor, visit,
    # signed, diagnosis, advice, nothing_recorded


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def render_consultation_summary(summary: ConsultationSummary) -> bytes:
    """A4 PDF bytes; the same summary always gives the same bytes (no timestamps)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    fonts = register_document_fonts()
    styles = document_styles(fonts)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=18 * mm, title="Consultation summary", author=summary.letterhead.name,
                            creator="ClinicDesk", invariant=1, initialFontName=fonts.body)
    width = doc.width - 12  # the frame keeps 6 pt inside each margin
    labels = summary.labels

    def p(text, style="body", bold=False):
        return para(text, styles[style], fonts, bold=bold)

    story = letterhead_flowables(summary.letterhead, fonts, styles, width)
    story.append(p(labels["title"], "clinic", bold=True))
    name_cell = [p(summary.patient_name, "bold", bold=True)]
    if summary.name_local:
        name_cell.append(p(summary.name_local))
    facts = Table([[p(labels["patient"], "small"), p(labels["uhid"], "small"), p(labels["age_sex"], "small")],
                   [name_cell, p(summary.uhid, "bold", bold=True), p(summary.age_sex)],
                   [p(labels["doctor"], "small"), p(labels["visit"], "small"), p(labels["signed"], "small")],
                   [p(summary.doctor), p(_day(summary.visit_day)), p(_day(summary.signed_day))]],
                  colWidths=[width * 0.5, width * 0.28, width * 0.22])
    facts.setStyle(TableStyle(table_font(fonts) + [("BACKGROUND", (0, 0), (-1, -1), "#f1f5f2"),
                                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(facts)
    for heading, lines in ((labels["diagnosis"], summary.diagnosis), (labels["advice"], summary.advice)):
        story.append(p(heading, "heading", bold=True))
        story += [p(f"\u2022  {line}") for line in lines] or [p(labels["nothing_recorded"], "small")]

    def footer(canvas, doc_):
        draw_footer(canvas, doc_, fonts=fonts, left_text=f"Consultation summary  ·  UHID {summary.uhid}")

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
