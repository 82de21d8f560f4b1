"""Demo enquiries and clinical inbox: eight weeks of leads at both centres, a course patient's labs and intake forms."""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from clinicdesk.domain.labs import LabEntry, ReferenceRange
from clinicdesk.domain.leads import LOST_REASONS, LeadDraft
from clinicdesk.services import intake_forms, lab_results, leads
from clinicdesk.services.context import ServiceContext

_IST = ZoneInfo("Asia/Kolkata")
Action = tuple[datetime, Callable[[], None]]

_NAMES = ("Anil Menon", "Bindu Raj", "Chitra Pillai", "Deepak Shetty", "Farida Khan", "Gopal Iyer", "Hema Nair",
          "Irfan Sheikh", "Jaya Kulkarni", "Kiran Patil", "Leela Thomas", "Manoj Joshi", "Nisha Varma",
          "Omana Kurian", "Prakash Rao", "Radha Krishnan", "Sunil Pawar", "Tara Deshmukh", "Uma Shankar",
          "Vinod Gupta", "Yamini Bhat", "Zarina Ali", "Arjun Das", "Bhavana Sen", "Charu Mehta", "Dinesh Kumar")
_INTERESTS = ("Panchakarma course", "Abhyanga", "Shirodhara for sleep", "Weight loss programme", "Knee pain",
              "Skin care", "Stress relief", "Kati basti")
_PROBLEMS = ("Back pain for two years", "Cannot sleep well", "Psoriasis on elbows", "Stiff knees in the morning",
             "Migraine twice a week", "Acidity after meals", "")
_SOURCES = (("walk_in", 4), ("ads", 6), ("referral", 5), ("camp", 4), ("app", 3))
_HESITATIONS = ("worried about the cost of a 21-day course", "cannot take leave from work", "spouse not convinced",
                "afraid of the purgation therapy")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=_IST)


LEADS = 48
WEEKS = 8
# A few stories told whatever the dice say, so every screen has its example: (days ago, fate) by enquiry number.
# Enquiries 1 and 4 arrive in Pune, where the customer relations officer works the hesitating ones.
_PINNED = {0: (1, "new"), 1: (6, "hesitating"), 2: (24, "rescued"), 4: (3, "hesitating"), 5: (30, "lost")}


def _lead_name(n: int) -> str:
    """The first 26 enquiries use the names as listed; later ones pair given and family names anew."""
    if n < len(_NAMES):
        return _NAMES[n]
    given, family = _NAMES[n % len(_NAMES)].split()[0], _NAMES[(n * 7 + 3) % len(_NAMES)].split()[-1]
    return f"{given} {family}"


def _fate(rng: random.Random, age_days: int) -> str:
    """How far an enquiry got depends on its age: this week's are mostly new or in talks, older ones settled."""
    if age_days <= 2:
        weights = (6, 3, 1, 0, 0, 0)
    elif age_days <= 10:
        weights = (1, 3, 3, 3, 2, 1)
    else:
        weights = (0, 1, 1, 5, 5, 2)
    return rng.choices(("new", "contacted", "hesitating", "converted", "lost", "rescued"), weights)[0]


def lead_actions(*, desks: dict[str, ServiceContext], officer: ServiceContext, today: date, rng: random.Random,
                 latest_patient: Callable[[str], str | None]) -> list[Action]:
    """(when, action) pairs for four dozen enquiries over the last eight weeks, more each week (the ads began to
    work), each with its own story; no step of a story falls after yesterday."""
    out: list[Action] = []
    last_day = today - timedelta(days=1)
    for n in range(LEADS):
        name = _lead_name(n)
        centre = "PUN" if n % 3 else "KOC"  # customer relations sits in Pune: most enquiries arrive there
        desk = desks[centre]
        source = rng.choices([s for s, _ in _SOURCES], [w for _, w in _SOURCES])[0]
        # half spread evenly over the weeks, half leaning towards the recent ones: a funnel that fills up
        span = WEEKS * 7 - 1
        back = rng.randint(1, span) if rng.random() < 0.5 else round(rng.triangular(1, span, 1))
        fate = _fate(rng, back)
        back, fate = _PINNED.get(n, (back, fate))
        day = today - timedelta(days=back)
        draft = LeadDraft(name=name, phone=f"9{rng.randint(600000000, 999999999)}", source=source,
                          interest=rng.choice(_INTERESTS), problem=rng.choice(_PROBLEMS),
                          referred_by="Dr. Pradeep (GP)" if source == "referral" else "")
        holder: dict[str, str] = {}

        def create(desk=desk, draft=draft, holder=holder) -> None:
            holder["id"], _ = leads.create_lead(desk, draft)

        out.append((_at(day, 10, rng.randint(0, 50)), create))
        first_call = day + timedelta(days=1)
        if fate == "new" or first_call > last_day:
            continue
        out.append((_at(first_call, 11, n % 60), lambda desk=desk, holder=holder: leads.move_lead(
            desk, holder["id"], "contact", note="Called back; explained the programme and fees")))
        if fate in ("hesitating", "rescued"):
            why = rng.choice(_HESITATIONS)
            out.append((_at(first_call, 16, n % 60), lambda desk=desk, holder=holder, why=why: leads.move_lead(
                desk, holder["id"], "hesitate", reason=why)))
            rescued_on = first_call + timedelta(days=rng.randint(1, 3))
            if fate == "rescued" and rescued_on <= last_day:
                out.append((_at(rescued_on, 12, n % 60), lambda holder=holder: leads.move_lead(
                    officer, holder["id"], "contact", note="Offered the instalment plan; will visit on Saturday")))
                fate = "converted"
                first_call = rescued_on
        if fate == "converted":
            converted_on = first_call + timedelta(days=rng.randint(1, 5))

            def convert(desk=desk, holder=holder, centre=centre) -> None:
                patient_id = latest_patient(centre)
                if patient_id:  # the demo links to a registered demo patient, so the patient count stays as asked
                    leads.convert_to_existing_patient(desk, holder["id"], patient_id)
            if converted_on <= last_day:
                out.append((_at(converted_on, 10, n % 60), convert))
        elif fate == "lost":
            lost_on = first_call + timedelta(days=rng.randint(2, 8))
            reason = rng.choice(LOST_REASONS[:-1])
            if lost_on <= last_day:
                out.append((_at(lost_on, 15, n % 60), lambda desk=desk, holder=holder, reason=reason:
                            leads.move_lead(desk, holder["id"], "lose", reason=reason)))
    return out


_HB = ReferenceRange(Decimal("12"), Decimal("16"), Decimal("7"), Decimal("20"))
_POTASSIUM = ReferenceRange(Decimal("3.5"), Decimal("5.1"), Decimal("2.8"), Decimal("6.0"))
_CREATININE = ReferenceRange(Decimal("0.6"), Decimal("1.2"))


def inbox_actions(*, doctor: ServiceContext, nurse: ServiceContext, desk: ServiceContext, today: date,
                  course_patient: Callable[[], str | None]) -> list[Action]:
    """The course patient's haemoglobin over three weeks, one critical potassium, and two filled intake forms."""
    results = [(21, LabEntry("Haemoglobin", today - timedelta(days=22), "10.1", "g/dL", _HB)),
               (14, LabEntry("Haemoglobin", today - timedelta(days=15), "10.9", "g/dL", _HB)),
               (7, LabEntry("Haemoglobin", today - timedelta(days=8), "11.8", "g/dL", _HB)),
               (7, LabEntry("Serum creatinine", today - timedelta(days=8), "0.9", "mg/dL", _CREATININE)),
               (3, LabEntry("Serum potassium", today - timedelta(days=4), "6.3", "mmol/L", _POTASSIUM,
                            note="Repeat sample advised")),
               (2, LabEntry("Urine albumin", today - timedelta(days=3), "trace", entered_flag="abnormal")),
               (1, LabEntry("Haemoglobin", today - timedelta(days=2), "12.6", "g/dL", _HB))]
    out: list[Action] = []
    for days_ago, entry in results:
        def record(entry=entry) -> None:
            patient_id = course_patient()
            if patient_id:
                report = lab_results.LabReport(f"{entry.test} report", "text/plain",
                                               f"{entry.test}: {entry.value} {entry.unit}".encode())
                lab_results.record_lab_result(nurse, patient_id, entry, report=report,
                                              ordered_by=doctor.user.staff_id)
        out.append((_at(today - timedelta(days=days_ago), 17, 5), record))

    def forms() -> None:
        patient_id = course_patient()
        if not patient_id:
            return
        intake_forms.fill_form(desk, patient_id, "general_intake", 1, {
            "chief_complaint": "Low back pain radiating to the left leg", "severity": 7, "diabetes": False,
            "hypertension": False, "diet": "Vegetarian", "tried_before": ["Allopathy", "Physiotherapy"],
            "weight_kg": "68", "sleep_hours": "6", "heard_from": "Friend or family"}, filled_on="tablet")
        intake_forms.fill_form(doctor, patient_id, "panchakarma_pre_assessment", 1, {
            "fever_now": False, "recent_surgery": False, "heart_condition": False, "systolic_bp": 128,
            "diastolic_bp": 82, "pulse": 76, "agni": "Manda (slow)", "koshta": "Madhyama (moderate)",
            "ghee_tolerance": True, "goals": ["Relief of pain", "Better sleep"], "stay": "Nearby", "energy": 3})
    out.append((_at(today - timedelta(days=23), 9, 40), forms))
    return out
