"""`clinicdesk report discharge` and `clinicdesk export fhir|patient` on the demo clinic, end to end."""

import json
import shutil
import subprocess
import zipfile

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from clinicdesk import cli
from clinicdesk.store.database import open_database
from clinicdesk.store.models import AuditEntryRow, PatientRow
from clinicdesk.store.models_therapy import CarePlanRow
from tests.services.discharge_demo import PASSPHRASE, demo_data_dir


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("CLINICDESK_PASSPHRASE", PASSPHRASE)
    data_dir = demo_data_dir()
    db = open_database(data_dir, passphrase=PASSPHRASE)
    with db.session() as session:
        plan = session.scalars(select(CarePlanRow).where(CarePlanRow.course_key == "classic-virechana-21")
                               .order_by(CarePlanRow.created_at)).first()
        uhid = session.get(PatientRow, plan.patient_id).uhid
    db.close()
    return data_dir, uhid


def last_audit(data_dir, action: str) -> AuditEntryRow:
    db = open_database(data_dir, passphrase=PASSPHRASE)
    try:
        with db.session() as session:
            return session.scalars(select(AuditEntryRow).where(AuditEntryRow.action == action)
                                   .order_by(AuditEntryRow.seq.desc())).first()
    finally:
        db.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize("language", ["en", "hi", "ml"])
def test_report_discharge_writes_the_pdf(demo, tmp_path, capsys, language):
    data_dir, uhid = demo
    out = tmp_path / f"discharge-{language}.pdf"
    code = cli.main(["report", "discharge", "--data-dir", str(data_dir), "--patient", uhid, "--language", language,
                     "--out", str(out)])
    assert code == 0 and "Discharge summary written" in capsys.readouterr().out
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert uhid in text
    assert last_audit(data_dir, "therapy.discharge_print").actor.startswith("cli:")


def test_report_for_an_unknown_patient_or_missing_folder_writes_nothing(demo, tmp_path, capsys):
    data_dir, uhid = demo
    out = tmp_path / "x.pdf"
    assert cli.main(["report", "discharge", "--data-dir", str(data_dir), "--patient", "KOC-Z-000999",
                     "--out", str(out)]) == 2
    assert "No patient with UHID" in capsys.readouterr().err and not out.exists()
    missing = tmp_path / "no-such-folder" / "x.pdf"
    assert cli.main(["report", "discharge", "--data-dir", str(data_dir), "--patient", uhid,
                     "--out", str(missing)]) == 2
    assert "does not exist; nothing was written" in capsys.readouterr().err and not missing.parent.exists()


def test_export_fhir_writes_a_valid_document_bundle(demo, tmp_path):
    data_dir, uhid = demo
    out = tmp_path / "bundle.json"
    assert cli.main(["export", "fhir", "--data-dir", str(data_dir), "--patient", uhid, "--out", str(out)]) == 0
    bundle = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)
    assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"


def test_export_patient_zip_holds_fhir_summary_and_a_readable_index(demo, tmp_path):
    data_dir, uhid = demo
    out = tmp_path / "patient.zip"
    assert cli.main(["export", "patient", "--data-dir", str(data_dir), "--patient", uhid, "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        index = archive.read("index.html").decode()
        Bundle.model_validate(json.loads(archive.read("fhir.json")))
        assert archive.read("discharge-summary-1.pdf").startswith(b"%PDF-")
    assert {"fhir.json", "index.html", "discharge-summary-1.pdf"} <= set(names)
    assert uhid in index and "discharge-summary-1.pdf" in index
