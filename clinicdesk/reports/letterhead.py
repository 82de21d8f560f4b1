"""Shared page furniture for clinic documents: shaped text styles, the clinic letterhead and the page footer."""

import io
from dataclasses import dataclass
from typing import Any

from clinicdesk.reports.fonts import DocumentFonts, markup

INK = "#1f2933"
MUTED = "#5f6b7a"
ACCENT = "#2f6b4f"  # a quiet Ayurvedic green for rules and headings


@dataclass(frozen=True)
class ClinicLetterhead:
    name: str
    address_lines: tuple[str, ...]
    phone: str
    registration_number: str
    gstin: str | None = None
    logo_png: bytes | None = None  # PNG or JPEG bytes; drawn at most 22 mm tall


def document_styles(fonts: DocumentFonts) -> dict[str, Any]:
    """Paragraph styles with HarfBuzz shaping on (reportlab's `shaping` style attribute, needs uharfbuzz)."""
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=fonts.body, fontSize=10, leading=14, textColor=INK, shaping=1)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED),
        "clinic": ParagraphStyle("clinic", parent=base, fontName=fonts.body_bold, fontSize=17, leading=21,
                                 textColor=ACCENT),
        "heading": ParagraphStyle("heading", parent=base, fontName=fonts.body_bold, fontSize=10.5, leading=14,
                                  textColor=ACCENT, spaceBefore=8, spaceAfter=2),
        "bold": ParagraphStyle("bold", parent=base, fontName=fonts.body_bold),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=fonts.body_bold, fontSize=9, leading=12,
                                    textColor="#ffffff"),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "rx": ParagraphStyle("rx", parent=base, fontName=fonts.body_bold, fontSize=20, leading=24, textColor=ACCENT,
                             spaceBefore=6),
    }


def table_font(fonts: DocumentFonts) -> list[tuple]:
    """Table style commands that keep reportlab's default (unembedded) Helvetica out of the PDF."""
    return [("FONTNAME", (0, 0), (-1, -1), fonts.body)]


def para(text: str, style: Any, fonts: DocumentFonts, *, bold: bool = False):
    """A Paragraph from plain text (never markup), with Hindi and Malayalam runs in their own Noto font."""
    from reportlab.platypus import Paragraph

    return Paragraph(markup(text, fonts, bold=bold), style)


def letterhead_flowables(letterhead: ClinicLetterhead, fonts: DocumentFonts, styles: dict[str, Any],
                         width: float) -> list:
    """The clinic block across the top of the first page, ending in a coloured rule."""
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Image, Table, TableStyle

    # a part the clinic has not filled in is left out, never printed as an empty label
    contact = [f"{label} {value}" for label, value in (("Phone", letterhead.phone),
                                                       ("Reg. No.", letterhead.registration_number)) if value]
    if letterhead.gstin:
        contact.append(f"GSTIN {letterhead.gstin}")
    text = [para(letterhead.name, styles["clinic"], fonts, bold=True)]
    text += [para(line, styles["small"], fonts) for line in letterhead.address_lines]
    if contact:
        text.append(para("  ·  ".join(contact), styles["small"], fonts))
    if letterhead.logo_png:
        logo = Image(io.BytesIO(letterhead.logo_png), width=22 * mm, height=22 * mm, kind="proportional")
        block = Table([[logo, text]], colWidths=[26 * mm, width - 26 * mm])
    else:
        block = Table([[text]], colWidths=[width])
    block.setStyle(TableStyle(table_font(fonts) + [("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [block, HRFlowable(width="100%", thickness=1.6, color=ACCENT, spaceBefore=4, spaceAfter=6)]


def draw_footer(canvas, doc, *, fonts: DocumentFonts, left_text: str) -> None:
    """Page footer: a short label on the left, the page number on the right (both in the Latin font)."""
    canvas.saveState()
    canvas.setFont(fonts.body, 7.5)
    canvas.setFillColor(MUTED)
    y, inset = doc.bottomMargin - 14, 6  # line up with the frame's text, which sits 6 pt inside the margins
    canvas.drawString(doc.leftMargin + inset, y, left_text)
    canvas.drawRightString(doc.leftMargin + doc.width - inset, y, f"Page {doc.page}")
    canvas.restoreState()
