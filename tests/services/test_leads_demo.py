"""The demo clinic carries enquiries in every state, a course patient's labs (one critical) and filled forms."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from clinicdesk.domain.leads import Status
from clinicdesk.services import auth, demo, intake_forms, lab_results, leads
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import open_database
from clinicdesk.store.models_clinical_inbox import LabResultRow
from clinicdesk.store.models_leads import LeadRow

FIXED_NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("leads_demo") / "clinic"
    demo.build_demo_clinic(data_dir, passphrase="leads demo pass", patients=8, now=FIXED_NOW)
    db = open_database(data_dir, passphrase="leads demo pass")
    yield db
    db.close()


def _ctx(db, username: str) -> ServiceContext:
    ctx = ServiceContext(db, clock=lambda: FIXED_NOW)
    ctx.user = auth.sign_in(ServiceContext(db, clock=lambda: FIXED_NOW), username, demo.DEMO_PASSWORD)
    return ctx


def test_enquiries_in_every_state_and_a_funnel_worth_showing(demo_db):
    officer = _ctx(demo_db, "kavya.cro")
    listed = leads.list_leads(officer)
    assert len(listed) == 48  # eight weeks of enquiries, more each week
    statuses = {item.status for item in listed}
    assert statuses == {s.value for s in Status}
    converted = [item for item in listed if item.status == Status.CONVERTED]
    assert converted and all(item.patient_id for item in converted)  # linked to registered demo patients
    assert any(item.assigned_to == "Kavya Iyer" for item in listed)
    assert leads.intervention_queue(officer)  # Pune's hesitating enquiries wait for her
    funnel = leads.conversion_funnel(officer, since=datetime(2026, 10, 1, tzinfo=UTC), until=FIXED_NOW)
    assert funnel.total == 48 and funnel.stages[-1].reached == len(converted)
    assert funnel.rescued >= 1


def test_the_course_patient_has_labs_with_a_critical_alert_and_filled_forms(demo_db):
    doctor = _ctx(demo_db, "dr.meera")
    with demo_db.session() as session:
        patient_id = session.scalar(select(LabResultRow.patient_id).limit(1))
        assert session.scalar(select(func.count()).select_from(LeadRow)) == 48
    results = lab_results.list_lab_results(doctor, patient_id)
    assert len(results) == 7 and all(r.document_id for r in results)
    [critical] = [r for r in results if r.flag == "critical"]
    assert critical.test == "Serum potassium" and critical.alerted == "Dr. Meera Nair"
    assert lab_results.trend_for_test(doctor, patient_id, "Haemoglobin")[1] == "rising"
    assert sorted(f.form_key for f in intake_forms.list_filled_forms(doctor, patient_id)) == [
        "general_intake", "panchakarma_pre_assessment"]
