"""A filled intake form on A4: clinic name, patient, each section's questions and answers. DTO in, bytes out."""

import io
from dataclasses import dataclass

from clinicdesk.domain.intake_forms import FormDefinition, QuestionType, answer_text, signature_png, tallies
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
    def answer_cell(question):
        value = doc_data.answers.get(question.key)
        if question.type is QuestionType.SIGNATURE and value:
            picture = _signature_image(signature_png(value), width * 0.4)
            if picture is not None:
                return picture
        return p(answer_text(question, value) or "—", "cell", bold=True)

    for section in doc_data.form.sections:
        story.append(p(section.title, "heading", bold=True))
        rows = [[p(q.label + (" *" if q.required else ""), "cell"), answer_cell(q)] for q in section.questions]
        table = Table(rows, colWidths=[width * 0.55, width * 0.45])
        table.setStyle(TableStyle(table_font(fonts) + [("VALIGN", (0, 0), (-1, -1), "TOP"),
                                                       ("LINEBELOW", (0, 0), (-1, -1), 0.3, "#d5dbd7")]))
        story.append(table)
    for name, counts in tallies(doc_data.form, doc_data.answers).items():
        counted = ", ".join(f"{value.title()} {count}" for value, count in counts.items())
        story.append(p(f"{name.title()} count: {counted}", "body", bold=True))

    def footer(canvas, doc_):
        draw_footer(canvas, doc_, fonts=fonts, left_text=f"{doc_data.form.title}  ·  UHID {doc_data.uhid}")

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _signature_image(png: bytes, max_width: float):
    """The drawn signature scaled into the answer column; None when the bytes are not a readable picture."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    try:
        pixel_width, pixel_height = ImageReader(io.BytesIO(png)).getSize()
    except Exception:  # noqa: BLE001 - a damaged picture prints as the word "Signed" instead of failing the print
        return None
    if not pixel_width or not pixel_height:
        return None
    width = min(max_width, float(pixel_width))
    return Image(io.BytesIO(png), width=width, height=width * pixel_height / pixel_width)
