"""The discharge summary of the demo's Panchakarma course, gathered from the real records and printed in 3 languages."""

import shutil
import subprocess

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from clinicdesk.services.discharge_summary import (
    choose_plan,
    collect_discharge_summary,
    discharge_summary_pdf,
    find_patient,
)
from clinicdesk.store.models import AuditEntryRow, PatientRow
from clinicdesk.store.models_therapy import CarePlanRow
from tests.services.discharge_demo import open_demo

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture
def ctx():
    ctx = open_demo()
    yield ctx
    ctx.db.close()


def course_patient(ctx) -> PatientRow:
    """The demo patient whose 21-day course has run for nine days (the one with the deviation and the incident)."""
    with ctx.db.session() as session:
        plan = session.scalars(select(CarePlanRow).where(CarePlanRow.course_key == "classic-virechana-21")
                               .order_by(CarePlanRow.created_at)).first()
        return session.get(PatientRow, plan.patient_id)


def test_the_summary_gathers_phases_therapies_vitals_scores_deviations_and_incidents(ctx):
    patient = course_patient(ctx)
    with ctx.db.session() as session:
        row = find_patient(session, patient.uhid)
        summary = collect_discharge_summary(ctx, session, row, choose_plan(session, row.id, None))
    assert [span.phase for span in summary.phases] == ["purvakarma", "pradhanakarma", "paschatkarma"]
    assert all(span.first_day <= span.last_day for span in summary.phases)
    assert summary.therapies and all(t.day >= summary.start_date for t in summary.therapies)
    assert any("Eranda taila" in medicine for t in summary.therapies for medicine in t.medicines)
    assert {v.moment for v in summary.vitals} >= {"before", "after"}
    knee = [score for point in summary.symptoms for name, score in point.scores if name == "knee pain"]
    assert len(knee) >= 2 and knee[-1] < knee[0]  # the demo's scores improve through the course
    assert any("cotton towels" in d.what for d in summary.deviations)
    assert any("light-headed" in i.description for i in summary.incidents)
    assert summary.follow_up is not None and summary.follow_up > summary.end_date


@pytest.mark.parametrize("language", ["en", "hi", "ml"])
def test_the_pdf_prints_in_each_language_and_is_audited_without_patient_values(ctx, tmp_path, language):
    patient = course_patient(ctx)
    pdf = discharge_summary_pdf(ctx, patient.uhid, language=language)
    (tmp_path / "s.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert patient.uhid in text and patient.given_name in text and "cotton towels" in text
    with ctx.db.session() as session:
        entry = session.scalars(select(AuditEntryRow).where(AuditEntryRow.action == "therapy.discharge_print")
                                .order_by(AuditEntryRow.seq.desc())).first()
    assert entry.detail == f"language={language}" and patient.given_name not in entry.detail


def test_unknown_patient_patient_without_course_and_bad_language_are_refused(ctx):
    with pytest.raises(NotFound, match="No patient with UHID"):
        discharge_summary_pdf(ctx, "KOC-Z-999999")
    with ctx.db.session() as session:
        with_plan = set(session.scalars(select(CarePlanRow.patient_id)))
        without = session.scalars(select(PatientRow.uhid).where(PatientRow.id.not_in(with_plan))).first()
    with pytest.raises(NotFound, match="no therapy course"):
        discharge_summary_pdf(ctx, without)
    with pytest.raises(ValidationError, match="Language must be one of"):
        discharge_summary_pdf(ctx, course_patient(ctx).uhid, language="fr")
    with pytest.raises(NotFound, match="That course was not found"):
        discharge_summary_pdf(ctx, course_patient(ctx).uhid, plan_id="not-a-plan")


def test_a_role_without_print_permission_is_refused():
    therapist = open_demo(username="rajan.t")
    try:
        uhid = course_patient(therapist).uhid
        with pytest.raises(PermissionDenied):
            discharge_summary_pdf(therapist, uhid)
        with therapist.db.session() as session:
            denial = session.scalars(select(AuditEntryRow).where(AuditEntryRow.outcome == "denied")
                                     .order_by(AuditEntryRow.seq.desc())).first()
        assert denial.action == "patient.print" and uhid not in denial.entity_id + denial.detail
    finally:
        therapist.db.close()
