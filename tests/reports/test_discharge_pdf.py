"""The discharge summary PDF from plain values: every section, three languages shaped, empty parts said, same bytes."""

import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest

from clinicdesk.domain.discharge import (
    LABELS,
    Deviation,
    DischargeClinic,
    DischargePatient,
    DischargeSummary,
    IncidentNote,
    MedicineAdvice,
    PhaseSpan,
    SymptomPoint,
    TherapyDone,
    VitalsReading,
    symptom_change,
)
from clinicdesk.domain.errors import ValidationError
from clinicdesk.reports.discharge_pdf import render_discharge_summary
from clinicdesk.reports.trend_chart import Series, trend_chart

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")


def sample(**changes) -> DischargeSummary:
    summary = DischargeSummary(
        clinic=DischargeClinic("Sukham Ayurveda", ("14/220 Temple Road", "Kochi"), "+91 484 277 1234",
                               "32ABCDE1234F1Z5"),
        patient=DischargePatient("Lakshmi Nair", "KOC-A-000042", "52 y / F", "ലക്ഷ്മി നായർ", "91-1234-5678-9012",
                                 ("Sesame",)),
        plan_id="plan-1", course_name="Classic Panchakarma, Virechana-based (21 days)", course_status="completed",
        start_date=date(2026, 11, 1), end_date=date(2026, 11, 21), doctor="Dr. Meera Nair",
        phases=(PhaseSpan("purvakarma", date(2026, 11, 2), date(2026, 11, 7), 8, 8),
                PhaseSpan("pradhanakarma", date(2026, 11, 8), date(2026, 11, 14), 10, 9),
                PhaseSpan("paschatkarma", date(2026, 11, 15), date(2026, 11, 21), 7, 7)),
        therapies=(TherapyDone(date(2026, 11, 6), "Abhyanga (full-body oil massage)", "purvakarma"),
                   TherapyDone(date(2026, 11, 8), "Virechana (therapeutic purgation)", "pradhanakarma",
                               ("Eranda taila 40 ml",))),
        vitals=(VitalsReading(date(2026, 11, 6), "before", 76, 128, 82, 36.8, 68.0),
                VitalsReading(date(2026, 11, 6), "after", 80, 124, 80)),
        symptoms=(SymptomPoint(date(2026, 11, 6), (("knee pain", 8), ("stiffness", 7))),
                  SymptomPoint(date(2026, 11, 12), (("knee pain", 6), ("stiffness", 5))),
                  SymptomPoint(date(2026, 11, 20), (("knee pain", 3), ("stiffness", 2)))),
        deviations=(Deviation(date(2026, 11, 6), "Abhyanga", "Fresh linen – patient brought her own towels"),),
        incidents=(IncidentNote(date(2026, 11, 7), "minor", "Light-headed in the steam", "Steam stopped",
                                "closed"),),
        medicines=(MedicineAdvice("Yogaraja Guggulu", "2 tablet", "BD (twice a day), after food", "30 days",
                                  "गुनगुने पानी के साथ लें"),),
        diet_advice=("Avoid curd and cold drinks at night.",), follow_up=date(2026, 12, 5), follow_up_booked=True,
        diagnoses=("M17.0 Bilateral primary osteoarthritis of knee",), issued_on=date(2026, 11, 21))
    return replace(summary, **changes)


def text_of(pdf: bytes, tmp_path, name="summary") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_english_summary_has_every_section_and_the_records(tmp_path):
    pdf = render_discharge_summary(sample())
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf, tmp_path)
    for expected in ("Sukham Ayurveda", "Discharge summary", "Lakshmi Nair", "KOC-A-000042", "91-1234-5678-9012",
                     "Sesame", "Classic Panchakarma", "01 Nov 2026 – 21 Nov 2026", "Dr. Meera Nair",
                     "M17.0 Bilateral primary osteoarthritis", "Purvakarma (preparation)", "9 / 10",
                     "Virechana (therapeutic", "Eranda taila 40 ml", "Symptom scores", "knee pain",
                     "128/82", "Before session", "Deviation from the procedure", "Light-headed in the steam",
                     "Yogaraja Guggulu", "Avoid curd and cold drinks", "Samsarjana krama",
                     "Your review appointment is booked for 05 Dec 2026", "Signature of the treating doctor"):
        assert expected in text, expected
    assert "Interim summary" not in text  # a completed course is a discharge summary, not an interim one


def test_a_course_still_running_says_it_is_interim_and_empty_parts_say_so(tmp_path):
    pdf = render_discharge_summary(sample(course_status="active", therapies=(), vitals=(), symptoms=(),
                                          deviations=(), incidents=(), medicines=(), diagnoses=(),
                                          follow_up_booked=False))
    text = text_of(pdf, tmp_path)
    for expected in ("Interim summary (course still in progress)", "No session has been completed yet.",
                     "No symptom scores were recorded.", "No vitals were recorded.", "None recorded.",
                     "No medicines were prescribed.", "Please come for a review on 05 Dec 2026."):
        assert expected in text, expected


@pytest.mark.parametrize("language, unshaped_word", [("hi", "डिस्चार्ज"), ("ml", "സംഗ്രഹം")])
def test_hindi_and_malayalam_labels_are_printed_and_shaped(tmp_path, language, unshaped_word):
    shaped = render_discharge_summary(sample(language=language))
    plain = render_discharge_summary(sample(language=language), shaping=False)
    # unshaped, the title's conjuncts come back as their code points; shaped, they are ligature glyphs
    assert unshaped_word in text_of(plain, tmp_path, "plain")
    shaped_text = text_of(shaped, tmp_path, "shaped")
    assert unshaped_word not in shaped_text
    assert "Lakshmi Nair" in shaped_text and "Yogaraja Guggulu" in shaped_text  # clinical text stays as written
    assert "Discharge summary" not in shaped_text.split("UHID")[0]  # the title is in the chosen language


def test_every_language_has_every_label():
    assert set(LABELS["hi"]) == set(LABELS["en"]) == set(LABELS["ml"])
    assert all(value.strip() for language in LABELS.values() for value in language.values())


def test_unknown_language_is_refused():
    with pytest.raises(ValidationError, match="Language must be one of en, hi, ml"):
        render_discharge_summary(sample(language="ta"))


def test_the_same_summary_gives_the_same_bytes():
    assert render_discharge_summary(sample()) == render_discharge_summary(sample())


def test_symptom_change_and_the_chart_follow_the_scores():
    assert symptom_change(sample().symptoms) == [("knee pain", 8, 3), ("stiffness", 7, 2)]
    drawing = trend_chart([Series("knee pain", ((1, 8), (7, 6), (15, 3)))], width=200, height=100, font="Helvetica")
    plot = drawing.contents[0]
    assert plot.data == [[(1, 8), (7, 6), (15, 3)]]
    assert plot.yValueAxis.valueMax == 10
    assert trend_chart([], width=200, height=100, font="Helvetica").contents == []  # nothing to draw, no axes


def test_a_chart_with_scores_changes_the_page(tmp_path):
    with_chart = render_discharge_summary(sample())
    without = render_discharge_summary(sample(symptoms=()))
    assert "knee pain" in text_of(with_chart, tmp_path, "a") and "knee pain" not in text_of(without, tmp_path, "b")
