"""The printed discharge summary: a DischargeSummary in, A4 PDF bytes out (English, Hindi or Malayalam labels)."""

import io
from datetime import date

from clinicdesk.domain.discharge import DischargeSummary, check_language, label, symptom_change, symptom_names
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
from clinicdesk.reports.trend_chart import SERIES_COLOURS, Series, trend_chart

_FRAME_PADDING = 6  # SimpleDocTemplate's frame keeps 6 pt inside the margins; full-width tables must too


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def _number(value) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_discharge_summary(summary: DischargeSummary, *, shaping: bool = True) -> bytes:
    """Lay out the summary on A4 and return the PDF; the same summary always gives the same bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

    language = check_language(summary.language)
    fonts = register_document_fonts()
    styles = document_styles(fonts)
    for style in styles.values():
        style.splitLongWords = 0  # cutting a Malayalam word between letters breaks its conjuncts (dotted circles)
    if not shaping:
        for style in styles.values():
            style.shaping = 0
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=18 * mm, title="Discharge summary", author=summary.clinic.name,
                            creator="ClinicDesk", invariant=1, initialFontName=fonts.body)
    width = doc.width - 2 * _FRAME_PADDING

    def t(key: str, **values) -> str:
        return label(language, key).format(**values)

    def p(text, style="body", bold=False):
        return para(text, styles[style], fonts, bold=bold)

    clinic = summary.clinic
    story = letterhead_flowables(ClinicLetterhead(clinic.name, clinic.address_lines, clinic.phone, "",
                                                  clinic.gstin or None), fonts, styles, width)
    story.append(p(t("title"), "rx", bold=True))
    if summary.course_status != "completed":
        story.append(p(t("interim"), "small"))
    story.append(Spacer(1, 4))
    story += _patient_block(summary, p, t, width, fonts)
    story += _course_block(summary, p, t, width, fonts)
    story += _therapies(summary, p, t, width, fonts)
    story += _trends(summary, p, t, width, fonts)
    story += _deviations(summary, p, t)
    story += _medicines(summary, p, t, width, fonts)
    story.append(p(t("diet"), "heading", bold=True))
    story += [p(f"\u2022  {line}") for line in summary.diet_advice]
    story += [p(f"\u2022  {t('diet_standard')}"), p(f"\u2022  {t('routine_standard')}")]
    story.append(p(t("follow_up"), "heading", bold=True))
    if summary.follow_up:
        story.append(p(t("follow_up_booked" if summary.follow_up_booked else "follow_up_on",
                         date=_day(summary.follow_up)), "bold", bold=True))
    story.append(p(t("follow_up_none")))
    signature = _grid([["", [p("_" * 32, "right"), p(summary.doctor, "right", bold=True),
                             p(t("signature"), "right")]]], [width * 0.45, width * 0.55], fonts, plain=True)
    story.append(KeepTogether([Spacer(1, 16 * mm), signature]))

    def footer(canvas, doc_):
        draw_footer(canvas, doc_, fonts=fonts, left_text=f"Discharge summary  ·  UHID {summary.patient.uhid}")

    doc.build(_no_lonely_headings(story, styles["heading"], 35 * mm), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _no_lonely_headings(story: list, heading_style, room: float) -> list:
    """A page break before a section title with less than `room` left under it, so it never waits alone at the
    foot of a page (keepWithNext would instead push a whole long table, and its title, to the next page)."""
    from reportlab.platypus import CondPageBreak

    out = []
    for flowable in story:
        if getattr(flowable, "style", None) is heading_style:
            out.append(CondPageBreak(room))
        out.append(flowable)
    return out


def _patient_block(summary, p, t, width, fonts) -> list:
    patient = summary.patient
    name_cell = [p(patient.name, "bold", bold=True)] + ([p(patient.name_local)] if patient.name_local else [])
    head = [p(t("patient"), "small"), p(t("uhid"), "small"), p(t("age_sex"), "small"), p(t("abha"), "small")]
    row = [name_cell, p(patient.uhid, "bold", bold=True), p(patient.age_sex), p(patient.abha_number or "–")]
    allergies = ", ".join(patient.allergies) if patient.allergies else t("no_allergies")
    table = _grid([head, row, [p(f"{t('allergies')}: {allergies}", "small"), "", "", ""]],
                  [width * 0.4, width * 0.2, width * 0.15, width * 0.25], fonts, plain=True)
    table.setStyle([("BACKGROUND", (0, 0), (-1, -1), "#f1f5f2"), ("SPAN", (0, 2), (-1, 2)),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, 0), 0),
                    ("TOPPADDING", (0, 1), (-1, 1), 0)])
    return [table]


def _course_block(summary, p, t, width, fonts) -> list:
    from reportlab.platypus import Spacer

    rows = [[p(t("course"), "small"), p(summary.course_name, "bold", bold=True)],
            [p(t("dates"), "small"), p(f"{_day(summary.start_date)} – {_day(summary.end_date)}")],
            [p(t("doctor"), "small"), p(summary.doctor)]]
    if summary.issued_on:
        rows.append([p(t("issued"), "small"), p(_day(summary.issued_on))])
    out = [Spacer(1, 6), _grid(rows, [width * 0.25, width * 0.75], fonts, plain=True)]
    if summary.diagnoses:
        out.append(p(t("diagnosis"), "heading", bold=True))
        out += [p(line) for line in summary.diagnoses]
    out.append(p(t("phases"), "heading", bold=True))
    rows = [[p(t(key), "cell_head", bold=True) for key in ("phase", "dates", "sessions_done")]]
    for span in summary.phases:
        rows.append([p(t(span.phase) if span.phase in ("purvakarma", "pradhanakarma", "paschatkarma", "keraliya")
                       else span.phase, "cell"),
                     p(f"{_day(span.first_day)} – {_day(span.last_day)}", "cell"),
                     p(f"{span.completed} / {span.planned}", "cell")])
    out.append(_grid(rows, [width * 0.45, width * 0.35, width * 0.2], fonts))
    return out


def _therapies(summary, p, t, width, fonts) -> list:
    out = [p(t("therapies"), "heading", bold=True)]
    if not summary.therapies:
        return out + [p(t("no_therapies"))]
    rows = [[p(t(key), "cell_head", bold=True) for key in ("date", "phase", "therapy", "medicine_given")]]
    for item in summary.therapies:
        rows.append([p(_day(item.day), "cell"), p(t(item.phase) if item.phase else "", "cell"),
                     p(item.therapy, "cell"), p("; ".join(item.medicines), "cell")])
    return out + [_grid(rows, [width * 0.16, width * 0.27, width * 0.32, width * 0.25], fonts)]


def _trends(summary, p, t, width, fonts) -> list:
    from reportlab.platypus import Spacer

    out = [p(t("trends"), "heading", bold=True)]
    names = symptom_names(summary.symptoms)
    if names:
        start = summary.start_date
        series = [Series(name, tuple(((point.day - start).days + 1, score) for point in summary.symptoms
                                     for symptom, score in point.scores if symptom == name)) for name in names]
        chart = trend_chart(series, width=width * 0.48, height=130, font=fonts.body,
                            x_min=1, x_max=max(1, (summary.end_date - start).days + 1))
        changes = {name: (first, last) for name, first, last in symptom_change(summary.symptoms)}
        legend = [["", p(t("symptom"), "cell_head", bold=True), p(t("first"), "cell_head", bold=True),
                   p(t("last"), "cell_head", bold=True)]]
        for index, name in enumerate(names):
            first, last = changes.get(name, ("–", "–"))
            legend.append([_swatch(SERIES_COLOURS[index % len(SERIES_COLOURS)]), p(name, "cell"),
                           p(str(first), "cell"), p(str(last), "cell")])
        legend_table = _grid(legend, [width * 0.04, width * 0.16, width * 0.13, width * 0.13], fonts)
        caption = [p(t("symptom_chart"), "small"), chart, p(t("day_of_course"), "small")]
        out.append(_grid([[caption, legend_table]], [width * 0.54, width * 0.46], fonts, plain=True))
    else:
        out.append(p(t("no_symptoms")))
    out.append(Spacer(1, 4))
    out.append(p(t("vitals"), "bold", bold=True))
    if not summary.vitals:
        return out + [p(t("no_vitals"))]
    rows = [[p(t(key), "cell_head", bold=True) for key in ("date", "moment", "pulse", "bp", "temperature",
                                                              "weight")]]
    for reading in summary.vitals:
        bp = (f"{reading.bp_systolic}/{reading.bp_diastolic}"
              if reading.bp_systolic is not None and reading.bp_diastolic is not None else "–")
        rows.append([p(_day(reading.day), "cell"), p(t(reading.moment), "cell"), p(_number(reading.pulse_bpm), "cell"),
                     p(bp, "cell"), p(_number(reading.temperature_c), "cell"), p(_number(reading.weight_kg), "cell")])
    return out + [_grid(rows, [width * f for f in (0.15, 0.2, 0.17, 0.2, 0.14, 0.14)], fonts)]


def _swatch(colour: str):
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib import colors

    drawing = Drawing(10, 10)
    drawing.add(Rect(0, 1, 9, 9, fillColor=colors.HexColor(colour), strokeColor=None))
    return drawing


def _deviations(summary, p, t) -> list:
    out = [p(t("deviations"), "heading", bold=True)]
    if not summary.deviations and not summary.incidents:
        return out + [p(t("none_recorded"))]
    for item in summary.deviations:
        out.append(p(f"\u2022  {_day(item.day)}  ·  {t('deviation')}: {item.therapy}: {item.what}"))
    for item in summary.incidents:
        out.append(p(f"\u2022  {_day(item.day)}  ·  {t('incident')} ({t('severity')}: {item.severity}, "
                     f"{t('status')}: {item.status}): {item.description}"))
        if item.action_taken:
            out.append(p(f"{t('action_taken')}: {item.action_taken}", "small"))
    return out


def _medicines(summary, p, t, width, fonts) -> list:
    out = [p(t("medicines"), "heading", bold=True)]
    if not summary.medicines:
        return out + [p(t("no_medicines"))]
    rows = [[p(t(key), "cell_head", bold=True) for key in ("medicine", "dose", "how", "duration", "instructions")]]
    for item in summary.medicines:
        rows.append([p(item.name, "cell", bold=True), p(item.dose, "cell"), p(item.how, "cell"),
                     p(item.duration, "cell"), p(item.instructions, "cell")])
    return out + [_grid(rows, [width * f for f in (0.26, 0.13, 0.24, 0.12, 0.25)], fonts)]


def _grid(rows, col_widths, fonts, *, plain: bool = False):
    """A table; `plain` has no header band or rules (layout only), otherwise the house style with a green header."""
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=col_widths, repeatRows=0 if plain else 1)
    commands = table_font(fonts) + [("VALIGN", (0, 0), (-1, -1), "TOP")]
    if plain:
        commands += [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    else:
        commands += [("BACKGROUND", (0, 0), (-1, 0), ACCENT), ("ROWBACKGROUNDS", (0, 1), (-1, -1),
                                                                ["#ffffff", "#f6f8f7"]),
                     ("LINEBELOW", (0, 1), (-1, -1), 0.4, "#d5dcd8"), ("TOPPADDING", (0, 0), (-1, -1), 3),
                     ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    table.setStyle(TableStyle(commands))
    return table
