"""The patient downloads their prescription and bill as PDFs on a phone; another patient's record is not found."""

from pathlib import Path

from clinicdesk.domain.billing.money import format_inr
from clinicdesk.server.portal.rendering import translate
from tests.portal_e2e.conftest import pdftotext


def _download(page, href: str, folder: Path) -> Path:
    with page.expect_download() as caught:
        page.locator(f"a[href='{href}']").click()
    target = folder / caught.value.suggested_filename
    caught.value.save_as(target)
    return target


def test_the_prescription_and_the_bill_download_as_pdfs_that_say_what_they_should(patient_page, portal_world,
                                                                                  tmp_path):
    patient_page.goto(portal_world.portal_url + "/records")
    prescription = _download(patient_page, f"/portal/records/prescription/{portal_world.prescription_id}.pdf",
                             tmp_path)
    assert prescription.read_bytes().startswith(b"%PDF")
    assert portal_world.medicine in pdftotext(prescription)
    assert prescription.name.startswith("prescription")  # neutral file names: kind and day, never who
    assert portal_world.desk.phone[-10:] not in prescription.name and "KOC-" not in prescription.name

    invoice_row = next(row for row in portal_world.hq_rows("invoices") if row["number"] == portal_world.invoice_number)
    # the first bill is older than the latest few the page lists: "Show all" lists every one
    bills = [row for row in portal_world.hq_rows("invoices") if row["patient_id"] == portal_world.desk.patient_id]
    patient_page.get_by_role("link", name=translate("en", "records.show_all", count=len(bills))).click()
    patient_page.wait_for_url("**/portal/records?all=invoice*")
    bill = _download(patient_page, f"/portal/records/invoice/{invoice_row['id']}.pdf", tmp_path)
    assert bill.read_bytes().startswith(b"%PDF")
    text = pdftotext(bill)
    assert portal_world.invoice_number in text
    assert format_inr(portal_world.invoice_total, symbol=False) in text


def test_another_patients_record_is_not_found(patient_page, portal_world):
    url = f"{portal_world.portal_url}/records/invoice/{portal_world.other_invoice_id}.pdf"
    response = patient_page.request.get(url)
    assert response.status == 404
    assert not response.body().startswith(b"%PDF")
    shown = patient_page.goto(url)
    assert shown.status == 404
    page_text = patient_page.locator("main").inner_text()
    assert translate("en", "records.not_found") in page_text
    other = next(row for row in portal_world.hq_rows("invoices") if row["id"] == portal_world.other_invoice_id)
    assert other["number"] not in page_text
