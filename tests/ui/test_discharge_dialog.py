"""Printing the discharge summary from the app: PDF pages through QPrinter, and the dialog's sentences."""

import shutil
import subprocess

import pytest
from PySide6.QtPrintSupport import QPrinter

from clinicdesk.reports.discharge_pdf import render_discharge_summary
from clinicdesk.ui.documents.discharge_dialog import DischargeSummaryDialog
from clinicdesk.ui.documents.pdf_printing import load_pdf, paint_pdf, print_preview
from clinicdesk.ui.reception.profile_view import ProfileView
from tests.reports.test_discharge_pdf import sample


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo) is not installed")
def test_every_pdf_page_goes_to_the_printer(qapp, tmp_path):
    pdf = render_discharge_summary(sample())
    document = load_pdf(pdf)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(96)
    assert paint_pdf(document, printer) == document.pageCount() >= 1
    info = subprocess.run(["pdfinfo", str(tmp_path / "printed.pdf")], check=True, capture_output=True,
                          text=True).stdout
    assert f"Pages:           {document.pageCount()}" in info


def test_unreadable_bytes_are_refused_before_the_print_dialog(qapp):
    with pytest.raises(ValueError, match="could not be read"):
        print_preview(b"not a pdf")


def test_the_profile_opens_the_dialog_which_says_when_there_is_no_course(qtbot, app_ctx, some_patients, tmp_path):
    view = ProfileView(app_ctx)
    qtbot.addWidget(view)
    view.show_patient(some_patients["Anitha Sharma"])
    assert view.header.discharge_button.isVisibleTo(view)
    dialog = view.header.open_discharge_summary()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, DischargeSummaryDialog)
    dialog.save_button.click()
    assert "no therapy course" in dialog.status.text()
    assert dialog.pdf is None
