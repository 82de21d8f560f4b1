"""The prescription PDF: content, embedded Noto fonts, Hindi and Malayalam shaping, escaping, paging, missing fonts."""

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest

from clinicdesk.reports.fonts import (
    DEVANAGARI,
    LATIN,
    MALAYALAM,
    FontsMissing,
    register_document_fonts,
    script_runs,
)
from clinicdesk.reports.letterhead import document_styles, para
from clinicdesk.reports.prescription_pdf import (
    ClinicLetterhead,
    PrescribedPatient,
    Prescriber,
    PrescriptionDocument,
    PrescriptionItem,
    render_prescription,
)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

HINDI_INSTRUCTION = "सुबह-शाम भोजन के बाद गुनगुने पानी के साथ लें; क्षार से बचें"
MALAYALAM_INSTRUCTION = "ഭക്ഷണത്തിനു ശേഷം ചൂടുവെള്ളത്തിൽ കഴിക്കുക"


def logo_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(image).ellipse((10, 10, 110, 110), fill="#2f6b4f")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def sample(**changes) -> PrescriptionDocument:
    rx = PrescriptionDocument(
        letterhead=ClinicLetterhead(
            name="Sukham Ayurveda & Panchakarma Centre",
            address_lines=("14/220 Temple Road, Tripunithura", "Kochi, Kerala 682301"),
            phone="+91 484 277 1234", registration_number="KL/AYU/2019/0451", gstin="32ABCDE1234F1Z5",
            logo_png=logo_png()),
        doctor=Prescriber("Dr. Asha Menon", "BAMS, MD (Ayu)", "TCMC 12345"),
        patient=PrescribedPatient("Ramesh Kumar Nair", "KOC-000123", "42 y / M", name_local="രമേഷ് കുമാർ നായർ"),
        date=date(2026, 11, 26),
        diagnosis=("Amavata (rheumatoid arthritis), chronic", "Vata-Kapha prakriti; agnimandya"),
        items=(
            PrescriptionItem("Maharasnadi Kashayam", "15 ml + 45 ml warm water",
                             "Twice a day, before food (morning and evening)", "21 days", "Oral", HINDI_INSTRUCTION),
            PrescriptionItem("Simhanada Guggulu", "2 tablets", "Twice a day after food", "21 days", "Oral",
                             MALAYALAM_INSTRUCTION),
            PrescriptionItem("Kottamchukkadi Thailam", "As needed", "Once a day at night", "14 days", "External",
                             "Warm slightly; apply on both knees, wash off after 1 hour"),
        ),
        advice=("Avoid curd, cold drinks and sleeping in the daytime.", "गरम पानी पिएँ; दही और ठंडी चीज़ें न लें।",
                "ചൂടുവെള്ളം മാത്രം കുടിക്കുക; തൈര് ഒഴിവാക്കുക."),
        follow_up=date(2026, 12, 17))
    return replace(rx, **changes)


def pdftotext(pdf: bytes, tmp_path, name="rx") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_fonts(pdf: bytes, tmp_path) -> list[tuple[str, str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    # name, then type/encoding columns, then emb (yes/no): the 'emb' column is the third from the right of 'uni'
    return [(line.split()[0], line.split()[-5]) for line in lines[2:]]


def page_png(pdf: bytes, tmp_path, name: str) -> bytes:
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(tmp_path / f"{name}.pdf"),
                    str(tmp_path / name)], check=True)
    return (tmp_path / f"{name}.png").read_bytes()


def test_prescription_is_a_one_page_pdf_with_patient_doctor_and_every_drug(tmp_path):
    pdf = render_prescription(sample())
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text = pdftotext(pdf, tmp_path)
    for expected in ("Sukham Ayurveda & Panchakarma Centre", "GSTIN 32ABCDE1234F1Z5", "Ramesh Kumar Nair",
                     "KOC-000123", "42 y / M", "Dr. Asha Menon", "TCMC 12345", "Amavata", "Maharasnadi Kashayam",
                     "Simhanada Guggulu", "Kottamchukkadi Thailam", "21 days", "Follow-up on 17 Dec 2026",
                     "Date: 26 Nov 2026", "Signature of the physician", "Page 1"):
        assert expected in text, expected
    (tmp_path / "rx.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "rx.pdf")], check=True, capture_output=True, text=True).stdout
    assert "Pages:           1" in info and "Title:           Prescription" in info


def test_noto_fonts_are_embedded_and_nothing_else_is_referenced(tmp_path):
    fonts = pdf_fonts(render_prescription(sample()), tmp_path)
    names = {name.split("+", 1)[-1] for name, _ in fonts}
    assert {"NotoSans-Regular", "NotoSans-Bold", "NotoSansDevanagari-Regular", "NotoSansMalayalam-Regular"} <= names
    assert all(embedded == "yes" for _, embedded in fonts), fonts


def test_hindi_and_malayalam_are_shaped_into_conjunct_glyphs(tmp_path):
    shaped, unshaped = render_prescription(sample()), render_prescription(sample(), shaping=False)
    # Unshaped, each code point is its own glyph, so text extraction gives back the halant sequences; shaped, the
    # conjuncts क्ष and ക്ഷ become single ligature glyphs that have no one-character Unicode mapping.
    assert "क्षार" in pdftotext(unshaped, tmp_path, "plain") and "ഭക്ഷണ" in pdftotext(unshaped, tmp_path, "plain")
    shaped_text = pdftotext(shaped, tmp_path, "shaped")
    assert "क्षार" not in shaped_text and "ഭക്ഷണ" not in shaped_text
    assert "Maharasnadi Kashayam" in shaped_text  # Latin text is unaffected
    assert page_png(shaped, tmp_path, "shaped") != page_png(unshaped, tmp_path, "plain")


@pytest.mark.parametrize("text", ["क्षत्रिय श्री द्वि", "ഭക്ഷണത്തിനു ശേഷം"])
def test_document_styles_shape_text_so_conjuncts_are_narrower(text):
    fonts = register_document_fonts()
    style = document_styles(fonts)["body"]
    unshaped_style = style.clone("unshaped", shaping=0)

    def width(s):
        paragraph = para(text, s, fonts)
        paragraph.wrap(2000, 100)
        return paragraph.getActualLineWidths0()[0]

    assert style.shaping
    assert width(style) < width(unshaped_style) * 0.95


def test_user_text_is_never_read_as_markup(tmp_path):
    item = PrescriptionItem("Triphala <b>Churna</b> & ghee", "5 g", "At bedtime", "30 days")
    text = pdftotext(render_prescription(sample(items=(item,))), tmp_path)
    assert "Triphala <b>Churna</b>" in text and "& ghee" in text


def test_a_long_prescription_continues_on_a_second_page_with_the_table_header(tmp_path):
    items = tuple(PrescriptionItem(f"Medicine number {n}", "1 tablet", "Twice a day", "7 days", "Oral",
                                   "After food") for n in range(1, 41))
    pdf = render_prescription(sample(items=items))
    pages = [page for page in pdftotext(pdf, tmp_path).split("\f") if page.strip()]
    assert len(pages) >= 2
    assert "Instructions" in pages[1] and "Page 2" in pages[1] and "Ramesh Kumar Nair" not in pages[1]
    assert "Medicine number 40" in pages[-1] and "Signature of the physician" in pages[-1]


def test_optional_parts_can_be_left_out(tmp_path):
    bare = sample(letterhead=replace(sample().letterhead, gstin=None, logo_png=None), diagnosis=(), advice=(),
                  follow_up=None, patient=PrescribedPatient("Meera Pillai", "KOC-000124", "35 y / F"))
    text = pdftotext(render_prescription(bare), tmp_path)
    assert "Meera Pillai" in text and "GSTIN" not in text and "Follow-up" not in text and "Advice" not in text


def test_the_same_prescription_gives_the_same_bytes():
    assert render_prescription(sample()) == render_prescription(sample())


def test_missing_fonts_name_the_package_to_install(tmp_path):
    with pytest.raises(FontsMissing, match=r"NotoSansDevanagari-Regular\.ttf.*fonts-noto-core"):
        register_document_fonts(font_dirs=[tmp_path])


@pytest.mark.parametrize(("text", "runs"), [
    ("Take after food", [(LATIN, "Take after food")]),
    ("गरम पानी पिएँ; दही न लें।", [(DEVANAGARI, "गरम पानी पिएँ; दही न लें।")]),
    ("Take 2 गोली (रात को).", [(LATIN, "Take 2 "), (DEVANAGARI, "गोली (रात को).")]),
    ("Warm / ചൂടുവെള്ളം", [(LATIN, "Warm / "), (MALAYALAM, "ചൂടുവെള്ളം")]),
    ("അവന്\u200d x", [(MALAYALAM, "അവന്\u200d "), (LATIN, "x")]),  # the joiner stays inside its run
    ("नायर Nair", [(DEVANAGARI, "नायर "), (LATIN, "Nair")]),
])
def test_script_runs_pick_one_font_per_word(text, runs):
    assert script_runs(text) == runs
