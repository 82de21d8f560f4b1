"""A small clinic with known figures for the dashboards: the week of Monday 23 November 2026 in Kochi (IST).

Set-up writes rows directly (the flows that make them have their own tests); every expected figure below is
worked out by hand in the docstrings of tests/services/test_dashboards.py.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinicdesk.services import admin, patients
from clinicdesk.services.admin_dto import CentreDraft, RoomDraft, StaffDraft, WorkingHours
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models_billing import InvoiceRow, PaymentRow
from clinicdesk.store.models_feedback import FeedbackRow
from clinicdesk.store.models_leads import LeadEventRow, LeadRow
from clinicdesk.store.models_scheduling import AppointmentRow, AppointmentStaffRow, ServiceRow
from clinicdesk.store.models_therapy import (
    CarePlanRow,
    IncidentRow,
    OutcomeReportRow,
    PlanSessionRow,
    SopStepRecordRow,
)
from tests.conftest import STAFF_PASSWORD
from tests.services.helpers import patient_draft

IST = ZoneInfo("Asia/Kolkata")
DUBAI = ZoneInfo("Asia/Dubai")
MONDAY = date(2026, 11, 23)
SUNDAY = date(2026, 11, 29)
# Monday to Saturday 09:00-17:00 with a 13:00-14:00 break: 7 hours a day, 42 hours a week
HOURS = tuple(WorkingHours(day, time(9), time(17), time(13), time(14)) for day in range(6))


def ist(day: date, hour: int, minute: int = 0, zone: ZoneInfo = IST) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


@dataclass
class DashboardWorld:
    boss: ServiceContext
    centre: str = ""
    dubai: str = ""
    therapist: str = ""
    room: str = ""
    service: str = ""
    patient: str = ""
    _refs: int = 0
    ids: dict[str, str] = field(default_factory=dict)

    def build(self) -> "DashboardWorld":
        boss = self.boss
        self.centre = boss.user.centre_id
        self.dubai, _ = admin.save_centre(boss, CentreDraft("DXB", "Dubai", "Asia/Dubai"))
        self.therapist, _ = admin.create_staff(boss, StaffDraft("rajan.t", "Rajan Pillai", "therapist", self.centre,
                                                                gender="male", hours=HOURS), STAFF_PASSWORD)
        self.room, _ = admin.save_room(boss, RoomDraft(self.centre, "Abhyanga 1", "abhyanga"))
        self.patient, _ = patients.register_patient(boss, patient_draft())
        now = boss.now()
        with boss.unit_of_work() as session:
            self.service = boss.make_id()
            session.add(ServiceRow(id=self.service, code="ABH", name="Abhyanga", category="therapy",
                                   duration_minutes=60, created_at=now, updated_at=now))
        self._appointments()
        self._feedback()
        self._outcomes_and_complications()
        self._money()
        self._leads()
        return self

    def appointment(self, start: datetime, minutes: int, status: str, *, centre: str | None = None,
                    staff: bool = True, room: bool = True) -> str:
        self._refs += 1
        now = self.boss.now()
        with self.boss.unit_of_work() as session:
            row = AppointmentRow(
                id=self.boss.make_id(), reference=f"T-{self._refs}", centre_id=centre or self.centre,
                patient_id=self.patient, service_id=self.service, room_id=self.room if room else None,
                start_at=start, end_at=start + timedelta(minutes=minutes), status=status, source="front_desk",
                created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            if staff:
                session.add(AppointmentStaffRow(appointment_id=row.id, staff_id=self.therapist))
            return row.id

    def _appointments(self) -> None:
        self.appointment(ist(MONDAY, 0, 15), 30, "completed", staff=False)  # 22 Nov 18:45 UTC: Monday in Kochi
        self.appointment(ist(MONDAY, 10), 60, "completed")
        self.appointment(ist(MONDAY + timedelta(days=1), 10), 60, "no_show")
        self.appointment(ist(MONDAY + timedelta(days=2), 10), 60, "cancelled")
        self.appointment(ist(MONDAY + timedelta(days=2), 11), 60, "rescheduled")  # moved: counted at its new time
        self.appointment(ist(MONDAY + timedelta(days=4), 14), 90, "confirmed")
        self.appointment(ist(SUNDAY + timedelta(days=1), 0, 15), 30, "confirmed")  # 29 Nov 18:45 UTC: next week
        self.appointment(ist(MONDAY + timedelta(days=3), 10, zone=DUBAI), 60, "completed", centre=self.dubai,
                         staff=False, room=False)

    def _feedback(self) -> None:
        with self.boss.unit_of_work() as session:
            for day, overall, practitioner, recommend in ((0, 5, 5, 10), (0, 4, 5, 9), (2, 3, 4, 6), (4, 4, 4, 8)):
                session.add(FeedbackRow(
                    id=self.boss.make_id(), centre_id=self.centre, scope="session", practitioner_id=self.therapist,
                    effectiveness=4, practitioner=practitioner, facility=4, staff=4, value=4, overall=overall,
                    recommend=recommend, submitted_at=ist(MONDAY + timedelta(days=day), 12)))

    def _plan(self, session, name: str, scores: list[dict]) -> str:
        now = self.boss.now()
        plan = CarePlanRow(id=self.boss.make_id(), centre_id=self.centre, patient_id=self.patient, course_key="pk",
                           course_version=1, name=name, start_date=MONDAY, status="active", created_at=now,
                           updated_at=now)
        session.add(plan)
        session.flush()
        for index, score in enumerate(scores):
            session.add(OutcomeReportRow(id=self.boss.make_id(), plan_id=plan.id, symptom_scores=score,
                                         at=ist(MONDAY + timedelta(days=index), 16)))
        return plan.id

    def _outcomes_and_complications(self) -> None:
        steps = [{"no": 1, "text": "Check pulse"}, {"no": 2, "text": "Fresh linen"}, {"no": 3, "text": "Steam"}]
        with self.boss.unit_of_work() as session:
            plan_id = self._plan(session, "Virechana course",
                                 [{"pain": 8, "stiffness": 6}, {"pain": 3, "stiffness": 2}])
            self._plan(session, "Virechana course", [{"pain": 5}, {"pain": 6}])
            self._plan(session, "Kati basti course", [{"pain": 7}])  # one report: nothing to compare yet
            start = ist(MONDAY + timedelta(days=1), 9)
            row = PlanSessionRow(id=self.boss.make_id(), plan_id=plan_id, seq=1, key="swe-1", therapy="swedana",
                                 phase="main", service_id=self.service, day_offset=1, status="completed",
                                 sop_steps=steps, started_at=start, updated_at=start)
            session.add(row)
            session.flush()
            session.add(SopStepRecordRow(id=self.boss.make_id(), session_id=row.id, step_no=1, outcome="done",
                                         at=start))
            session.add(SopStepRecordRow(id=self.boss.make_id(), session_id=row.id, step_no=2, outcome="skipped",
                                         deviation=True, reason="Own towels", at=start))
            session.add(IncidentRow(id=self.boss.make_id(), centre_id=self.centre, session_id=row.id,
                                    patient_id=self.patient, severity="minor", description="Light-headed",
                                    status="open", occurred_at=start + timedelta(minutes=8), created_at=start,
                                    updated_at=start))
            session.add(SopStepRecordRow(id=self.boss.make_id(), session_id=row.id, step_no=3, outcome="done",
                                         at=start + timedelta(minutes=8)))

    def _money(self) -> None:
        zero, staff = Decimal("0"), self.boss.user.staff_id

        def bill(kind: str, number: str, day: date, total: str, original: str | None = None) -> str:
            row = InvoiceRow(id=self.boss.make_id(), centre_id=self.centre, patient_id=self.patient, kind=kind,
                             number=number, issued_on=day, issued_at=ist(day, 11), issued_by=staff,
                             original_invoice_id=original, place_of_supply="Kerala", intra_state=True,
                             gross=Decimal(total), discount=zero, taxable=Decimal(total), cgst=zero, sgst=zero,
                             igst=zero, round_off=zero, total=Decimal(total))
            session.add(row)
            session.flush()
            return row.id

        with self.boss.unit_of_work() as session:
            first = bill("invoice", "KOC-1", MONDAY + timedelta(days=1), "1000.00")
            bill("credit_note", "KOC-CN1", MONDAY + timedelta(days=2), "100.00", original=first)
            bill("invoice", "KOC-2", MONDAY + timedelta(days=2), "250.00")
            session.add(PaymentRow(id=self.boss.make_id(), centre_id=self.centre, invoice_id=first, kind="payment",
                                   receipt_number="R-1", method="upi", amount=Decimal("400.00"),
                                   received_at=ist(MONDAY + timedelta(days=1), 23, 50), received_by=staff))

    def _leads(self) -> None:
        with self.boss.unit_of_work() as session:
            for name, source, status, path in (("A", "walk_in", "converted", ("new", "contacted", "converted")),
                                               ("B", "ads", "lost", ("new", "lost")),
                                               ("C", "ads", "new", ("new",))):
                at = ist(MONDAY + timedelta(days=3), 10)
                lead = LeadRow(id=self.boss.make_id(), centre_id=self.centre, name=f"Enquirer {name}",
                               source=source, status=status, created_at=at, status_changed_at=at)
                session.add(lead)
                session.flush()
                for seq, to_status in enumerate(path, 1):
                    session.add(LeadEventRow(id=self.boss.make_id(), lead_id=lead.id, seq=seq, at=at,
                                             event="created" if seq == 1 else "move", to_status=to_status))
