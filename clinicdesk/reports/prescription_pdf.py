"""The printed prescription: a PrescriptionDocument in, A4 PDF bytes out (English, Hindi and Malayalam shaped)."""

import io
from dataclasses import dataclass
from datetime import date

from clinicdesk.reports.fonts import register_document_fonts
from clinicdesk.reports.letterhead import (
    ACCENT,
    ClinicLetterhead,
    document_styles,
    draw_footer,
    letterhead_flowables,
    para,
    table_font,
)

__all__ = ["ClinicLetterhead", "Prescriber", "PrescribedPatient", "PrescriptionItem", "PrescriptionDocument",
           "render_prescription"]


@dataclass(frozen=True)
class Prescriber:
    name: str  # as printed, e.g. "Dr. Asha Menon"
    qualification: str  # e.g. "BAMS, MD (Ayu)"
    registration_number: str


@dataclass(frozen=True)
class PrescribedPatient:
    name: str
    uhid: str
    age_sex: str  # e.g. "42 y / F"
    name_local: str = ""  # the name in Hindi or Malayalam script, printed under the English name


@dataclass(frozen=True)
class PrescriptionItem:
    drug: str
    dose: str  # e.g. "2 tablets", "15 ml"
    frequency: str  # in words, e.g. "Twice a day (morning, night)"
    duration: str  # e.g. "14 days"
    route: str = "Oral"
    instructions: str = ""  # any script, e.g. "After food with warm water / भोजन के बाद गुनगुने पानी के साथ"


@dataclass(frozen=True)
class PrescriptionDocument:
    """Everything printed on one prescription. Every text field may mix English, Hindi and Malayalam."""

    letterhead: ClinicLetterhead
    doctor: Prescriber
    patient: PrescribedPatient
    date: date
    items: tuple[PrescriptionItem, ...]
    diagnosis: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    follow_up: date | None = None
    signature_label: str = "Signature of the physician"


_FRAME_PADDING = 6  # SimpleDocTemplate's frame keeps 6 pt inside the margins; full-width tables must too


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def _credentials(doctor: Prescriber) -> list[str]:
    """Qualification and registration number, whichever the clinic has entered."""
    return [text for text in (doctor.qualification,
                              f"Reg. No. {doctor.registration_number}" if doctor.registration_number else "") if text]


def render_prescription(rx: PrescriptionDocument, *, shaping: bool = True) -> bytes:
    """Lay out the prescription on A4 and return the PDF. `shaping=False` exists only to prove shaping in tests."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

    fonts = register_document_fonts()
    styles = document_styles(fonts)
    if not shaping:
        for style in styles.values():
            style.shaping = 0
    buffer = io.BytesIO()
    # invariant: the same prescription gives the same bytes (no timestamps), so reprints can be compared.
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=18 * mm, title="Prescription", author=rx.letterhead.name,
                            creator="ClinicDesk", invariant=1,
                            initialFontName=fonts.body)  # else every page names an unembedded Helvetica
    width = doc.width - 2 * _FRAME_PADDING

    def p(text, style="body", bold=False):
        return para(text, styles[style], fonts, bold=bold)

    story = letterhead_flowables(rx.letterhead, fonts, styles, width)
    doctor = [p(rx.doctor.name, "bold", bold=True)] + [p(text, "small") for text in _credentials(rx.doctor)]
    story.append(_plain_table([[doctor, p(f"Date: {_day(rx.date)}", "right")]], [width * 0.65, width * 0.35], fonts))
    story.append(Spacer(1, 4))

    name_cell = [p(rx.patient.name, "bold", bold=True)]
    if rx.patient.name_local:
        name_cell.append(p(rx.patient.name_local, "body"))
    patient = Table([[p("Patient", "small"), p("UHID", "small"), p("Age / Sex", "small")],
                     [name_cell, p(rx.patient.uhid, "bold", bold=True), p(rx.patient.age_sex, "body")]],
                    colWidths=[width * 0.5, width * 0.28, width * 0.22])
    patient.setStyle(TableStyle(table_font(fonts) + [
        ("BACKGROUND", (0, 0), (-1, -1), "#f1f5f2"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 0), ("TOPPADDING", (0, 1), (-1, 1), 0)]))
    story.append(patient)

    if rx.diagnosis:
        story.append(p("Diagnosis", "heading"))
        story += [p(line) for line in rx.diagnosis]

    story.append(p("\u211e", "rx"))
    story.append(_items_table(rx.items, p, width, fonts))

    if rx.advice:
        story.append(p("Advice", "heading"))
        story += [p(f"\u2022  {line}") for line in rx.advice]
    if rx.follow_up:
        story.append(Spacer(1, 6))
        story.append(p(f"Follow-up on {_day(rx.follow_up)}", "bold", bold=True))

    signature = _plain_table([["", [p("_" * 32, "right"), p(rx.doctor.name, "right", bold=True),
                                    p("  ·  ".join(_credentials(rx.doctor)), "right"),
                                    p(rx.signature_label, "right")]]], [width * 0.45, width * 0.55], fonts)
    story.append(KeepTogether([Spacer(1, 18 * mm), signature]))

    def footer(canvas, doc_):
        draw_footer(canvas, doc_, fonts=fonts, left_text=f"Prescription  ·  UHID {rx.patient.uhid}")

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _plain_table(rows, col_widths, fonts):
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=col_widths)
    table.setStyle(TableStyle(table_font(fonts) + [("VALIGN", (0, 0), (-1, -1), "TOP"),
                                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _items_table(items, p, width, fonts):
    from reportlab.platypus import Table, TableStyle

    header = [p(label, "cell_head", bold=True) for label in ("#", "Medicine", "Dose", "When", "How long",
                                                             "Instructions")]
    rows = [header]
    for number, item in enumerate(items, start=1):
        medicine = [p(item.drug, "cell", bold=True)] + ([p(item.route, "small")] if item.route else [])
        rows.append([p(str(number), "cell"), medicine, p(item.dose, "cell"), p(item.frequency, "cell"),
                     p(item.duration, "cell"), p(item.instructions, "cell")])
    fractions = (0.05, 0.25, 0.13, 0.19, 0.11, 0.27)
    table = Table(rows, colWidths=[width * f for f in fractions], repeatRows=1)
    table.setStyle(TableStyle(table_font(fonts) + [
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), ["#ffffff", "#f6f8f7"]),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, "#d5dcd8"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table
