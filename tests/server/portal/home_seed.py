"""Synced rows for the home, progress, check-in and feedback tests: Asha's course at Kochi (sessions, appointments, a
staff-recorded report), Arjun's course at the same centre and Ravi's at Thrissur (whose ids Asha must never
reach), and Meera's one appointment at Thrissur (no course); plus a check of the pages' labels and scripts.

The portal clock starts at 2026-11-26 04:30 UTC (10:00 in Kochi, a Thursday); Asha's course started 2026-11-20."""

from html.parser import HTMLParser

from tests.server.portal.conftest import ARJUN, ASHA, KOCHI, MEERA, RAVI, THRISSUR, seed_rows

STAFF = "0190d2a0-0000-7000-8000-00000000f001"
SVC_ABH, SVC_VIR, SVC_CON = (f"0190d2a0-0000-7000-8000-0000000005{n}" for n in ("01", "02", "03"))
PLAN_A = "0190d2a0-0000-7000-8000-0000000000e1"
S_SNEHA, S_ABH, S_SWE, S_VIR, S_SAMS = (f"0190d2a0-0000-7000-8000-00000000051{n}" for n in range(5))
APPT_ABH, APPT_VIR, APPT_CON = (f"0190d2a0-0000-7000-8000-00000000a00{n}" for n in range(3))
STAFF_REPORT = "0190d2a0-0000-7000-8000-00000000d001"
PLAN_ARJUN, S_ARJUN = "0190d2a0-0000-7000-8000-0000000000e2", "0190d2a0-0000-7000-8000-000000000521"
PLAN_RAVI, S_RAVI = "0190d2a0-0000-7000-8000-0000000000e3", "0190d2a0-0000-7000-8000-000000000531"
APPT_MEERA = "0190d2a0-0000-7000-8000-00000000a0b1"


def plan(centre: str, patient: str, name: str, start: str) -> dict:
    return {"centre_id": centre, "patient_id": patient, "course_key": "classic-virechana-21", "course_version": 1,
            "name": name, "start_date": start, "status": "active", "rest_days": [], "max_days_late": 1,
            "scheduled": False, "notes": "", "doctor_id": STAFF}


def session(plan_id: str, key: str, therapy: str, phase: str, day: int, status: str, *, appointment: str | None = None,
            ended: str | None = None) -> dict:
    return {"plan_id": plan_id, "key": key, "seq": 0, "therapy": therapy, "phase": phase, "service_id": SVC_ABH,
            "day_offset": day, "after": [], "status": status, "appointment_id": appointment, "sop_key": None,
            "sop_version": None, "sop_steps": [], "started_at": ended, "ended_at": ended}


def appointment(centre: str, patient: str, service: str, start: str, end: str, status: str) -> dict:
    return {"reference": "KOC-A-000001", "centre_id": centre, "patient_id": patient, "service_id": service,
            "source": "front_desk", "start_at": start, "end_at": end, "status": status, "approval_pending": False,
            "room_id": None, "notes": ""}


def service(code: str, name: str) -> dict:
    return {"code": code, "name": name, "category": "therapy", "duration_minutes": 60, "active": True}


def seed_courses(portal) -> None:
    with portal.transaction(KOCHI) as tx:
        seed_rows(tx, {
            (KOCHI, "services", SVC_ABH): service("ABH", "Abhyanga"),
            (KOCHI, "services", SVC_VIR): service("VIR", "Virechana"),
            (KOCHI, "services", SVC_CON): service("CON", "Doctor's consultation"),
            (KOCHI, "care_plans", PLAN_A): plan(KOCHI, ASHA, "Classic Panchakarma", "2026-11-20"),
            (KOCHI, "plan_sessions", S_SNEHA): session(PLAN_A, "sneha-1", "snehapana", "purvakarma", 1, "completed",
                                                       ended="2026-11-21T04:00:00+00:00"),
            (KOCHI, "plan_sessions", S_ABH): session(PLAN_A, "abh-5", "abhyanga", "purvakarma", 5, "completed",
                                                     appointment=APPT_ABH, ended="2026-11-25T05:30:00+00:00"),
            (KOCHI, "plan_sessions", S_SWE): session(PLAN_A, "swe-6", "swedana", "purvakarma", 6, "scheduled"),
            (KOCHI, "plan_sessions", S_VIR): session(PLAN_A, "vir-8", "virechana", "pradhanakarma", 8, "scheduled",
                                                     appointment=APPT_VIR),
            (KOCHI, "plan_sessions", S_SAMS): session(PLAN_A, "sams-14", "samsarjana", "paschatkarma", 14,
                                                      "scheduled"),
            (KOCHI, "appointments", APPT_ABH): appointment(KOCHI, ASHA, SVC_ABH, "2026-11-25T04:30:00+00:00",
                                                           "2026-11-25T05:30:00+00:00", "completed"),
            (KOCHI, "appointments", APPT_VIR): appointment(KOCHI, ASHA, SVC_VIR, "2026-11-28T07:30:00+00:00",
                                                           "2026-11-28T09:00:00+00:00", "confirmed"),
            (KOCHI, "appointments", APPT_CON): appointment(KOCHI, ASHA, SVC_CON, "2026-12-01T05:00:00+00:00",
                                                           "2026-12-01T05:30:00+00:00", "requested"),
            (KOCHI, "appointment_staff", f"{APPT_ABH}|{STAFF}"): {"appointment_id": APPT_ABH, "staff_id": STAFF},
            (KOCHI, "outcome_reports", STAFF_REPORT): {
                "plan_id": PLAN_A, "session_id": S_SNEHA, "symptom_scores": {"Joint pain": 7, "Stiffness": 6},
                "energy": 4, "sleep": 5, "digestion": 6, "side_effects": "", "at": "2026-11-21T06:00:00+00:00",
                "by_staff_id": STAFF},
            # Arjun (same centre, not opened by Asha's phone) had a session yesterday
            (KOCHI, "care_plans", PLAN_ARJUN): plan(KOCHI, ARJUN, "Arjun's course", "2026-11-24"),
            (KOCHI, "plan_sessions", S_ARJUN): session(PLAN_ARJUN, "abh-1", "abhyanga", "purvakarma", 1, "completed",
                                                       ended="2026-11-25T06:00:00+00:00"),
        })
    with portal.transaction(THRISSUR) as tx:
        seed_rows(tx, {
            # Ravi (another centre, another phone) had a session yesterday; Meera has no course, one appointment
            (THRISSUR, "care_plans", PLAN_RAVI): plan(THRISSUR, RAVI, "Ravi's course", "2026-11-24"),
            (THRISSUR, "plan_sessions", S_RAVI): session(PLAN_RAVI, "abh-1", "abhyanga", "purvakarma", 1,
                                                         "completed", ended="2026-11-25T06:00:00+00:00"),
            (THRISSUR, "appointments", APPT_MEERA): appointment(THRISSUR, MEERA, SVC_ABH, "2026-11-27T04:30:00+00:00",
                                                                "2026-11-27T05:30:00+00:00", "confirmed"),
        })


class _Controls(HTMLParser):
    """Collects form controls a person fills in, the ids labels point at, and whether any script is present."""

    def __init__(self):
        super().__init__()
        self.controls: list[str] = []
        self.label_targets: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit", "button"):
            self.controls.append(attrs.get("id") or "?")
        elif tag == "script":
            self.scripts += 1


def page_problems(html: str) -> list[str]:
    """Controls without a <label for>, and scripts (the portal's pages must work with JavaScript off)."""
    parser = _Controls()
    parser.feed(html)
    problems = [f"{control} has no label" for control in parser.controls if control not in parser.label_targets]
    return problems + (["the page has a script"] if parser.scripts else [])
