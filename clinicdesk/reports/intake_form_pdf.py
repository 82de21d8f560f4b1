"""A filled intake form on A4: clinic name, patient, each section's questions and answers. DTO in, bytes out."""

import io
from dataclasses import dataclass

from clinicdesk.domain.intake_forms import FormDefinition, answer_text
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
class FilledFormDocument:
    letterhead: ClinicLetterhead
    form: FormDefinition
    answers: dict[str, object]
    patient_name: str
    uhid: str
    filled_at_text: str  # already in the clinic's time zone and wording
    filled_by: str


def render_filled_form(doc_data: FilledFormDocument) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    fonts = register_document_fonts()
    styles = document_styles(fonts)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=18 * mm, title=doc_data.form.title, author=doc_data.letterhead.name,
                            creator="ClinicDesk", invariant=1, initialFontName=fonts.body)
    width = doc.width - 12

    def p(text: str, style: str = "body", bold: bool = False):
        return para(text, styles[style], fonts, bold=bold)

    story = letterhead_flowables(doc_data.letterhead, fonts, styles, width)
    story.append(p(f"{doc_data.form.title} (version {doc_data.form.version})", "heading", bold=True))
    story.append(p(f"Patient: {doc_data.patient_name}  ·  UHID {doc_data.uhid}"))
    story.append(p(f"Filled {doc_data.filled_at_text} with {doc_data.filled_by}", "small"))
    for section in doc_data.form.sections:
        story.append(p(section.title, "heading", bold=True))
        rows = [[p(q.label + (" *" if q.required else ""), "cell"),
                 p(answer_text(q, doc_data.answers.get(q.key)) or "—", "cell", bold=True)]
                for q in section.questions]
        table = Table(rows, colWidths=[width * 0.55, width * 0.45])
        table.setStyle(TableStyle(table_font(fonts) + [("VALIGN", (0, 0), (-1, -1), "TOP"),
                                                       ("LINEBELOW", (0, 0), (-1, -1), 0.3, "#d5dbd7")]))
        story.append(table)

    def footer(canvas, doc_):
        draw_footer(canvas, doc_, fonts=fonts, left_text=f"{doc_data.form.title}  ·  UHID {doc_data.uhid}")

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
