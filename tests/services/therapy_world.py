"""A small Panchakarma centre for the therapy tests: rooms, practitioners, the course's services, stock, one patient."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, appointments, patients, procedure_consent, stock, therapy_plans
from clinicdesk.services.admin_dto import PractitionerProfile, RoomDraft, StaffDraft, WorkingHours
from clinicdesk.services.context import ServiceContext, SignedInUser
from tests.conftest import STAFF_PASSWORD
from tests.services.helpers import patient_draft

COURSE = "classic-virechana-21"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24  # enough of a PNG for the services, which check only the signature
START = date(2026, 11, 27)  # the day after the test clock's Thursday
SKILLS = ("abhyanga", "swedana", "shirodhara", "virechana", "basti", "nasya", "njavarakizhi")
# code: name, category, minutes, room type, skill (None: the doctors' consultation)
SERVICES = {"ABH": ("Abhyanga", "therapy", 60, "abhyanga", "abhyanga"),
            "SWE": ("Swedana", "therapy", 20, "swedana", "swedana"),
            "SHI": ("Shirodhara", "therapy", 45, "shirodhara", "shirodhara"),
            "VIR": ("Virechana", "procedure", 90, "vamana_virechana", "virechana"),
            "BAS": ("Basti", "procedure", 45, "basti", "basti"),
            "NAS": ("Nasya", "therapy", 30, "nasya", "nasya"),
            "KIZ": ("Njavarakizhi", "therapy", 60, "abhyanga", "njavarakizhi"),
            "CON-FU": ("Consultation – follow-up", "consultation", 15, "consultation", None)}
# code: name, unit, reorder level, batches (number, quantity, expiry days from the start)
STOCK = {"DHANWANTARAM": ("Dhanwantaram taila", "ml", 500, (("DT-1", 1000, 60), ("DT-2", 1000, 10))),
         "KSHEERABALA": ("Ksheerabala taila", "ml", 500, (("KB-1", 2000, 90),)),
         "CASTOR-OIL": ("Castor oil", "ml", 100, (("CO-1", 200, 120),)),
         "SESAME-OIL": ("Sesame oil", "ml", 300, (("SO-1", 1000, 200),)),
         "TRIPHALA": ("Triphala churna", "g", 100, (("TR-1", 500, 300),)),
         "LINEN-TOWEL": ("Linen towel", "piece", 10, (("LT-1", 40, None),))}


def _all_week(start: str = "07:00", end: str = "19:00") -> tuple[WorkingHours, ...]:
    return tuple(WorkingHours(day, time.fromisoformat(start), time.fromisoformat(end)) for day in range(7))


@dataclass
class TherapyWorld:
    boss: ServiceContext
    centre: str
    patient: str = ""
    rooms: dict[str, str] = field(default_factory=dict)
    staff: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    batches: dict[str, str] = field(default_factory=dict)
    users: dict[Role, SignedInUser] = field(default_factory=dict)

    def ctx(self, role: Role) -> ServiceContext:
        return ServiceContext(self.boss.db, user=self.users[role], clock=self.boss.clock)

    def scheduled_plan(self, *, confirm: bool = True, consent: bool = True) -> str:
        """A booked course; as in a real clinic its procedure consent is signed before the first session."""
        doctor = self.ctx(Role.DOCTOR)
        plan_id, _ = therapy_plans.create_plan(doctor, self.patient, COURSE, START)
        therapy_plans.auto_schedule(doctor, plan_id)
        if confirm:
            therapy_plans.transition_plan(doctor, plan_id, "confirm")
        if consent:
            self.consent(plan_id)
        return plan_id

    def consent(self, plan_id: str) -> None:
        nurse = self.ctx(Role.NURSE)
        name = procedure_consent.plan_consent_status(nurse, plan_id).patient_name
        procedure_consent.record_procedure_consent(nurse, plan_id, name, PNG)


def at_local(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), ZoneInfo("Asia/Kolkata"))


def build_therapy_world(boss: ServiceContext) -> TherapyWorld:
    w = TherapyWorld(boss=boss, centre=boss.user.centre_id)
    for room_type in ("abhyanga", "swedana", "shirodhara", "vamana_virechana", "basti", "nasya", "consultation"):
        for n in (1, 2):
            w.rooms[f"{room_type} {n}"], _ = admin.save_room(boss, RoomDraft(w.centre, f"PK {room_type} {n}",
                                                                             room_type))
    for key, name, role, gender in (("vaidya", "Dr. Vaidya Nair", "doctor", "female"),
                                    ("rajan", "Rajan Pillai", "therapist", "male"),
                                    ("anjali", "Anjali Menon", "therapist", "female"),
                                    ("bindu", "Bindu Thomas", "therapist", "female")):
        skills = () if role == "doctor" else SKILLS
        w.staff[key], _ = admin.create_staff(boss, StaffDraft(
            f"{key}.pk", name, role, w.centre, gender,
            profile=PractitionerProfile(licence_number="AYU-7" if role == "doctor" else "", skills=skills),
            hours=_all_week()), STAFF_PASSWORD)
    for code, (name, category, minutes, room_type, skill) in SERVICES.items():
        appointments.save_service(boss, code=code, name=name, category=category, duration_minutes=minutes,
                                  room_types=(room_type,), skills=(skill,) if skill else (), price=Decimal("1000"),
                                  practitioner_ids=() if skill else (w.staff["vaidya"],))
    w.patient, _ = patients.register_patient(boss, patient_draft(given_name="Lakshmi", sex="female"))
    for code, (name, unit, level, batches) in STOCK.items():
        w.items[code], _ = stock.save_item(boss, w.centre, code, name, unit, level)
        for number, quantity, days in batches:
            w.batches[number], _ = stock.receive_batch(boss, w.items[code], number, quantity,
                                                       START + timedelta(days=days) if days is not None else None)
    w.users[Role.ADMIN] = boss.user
    for role in (Role.DOCTOR, Role.THERAPIST, Role.NURSE, Role.FRONT_DESK, Role.CUSTOMER_RELATIONS):
        username = f"pk.{role.value}".replace("_", "")
        staff_id, _ = admin.create_staff(boss, StaffDraft(username, f"Floor {role.value}", role.value, w.centre),
                                         STAFF_PASSWORD)
        w.users[role] = SignedInUser(staff_id, username, f"Floor {role.value}", role, w.centre)
    return w
