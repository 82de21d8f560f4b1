"""Today's tables travel: desk A bills, works a lead, records a lab result, fills an intake form, takes feedback and a
complaint and signs a note drafted from a transcript; desk B joins from an empty folder through a real HQ (uvicorn on
loopback, with a centre master key) and holds all of it, the note included, with nothing held back."""

from datetime import date
from decimal import Decimal as D

import pytest

from clinicdesk.domain.billing.claims import ClaimDraft
from clinicdesk.domain.feedback import FeedbackForm
from clinicdesk.domain.labs import LabEntry, ReferenceRange
from clinicdesk.domain.leads import LeadDraft
from clinicdesk.domain.roles import Role
from clinicdesk.services import (
    appointments,
    auth,
    billing,
    billing_catalogue,
    billing_claims,
    clinical_notes,
    consultations,
    feedback,
    intake_forms,
    lab_results,
    leads,
    patients,
)
from clinicdesk.services.billing_dto import PackageDraft, PackageItemDraft
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.crypto import is_centre_sealed
from clinicdesk.store.outbox import outbox_counts
from clinicdesk.sync.enrolment import enrol
from clinicdesk.sync.join import join_centre
from clinicdesk.sync.page import held_back_changes
from tests.conftest import STAFF_PASSWORD
from tests.services.feedback_world import build_feedback_world
from tests.services.helpers import patient_draft
from tests.sync.hq_fixtures import clock, enrolment_code, new_centre, set_up_clinic_desk, sync, synced_rows
from tests.sync.test_centre_key import VISIT, serve_hq

NEW_TABLES = ("service_tariffs", "packages", "package_items", "invoices", "invoice_lines", "instalments", "payments",
              "insurance_claims", "leads", "lead_events", "lab_results", "staff_alerts", "patient_documents",
              "intake_form_versions", "intake_form_responses", "feedback", "complaints", "complaint_responses",
              "rule_firings", "transcripts", "clinical_notes")
SEALED = {"transcripts": ("sealed_text", "sealed_segments"), "intake_form_responses": ("sealed_answers",),
          "clinical_notes": ("sealed_sections",)}
POTASSIUM = ReferenceRange(D("3.5"), D("5.1"), D("2.8"), D("6.0"))
# clinical care is exempt from GST, so a centre without a GSTIN may bill it
PACKAGE = PackageDraft("PK3", "Abhyanga 3 days", (
    PackageItemDraft("session", "Therapy sessions", "999312", D("0"), D("2200"), D("3"), exempt=True),
    PackageItemDraft("session", "Doctor's review", "999312", D("0"), D("800"), exempt=True),
), discount=D("400"), instalments=2, instalment_days=7, deposit=D("3000"))
LOW = {"effectiveness": 3, "practitioner": 3, "facility": 2, "staff": 3, "value": 3, "overall": 2}


@pytest.fixture
def hq_url(tmp_path):
    with serve_hq(tmp_path) as url:
        yield url


def _run_the_day(world) -> dict[str, str]:
    """One of each new record on desk A, through the services; returns their ids by kind."""
    boss, desk, doctor = world.therapy.boss, world.ctx(Role.FRONT_DESK), world.ctx(Role.DOCTOR)
    nurse, patient = world.ctx(Role.NURSE), world.therapy.patient
    ids = {}
    for service in appointments.list_services(boss):
        billing_catalogue.set_tariff(boss, service.id, initial_price=D("1500"), follow_up_price=D("900"),
                                     hsn_sac="999312", gst_rate=D("0"), exempt=True)
    ids["package"], _ = billing_catalogue.save_package(boss, PACKAGE)
    ids["invoice"], _ = billing.issue_package_invoice(desk, patient, ids["package"], first_due=date(2026, 11, 26))
    ids["payment"], _ = billing.take_payment(desk, ids["invoice"], D("3000"), "upi", "612345678901")
    ids["claim"], _ = billing_claims.record_claim(desk, ids["invoice"], ClaimDraft("Star Health", "P/210/7781",
                                                                                   D("3000")))
    ids["lead"], _ = leads.create_lead(desk, LeadDraft(name="Ravi Nair", phone="9847012399", source="walk_in",
                                                       interest="Panchakarma", problem="Back pain"))
    leads.move_lead(desk, ids["lead"], "contact", note="Called back; explained the programme")
    ids["lab"], _ = lab_results.record_lab_result(
        nurse, patient, LabEntry("Serum potassium", date(2026, 11, 25), "6.3", "mmol/L", POTASSIUM),
        report=lab_results.LabReport("Potassium report", "text/plain", b"K 6.3 mmol/L"),
        ordered_by=doctor.user.staff_id)  # critical: the doctor gets an alert
    ids["form"], _ = intake_forms.fill_form(desk, patient, "general_intake", 1, {
        "chief_complaint": "Low back pain", "severity": 7, "diabetes": False, "hypertension": False,
        "diet": "Vegetarian", "tried_before": ["Physiotherapy"], "weight_kg": "68", "sleep_hours": "6",
        "heard_from": "Friend or family"}, filled_on="tablet")
    world.set_status("abh-5", "completed")
    ids["feedback"], _ = feedback.submit_feedback(desk, FeedbackForm("course", LOW, 4, "Rooms were cold"),
                                                  plan_id=world.plan)  # a low rating: a rule fires, a complaint
    ids["complaint"], _ = feedback.open_complaint(desk, "Billing: charged twice", patient_id=patient)
    feedback.move_complaint(doctor, ids["complaint"], "start", response="Checking the invoices")
    consultation, _ = consultations.start_consultation(doctor, patient)
    clinical_notes.save_transcript(doctor, consultation.id, VISIT, model="tiny.en")
    drafted, _ = clinical_notes.draft_note_from_transcript(doctor, consultation.id)
    signed, _ = clinical_notes.sign_note(doctor, drafted.note_id, acknowledge_unsupported=True)
    ids["note"], ids["consultation"] = signed.note_id, consultation.id
    return ids


def test_a_joining_desk_gets_bills_leads_labs_forms_feedback_and_a_transcript_sourced_note(tmp_path, hq_url):
    ctx = set_up_clinic_desk(tmp_path / "desk-a")
    desk_a = ctx.db
    desk_b = None
    try:
        world = build_feedback_world(ctx)
        centre = new_centre(hq_url)
        enrol(desk_a.data_dir, hq_url, enrolment_code(hq_url, centre), "", device_name="Reception desk A",
              database=desk_a)
        ids = _run_the_day(world)
        pushed = sync(desk_a)
        assert pushed.rejected == 0 and pushed.conflicts == 0

        desk_b, joined = join_centre(tmp_path / "desk-b", hq_url, enrolment_code(hq_url, centre), "",
                                     device_name="Reception desk B", now=clock)
        with desk_b.session() as session:
            assert held_back_changes(session) == []  # the note's transcript came too
            assert outbox_counts(session)["pending"] == 0  # nothing pulled is sent back
        assert joined.waiting == 0
        for table in NEW_TABLES:
            rows_a = synced_rows(desk_a, table)
            assert rows_a, f"desk A made no {table} row: the scenario lost its coverage"
            assert synced_rows(desk_b, table) == rows_a, table
        for table, columns in SEALED.items():  # sealed with the centre key, so they travelled as they are
            for row in synced_rows(desk_b, table).values():
                assert all(is_centre_sealed(row[c]) for c in columns), table
        expected = {"invoices": ids["invoice"], "payments": ids["payment"], "insurance_claims": ids["claim"],
                    "leads": ids["lead"], "lab_results": ids["lab"], "intake_form_responses": ids["form"],
                    "feedback": ids["feedback"], "complaints": ids["complaint"], "clinical_notes": ids["note"]}
        for table, row_id in expected.items():
            assert row_id in synced_rows(desk_b, table), table
        assert len(synced_rows(desk_b, "lead_events")) == 2  # created, then contacted
        assert {r["status"] for r in synced_rows(desk_b, "clinical_notes").values()} == {"signed"}

        ctx_b = ServiceContext(desk_b, clock=clock)
        ctx_b.user = auth.sign_in(ctx_b, "vaidya.pk", STAFF_PASSWORD)  # the doctor, on the other desk
        transcript = clinical_notes.get_transcript(ctx_b, ids["consultation"])  # opens with the centre key
        assert [segment.text for segment in transcript] == [text for _start, _end, text in VISIT]
        note_b = clinical_notes.get_note(ctx_b, ids["consultation"])
        assert (note_b.note_id, note_b.status) == (ids["note"], "signed")
        ctx_b.user = auth.sign_in(ctx_b, "admin", "a long clinic passphrase")
        # B's own records of the new kinds go back to A too
        lead_b, _ = leads.create_lead(ctx_b, LeadDraft(name="Meera Das", phone="9847012377", source="camp",
                                                        interest="Rasayana"))
        again = sync(desk_b)
        assert again.rejected == 0 and again.conflicts == 0
        assert sync(desk_a).rejected == 0
        assert lead_b in synced_rows(desk_a, "leads")
    finally:
        if desk_b is not None:
            desk_b.close()
        desk_a.close()


GENERAL_INTAKE = {"chief_complaint": "Stiff neck", "severity": 5, "diabetes": False, "hypertension": False,
                  "diet": "Vegetarian", "tried_before": ["Yoga"], "weight_kg": "61", "sleep_hours": "7",
                  "heard_from": "Friend or family"}


def test_two_desks_using_one_form_version_first_while_offline_merge_into_one_row(tmp_path, hq_url):
    ctx_a = set_up_clinic_desk(tmp_path / "desk-a")
    desk_b = None
    try:
        centre = new_centre(hq_url)
        enrol(ctx_a.db.data_dir, hq_url, enrolment_code(hq_url, centre), "", device_name="Reception desk A",
              database=ctx_a.db)
        patient, _ = patients.register_patient(ctx_a, patient_draft())
        sync(ctx_a.db)
        desk_b, _ = join_centre(tmp_path / "desk-b", hq_url, enrolment_code(hq_url, centre), "",
                                device_name="Reception desk B", now=clock)
        ctx_b = ServiceContext(desk_b, clock=clock)
        ctx_b.user = auth.sign_in(ctx_b, "admin", "a long clinic passphrase")
        # both desks use the form for the first time before either has synced it
        intake_forms.fill_form(ctx_a, patient, "general_intake", 1, GENERAL_INTAKE)
        intake_forms.fill_form(ctx_b, patient, "general_intake", 1, GENERAL_INTAKE | {"severity": 6})
        for db in (ctx_a.db, desk_b, ctx_a.db):
            summary = sync(db)
            assert summary.rejected == 0 and summary.conflicts == 0
        for db in (ctx_a.db, desk_b):
            with db.session() as session:
                assert held_back_changes(session) == []  # no clash on (form_key, version)
            assert len(synced_rows(db, "intake_form_responses")) == 2
        versions = synced_rows(ctx_a.db, "intake_form_versions")
        assert len(versions) == 1 and synced_rows(desk_b, "intake_form_versions") == versions
    finally:
        if desk_b is not None:
            desk_b.close()
        ctx_a.db.close()
