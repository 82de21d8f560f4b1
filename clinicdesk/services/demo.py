"""Builds a realistic demo clinic through the public services, so every demo record passed the real rules."""

import os
import random
import shutil
import time as timer
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event

from clinicdesk.domain.errors import ClinicError
from clinicdesk.domain.identifiers import verhoeff_check_digit
from clinicdesk.domain.patients import PatientDraft, age_on
from clinicdesk.domain.prakriti import (
    AGNI_CHOICES,
    KOSHTA_CHOICES,
    LEVEL_CHOICES,
    PRAKRITI_QUESTIONS,
    SLEEP_CHOICES,
    Dosha,
    score_answers,
)
from clinicdesk.domain.roles import ROLE_LABELS, Role
from clinicdesk.services import (
    admin,
    auth,
    demo_appointments,
    demo_billing,
    demo_consultations,
    demo_leads,
    demo_messages,
    demo_portal,
    demo_therapy,
    patient_records,
)
from clinicdesk.services import demo_clinical as clinical
from clinicdesk.services import demo_names as names
from clinicdesk.services import patients as patient_service
from clinicdesk.services.admin_dto import (
    CentreDraft,
    EquipmentDraft,
    Leave,
    PractitionerProfile,
    RoomDraft,
    StaffDraft,
    WorkingHours,
)
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.services.patient_dto import CommunicationPreferences
from clinicdesk.store.database import Database, create_database
from clinicdesk.store.datadir import CONFIG_FILE, DATABASE_FILE

DEMO_ADMIN = "admin"
DEMO_PASSWORD = "sukham demo clinic"
DEMO_DOCTOR = "dr.meera"  # Kochi's doctor, whose consulting room the demo fills
CLINIC_NAME = "Sukham Ayurveda & Panchakarma"
CONSENT_VERSION = "v2.1"
_IST = ZoneInfo("Asia/Kolkata")
CONSULTATION_VISITS = 5  # finished visits in the consulting room before today, for the "last visit" panel
_HISTORY_DAYS = 540  # patients were registered over the last year and a half, so lists and timelines look lived-in


class _DemoClock:
    """A clock the builder moves forward by hand: records get plausible past times and the audit log stays ordered."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


# --- centres, rooms, equipment -------------------------------------------------------------------------------

_PAN = "AAKCS4821M"  # one company, so both centres' GSTINs share the PAN and differ in the state code


def gstin(state_code: str, pan: str = _PAN, entity: str = "1") -> str:
    """A GSTIN with a correct check character (the mod-36 scheme GSTN uses)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    body = f"{state_code}{pan}{entity}Z"
    total = 0
    for i, ch in enumerate(body):
        product = alphabet.index(ch) * (2 if i % 2 else 1)
        total += product // 36 + product % 36
    return body + alphabet[(36 - total % 36) % 36]


_KOCHI = CentreDraft(
    code="KOC", name="Kochi", timezone="Asia/Kolkata", state="Kerala", phone="+91 484 231 5678",
    address="XL/1432, Panampilly Avenue, Panampilly Nagar, Kochi, Kerala 682036",
    email="kochi@sukhamayurveda.in", gstin=gstin("32"),
    holidays=((date(2026, 12, 25), "Christmas"), (date(2027, 1, 26), "Republic Day"),
              (date(2027, 4, 15), "Vishu"), (date(2027, 8, 15), "Independence Day"),
              (date(2027, 9, 13), "Thiruvonam (Onam)"), (date(2027, 10, 29), "Deepavali"),
              (date(2027, 11, 1), "Kerala Piravi")))
_PUNE = CentreDraft(
    code="PUN", name="Pune", timezone="Asia/Kolkata", state="Maharashtra", phone="+91 20 2567 8910",
    address="Plot 27, Lane 5, Prabhat Road, Deccan Gymkhana, Pune, Maharashtra 411004",
    email="pune@sukhamayurveda.in", gstin=gstin("27"),
    holidays=((date(2026, 12, 25), "Christmas"), (date(2027, 1, 26), "Republic Day"),
              (date(2027, 4, 7), "Gudi Padwa"), (date(2027, 5, 1), "Maharashtra Day"),
              (date(2027, 8, 15), "Independence Day"), (date(2027, 9, 4), "Ganesh Chaturthi"),
              (date(2027, 10, 29), "Deepavali")))

# (name, room type, capacity, gender restriction, cleaning buffer minutes)
_ROOMS = {
    "KOC": (("Consultation 1", "consultation", 1, "any", 5), ("Consultation 2", "consultation", 1, "any", 5),
            ("Abhyanga A (women)", "abhyanga", 1, "female", 20), ("Abhyanga B (men)", "abhyanga", 1, "male", 20),
            ("Swedana room", "swedana", 2, "any", 15), ("Shirodhara suite", "shirodhara", 1, "any", 30),
            ("Basti room", "basti", 1, "any", 20), ("Nasya room", "nasya", 1, "any", 10),
            ("Vamana-Virechana suite", "vamana_virechana", 1, "any", 45), ("Recovery lounge", "recovery", 6, "any", 0),
            ("Yoga hall", "yoga", 15, "any", 10)),
    "PUN": (("Consultation 1", "consultation", 1, "any", 5), ("Abhyanga A (women)", "abhyanga", 1, "female", 20),
            ("Abhyanga B (men)", "abhyanga", 1, "male", 20), ("Swedana room", "swedana", 1, "any", 15),
            ("Shirodhara room", "shirodhara", 1, "any", 30), ("Basti room", "basti", 1, "any", 20),
            ("Nasya room", "nasya", 1, "any", 10), ("Virechana suite", "vamana_virechana", 1, "any", 45),
            ("Recovery room", "recovery", 4, "any", 0)),
}
# (name, kind, room name or None for portable items, quantity)
_EQUIPMENT = {
    "KOC": (("Droni (teak abhyanga table)", "droni", "Abhyanga A (women)", 1),
            ("Droni (teak abhyanga table)", "droni", "Abhyanga B (men)", 1),
            ("Swedana steam box", "steam_box", "Swedana room", 2),
            ("Nadi sweda steam generator", "steam_generator", "Swedana room", 1),
            ("Shirodhara stand with copper dhara patra", "shirodhara_stand", "Shirodhara suite", 1),
            ("Thermostatic oil warmer", "oil_warmer", "Shirodhara suite", 1),
            ("Nasya kit (droppers, steam inhaler)", "nasya_kit", "Nasya room", 3),
            ("Basti yantra set", "basti_kit", "Basti room", 6),
            ("Vamana basin and measuring jars", "vamana_kit", "Vamana-Virechana suite", 2),
            ("Recliner bed", "recliner", "Recovery lounge", 6),
            ("Digital BP monitor", "bp_monitor", "Consultation 1", 1),
            ("Portable oil warmer", "oil_warmer", None, 4),
            ("Yoga mats", "yoga_mat", "Yoga hall", 20)),
    "PUN": (("Droni (abhyanga table)", "droni", "Abhyanga A (women)", 1),
            ("Droni (abhyanga table)", "droni", "Abhyanga B (men)", 1),
            ("Swedana steam box", "steam_box", "Swedana room", 1),
            ("Shirodhara stand with brass dhara patra", "shirodhara_stand", "Shirodhara room", 1),
            ("Nasya kit (droppers, steam inhaler)", "nasya_kit", "Nasya room", 2),
            ("Basti yantra set", "basti_kit", "Basti room", 4),
            ("Recliner bed", "recliner", "Recovery room", 4),
            ("Digital BP monitor", "bp_monitor", "Consultation 1", 1),
            ("Portable oil warmer", "oil_warmer", None, 2)),
}


# --- staff --------------------------------------------------------------------------------------------------

def _week(days: tuple[int, ...], start: str, end: str, brk: tuple[str, str] | None = None,
          saturday: tuple[str, str] | None = None) -> tuple[WorkingHours, ...]:
    """Weekly hours; a short Saturday (no break) when `saturday` is given."""
    t = time.fromisoformat
    out = []
    for day in days:
        if day == 5 and saturday:
            out.append(WorkingHours(day, t(saturday[0]), t(saturday[1])))
        else:
            out.append(WorkingHours(day, t(start), t(end), t(brk[0]) if brk else None, t(brk[1]) if brk else None))
    return tuple(out)


_MON_SAT = (0, 1, 2, 3, 4, 5)
_DOCTOR_HOURS = _week(_MON_SAT, "09:00", "17:00", ("13:00", "14:00"), saturday=("09:00", "13:00"))
_EARLY_SHIFT = _week(_MON_SAT, "06:30", "14:30", ("10:30", "11:00"))  # oil therapies start at dawn
_LATE_SHIFT = _week((1, 2, 3, 4, 5, 6), "10:00", "18:00", ("14:00", "14:30"))
_DESK_HOURS = _week(_MON_SAT, "08:00", "17:00", ("13:00", "13:45"), saturday=("08:00", "14:00"))


@dataclass(frozen=True)
class _StaffSpec:
    username: str
    full_name: str
    role: Role
    centre: str
    gender: str
    phone: str
    hours: tuple[WorkingHours, ...]
    profile: PractitionerProfile | None = None
    leave_in_days: tuple[int, int, str] | None = None  # (from, to, reason), counted from today


_THERAPIST_QUAL = "Diploma in Panchakarma Therapy (DPT)"
_STAFF = (
    _StaffSpec(DEMO_ADMIN, "Anitha Menon", Role.ADMIN, "KOC", "female", "+91 98470 21001", _DESK_HOURS),
    _StaffSpec("dr.meera", "Dr. Meera Nair", Role.DOCTOR, "KOC", "female", "+91 98470 21002", _DOCTOR_HOURS,
               PractitionerProfile("AYU-KL-12345", "BAMS (Govt. Ayurveda College, Thiruvananthapuram); MD Panchakarma",
                                   ("Panchakarma", "Women's health", "Stress management"), ("vamana", "virechana"),
                                   ("English", "Malayalam", "Hindi", "Tamil"), Decimal("1500"), "verified",
                                   date(2029, 3, 31))),
    _StaffSpec("dr.hari", "Dr. Harikrishnan Namboothiri", Role.DOCTOR, "KOC", "male", "+91 94470 21003",
               _DOCTOR_HOURS,
               PractitionerProfile("AYU-KL-20871", "BAMS; MD Kayachikitsa (Vaidyaratnam Ayurveda College)",
                                   ("Musculoskeletal disorders", "Skin disorders", "Kayachikitsa"),
                                   ("vamana", "virechana", "basti"), ("English", "Malayalam"), Decimal("1200"),
                                   "verified", date(2027, 6, 30)),
               leave_in_days=(12, 16, "CME conference, Thiruvananthapuram")),
    _StaffSpec("rajan.t", "Rajan Pillai", Role.THERAPIST, "KOC", "male", "+91 98950 21004", _EARLY_SHIFT,
               PractitionerProfile("", _THERAPIST_QUAL, (), ("abhyanga", "swedana", "pizhichil", "njavarakizhi",
                                                              "basti", "kati_basti"),
                                   ("Malayalam", "English"), Decimal("0"), "verified")),
    _StaffSpec("sreeja.t", "Sreeja Kumari", Role.THERAPIST, "KOC", "female", "+91 98950 21005", _LATE_SHIFT,
               PractitionerProfile("", _THERAPIST_QUAL, (), ("abhyanga", "swedana", "shirodhara", "nasya",
                                                              "udvartana", "netra_tarpana"),
                                   ("Malayalam", "English", "Hindi"), Decimal("0"), "verified")),
    _StaffSpec("jincy.n", "Jincy Mathew", Role.NURSE, "KOC", "female", "+91 85470 21006", _EARLY_SHIFT,
               PractitionerProfile("KNMC-78123", "GNM; BSc Nursing", (), ("vitals", "wound_care"),
                                   ("Malayalam", "English"), Decimal("0"), "verified", date(2028, 12, 31)),
               leave_in_days=(-20, -16, "Annual leave")),
    _StaffSpec("reshma.fd", "Reshma Varghese", Role.FRONT_DESK, "KOC", "female", "+91 79070 21007", _DESK_HOURS),
    _StaffSpec("dr.sandeep", "Dr. Sandeep Kulkarni", Role.DOCTOR, "PUN", "male", "+91 98220 21008", _DOCTOR_HOURS,
               PractitionerProfile("MCIM-I-54321", "BAMS (Tilak Ayurved Mahavidyalaya, Pune); MD Panchakarma",
                                   ("Panchakarma", "Metabolic disorders", "Lifestyle disease"),
                                   ("vamana", "virechana", "basti"), ("English", "Marathi", "Hindi"),
                                   Decimal("1000"), "verified", date(2028, 9, 30))),
    _StaffSpec("ganesh.t", "Ganesh Jadhav", Role.THERAPIST, "PUN", "male", "+91 98230 21009", _EARLY_SHIFT,
               PractitionerProfile("", _THERAPIST_QUAL, (), ("abhyanga", "swedana", "basti", "virechana",
                                                              "kati_basti"),
                                   ("Marathi", "Hindi", "English"), Decimal("0"), "verified"),
               leave_in_days=(3, 5, "Family wedding, Satara")),
    _StaffSpec("snehal.t", "Snehal Deshpande", Role.THERAPIST, "PUN", "female", "+91 98500 21010", _LATE_SHIFT,
               PractitionerProfile("", _THERAPIST_QUAL, (), ("abhyanga", "shirodhara", "nasya", "swedana",
                                                              "udvartana"),
                                   ("Marathi", "Hindi", "English"), Decimal("0"), "pending")),
    _StaffSpec("pooja.fd", "Pooja Shinde", Role.FRONT_DESK, "PUN", "female", "+91 88050 21011", _DESK_HOURS),
    _StaffSpec("kavya.cro", "Kavya Iyer", Role.CUSTOMER_RELATIONS, "PUN", "female", "+91 77090 21012",
               _week((0, 1, 2, 3, 4), "09:30", "18:00", ("13:30", "14:15"))),
)


# --- patients ------------------------------------------------------------------------------------------------

@dataclass
class _Stats:
    per_centre: dict[str, int] = field(default_factory=lambda: {"KOC": 0, "PUN": 0})
    malayalam: int = 0
    devanagari: int = 0
    aadhaar: int = 0
    abha: int = 0
    assessments: int = 0
    consents: int = 0
    allergies: int = 0
    medications: int = 0


@dataclass
class _Unique:
    """Values the clinic expects to be unique (Aadhaar is enforced; duplicate phones would only confuse a demo)."""

    phones: set[str] = field(default_factory=set)
    aadhaar: set[str] = field(default_factory=set)

    def phone(self, rng: random.Random) -> str:
        while True:
            digits = str(rng.choice("6789")) + "".join(rng.choice("0123456789") for _ in range(9))
            if digits not in self.phones:
                self.phones.add(digits)
                return f"+91 {digits[:5]} {digits[5:]}"

    def aadhaar_number(self, rng: random.Random) -> str:
        while True:
            body = str(rng.randint(2, 9)) + "".join(rng.choice("0123456789") for _ in range(10))
            digits = body + verhoeff_check_digit(body)
            if digits not in self.aadhaar:
                self.aadhaar.add(digits)
                return f"{digits[:4]} {digits[4:8]} {digits[8:]}"


def _ascii_handle(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


@dataclass(frozen=True)
class _Person:
    given: str
    family: str
    local: str
    script: str  # "ml", "deva" or ""
    origin: str  # "kerala", "maharashtra", "north", "other"
    sex: str


def _pick_person(rng: random.Random, centre: str, script: str) -> _Person:
    sex = "female" if rng.random() < 0.56 else "male"
    if script == "ml":
        origin = "kerala"
    elif script == "deva":
        origin = "maharashtra" if rng.random() < 0.7 else "north"
    else:
        weights = {"KOC": (0.75, 0.05, 0.05, 0.15), "PUN": (0.08, 0.62, 0.15, 0.15)}[centre]
        origin = rng.choices(("kerala", "maharashtra", "north", "other"), weights)[0]
    if origin == "other":
        given = rng.choice(names.OTHER_FEMALE if sex == "female" else names.OTHER_MALE)
        return _Person(given, rng.choice(names.OTHER_FAMILY), "", "", origin, sex)
    pools = {"kerala": (names.KERALA_FEMALE, names.KERALA_MALE, names.KERALA_FAMILY),
             "maharashtra": (names.MARATHI_FEMALE, names.MARATHI_MALE, names.MARATHI_FAMILY),
             "north": (names.NORTH_FEMALE, names.NORTH_MALE, names.NORTH_FAMILY)}[origin]
    given, given_local = rng.choice(pools[0] if sex == "female" else pools[1])
    family, family_local = rng.choice(pools[2])
    local = f"{given_local} {family_local}" if script else ""
    return _Person(given, family, local, script, origin, sex)


def _address(rng: random.Random, centre: str) -> tuple[str, str, str, str]:
    """Most patients live near the centre they visit; a few travel in from elsewhere in India."""
    home, city = {"KOC": (names.KERALA_PLACES, "Kochi"), "PUN": (names.MAHARASHTRA_PLACES, "Pune")}[centre]
    roll = rng.random()
    places = [p for p in home if p[1] == city] if roll < 0.7 else home if roll < 0.9 else names.OTHER_PLACES
    locality, city, state, pin = rng.choice(places)
    if state == "Kerala":
        line = f"{rng.choice(names.KERALA_HOUSES)}, {rng.randint(1, 60)}/{rng.randint(100, 2400)}, " \
               f"{rng.choice(names.STREETS)}, {locality}"
    else:
        line = f"Flat {rng.randint(1, 12)}0{rng.randint(1, 4)}, {rng.choice(names.BUILDINGS)}, " \
               f"{rng.choice(names.STREETS)}, {locality}"
    return line, city, state, pin


def _date_of_birth(rng: random.Random, on: date) -> date:
    age = rng.randint(6, 17) if rng.random() < 0.05 else min(88, max(18, int(rng.gauss(44, 14))))
    return on - timedelta(days=age * 365 + rng.randint(0, 364))


def _conditions(rng: random.Random, age: int, sex: str) -> list[clinical.Condition]:
    eligible = [c for c in clinical.CONDITIONS if age >= c.min_age and c.sex in ("", sex)]
    count = rng.choices((0, 1, 2, 3), (0.1, 0.55, 0.25, 0.1))[0]
    return rng.sample(eligible, min(count, len(eligible)))


def _emergency_contact(rng: random.Random, person: _Person, age: int, unique: _Unique) -> tuple[str, str, str]:
    relations = ["Spouse"] if age >= 24 else []
    relations += ["Father", "Mother"] if age < 55 else []
    relations += ["Son", "Daughter"] if age >= 45 else []
    relations += ["Brother", "Sister"]
    relation = rng.choice(relations)
    female = relation in ("Mother", "Daughter", "Sister") or (relation == "Spouse" and person.sex == "male")
    pool = {"kerala": (names.KERALA_FEMALE, names.KERALA_MALE),
            "maharashtra": (names.MARATHI_FEMALE, names.MARATHI_MALE),
            "north": (names.NORTH_FEMALE, names.NORTH_MALE)}.get(person.origin)
    if pool:
        given = rng.choice(pool[0] if female else pool[1])[0]
    else:
        given = rng.choice(names.OTHER_FEMALE if female else names.OTHER_MALE)
    return f"{given} {person.family}", relation, unique.phone(rng)


def _language(rng: random.Random, person: _Person) -> str:
    if person.script == "ml" or (person.origin == "kerala" and rng.random() < 0.4):
        return "ml" if rng.random() < 0.85 else "en"
    if person.script == "deva" or (person.origin in ("maharashtra", "north") and rng.random() < 0.35):
        return "hi" if rng.random() < 0.7 else "en"
    return "en"


def _patient_draft(rng: random.Random, person: _Person, centre: str, on: date, unique: _Unique
                   ) -> tuple[PatientDraft, list[clinical.Condition]]:
    dob = _date_of_birth(rng, on)
    age = age_on(dob, on)
    line, city, state, pin = _address(rng, centre)
    handle = f"{_ascii_handle(person.given)}.{_ascii_handle(person.family)}"
    email = f"{handle}{rng.randint(1, 99)}@{rng.choice(names.EMAIL_DOMAINS)}" if rng.random() < 0.35 else ""
    contact = _emergency_contact(rng, person, age, unique) if rng.random() < 0.85 else ("", "", "")
    has_abha = rng.random() < 0.25
    abha_number = "91" + "".join(rng.choice("0123456789") for _ in range(12)) if has_abha else ""
    abha_address = f"{handle[:24]}{rng.randint(10, 99)}@abdm" if has_abha and rng.random() < 0.8 else ""
    conditions = _conditions(rng, age, person.sex)
    history = "\n".join(c.text for c in conditions) or "Came for seasonal rejuvenation (Karkidaka chikitsa)."
    diet_pool = clinical.DIET_KERALA if person.origin == "kerala" else clinical.DIET_GENERAL
    return PatientDraft(
        given_name=person.given, family_name=person.family, name_local=person.local, date_of_birth=dob,
        sex=person.sex, blood_group=rng.choices(("O+", "B+", "A+", "AB+", "O-", "B-", "A-", "AB-", ""),
                                                (33, 29, 20, 6, 1, 1, 1, 0.5, 9))[0],
        phone=unique.phone(rng), alt_phone=unique.phone(rng) if rng.random() < 0.15 else "", email=email,
        address_line=line, city=city, state=state, pincode=pin,
        aadhaar=unique.aadhaar_number(rng) if rng.random() < 0.6 else "",
        abha_number=abha_number, abha_address=abha_address,
        emergency_contact_name=contact[0], emergency_contact_relation=contact[1], emergency_contact_phone=contact[2],
        occupation="Student" if age < 18 else rng.choice(clinical.OCCUPATIONS),
        preferred_language=_language(rng, person), medical_history=history,
        family_history=rng.choice(clinical.FAMILY_HISTORY), lifestyle=rng.choice(clinical.LIFESTYLE),
        diet=rng.choice(diet_pool)), conditions


_CONSTITUTIONS = {  # (weights per dosha for each answer), chance of the constitution
    "vata": ((0.7, 0.15, 0.15), 0.2), "pitta": ((0.15, 0.7, 0.15), 0.2), "kapha": ((0.15, 0.15, 0.7), 0.15),
    "vata-pitta": ((0.5, 0.4, 0.1), 0.15), "pitta-kapha": ((0.1, 0.5, 0.4), 0.12),
    "vata-kapha": ((0.45, 0.1, 0.45), 0.13), "tridoshic": ((0.34, 0.33, 0.33), 0.05),
}
_DOSHAS = (Dosha.VATA, Dosha.PITTA, Dosha.KAPHA)


def _assessment(rng: random.Random, conditions: list[clinical.Condition]) -> dict:
    kind = rng.choices(list(_CONSTITUTIONS), [w for _, w in _CONSTITUTIONS.values()])[0]
    weights = _CONSTITUTIONS[kind][0]
    questions = list(PRAKRITI_QUESTIONS)
    answered = questions if rng.random() < 0.8 else rng.sample(questions, rng.randint(9, 11))
    answers = {q.key: rng.choices(_DOSHAS, weights)[0].value for q in answered}
    aggravated = Dosha(conditions[0].dosha) if conditions else rng.choice(_DOSHAS)
    skew = tuple(0.7 if d == aggravated else 0.15 for d in _DOSHAS)
    vikriti = {q.key: rng.choices(_DOSHAS, skew)[0].value for q in rng.sample(questions, 6)}
    dominant = max(_DOSHAS, key=lambda d: list(answers.values()).count(d.value))
    agni = {Dosha.VATA: AGNI_CHOICES[1], Dosha.PITTA: AGNI_CHOICES[2], Dosha.KAPHA: AGNI_CHOICES[3]}[dominant] \
        if rng.random() < 0.75 else AGNI_CHOICES[0]
    koshta = {Dosha.VATA: KOSHTA_CHOICES[2], Dosha.PITTA: KOSHTA_CHOICES[0], Dosha.KAPHA: KOSHTA_CHOICES[1]}[dominant]
    insomnia = any("sleep" in c.text.lower() or "insomnia" in c.text.lower() for c in conditions)
    score = score_answers({k: Dosha(v) for k, v in answers.items()})
    vikriti_type = score_answers({k: Dosha(v) for k, v in vikriti.items()}).constitution().lower()
    return {
        "prakriti_answers": answers, "vikriti_answers": vikriti, "agni": agni, "koshta": koshta,
        "sleep": SLEEP_CHOICES[2] if insomnia else rng.choices(SLEEP_CHOICES, (0.6, 0.3, 0.05, 0.05))[0],
        "stress": rng.choices(LEVEL_CHOICES, (0.3, 0.45, 0.25))[0],
        "energy": rng.choices(LEVEL_CHOICES, (0.25, 0.5, 0.25))[0],
        "notes": rng.choice(clinical.ASSESSMENT_NOTES).format(prakriti=score.constitution(), vikriti=vikriti_type),
    }


def _preferences(rng: random.Random, draft: PatientDraft, age: int, marketing: bool) -> CommunicationPreferences:
    channels = rng.choices((("whatsapp", "sms"), ("sms",), ("email", "sms"), ("phone",), ("whatsapp",)),
                           (0.45, 0.2, 0.15 if draft.email else 0, 0.1 if age >= 60 else 0.02, 0.1))[0]
    quiet = rng.choice(((time(21, 0), time(8, 0)), (time(22, 0), time(7, 0)), (time(20, 30), time(9, 0))))
    return CommunicationPreferences(channels=channels, language=draft.preferred_language,
                                    reminder_hours_before=rng.choice((24, 24, 24, 2, 48, 12)),
                                    quiet_start=quiet[0], quiet_end=quiet[1],
                                    do_not_disturb=rng.random() < 0.03, marketing_opt_in=marketing)


def _visit_times(rng: random.Random, count: int, first_day: date, last_day: date) -> list[tuple[datetime, float]]:
    """(registration time, minutes until the next registration): Monday-Saturday mornings onward, in order."""
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    days = [d for d in days if d.weekday() != 6]
    per_day: dict[date, int] = {}
    for i in range(count):
        day = days[i * len(days) // count]
        per_day[day] = per_day.get(day, 0) + 1
    out = []
    for day, visits in sorted(per_day.items()):
        spacing = min(45.0, 480.0 / visits)
        opening = datetime.combine(day, time(9, 30), _IST).astimezone(UTC)
        for j in range(visits):
            out.append((opening + timedelta(minutes=j * spacing + rng.uniform(0, spacing * 0.2)), spacing * 0.75))
    return out


# --- the build ---------------------------------------------------------------------------------------------

def build_demo_clinic(data_dir: Path, *, passphrase: str | None, patients: int = 500, seed: int = 7,
                      now: datetime | None = None) -> str:
    """Create a demo clinic database in `data_dir` and return a short summary; refuses if a database exists.

    The records are built in a sibling folder and moved in only when complete, so a build that fails half-way
    never leaves a half-filled clinic that the launch script would then open.
    """
    data_dir = Path(data_dir).expanduser().resolve()
    if (data_dir / DATABASE_FILE).exists() or (data_dir / CONFIG_FILE).exists():
        raise ClinicError(f"A clinic database already exists in {data_dir}; the demo was not built and nothing "
                          "was changed. Choose an empty folder with --data-dir, or open the existing clinic.")
    if not 0 <= patients <= 100_000:
        raise ClinicError("The number of demo patients must be between 0 and 100,000.")
    started = timer.perf_counter()
    staging = data_dir.parent / f".{data_dir.name}.demo-building"
    shutil.rmtree(staging, ignore_errors=True)  # left over from a build that was killed
    db = None
    try:
        db = create_database(staging, passphrase=passphrase)  # no keyring and no passphrase: PassphraseNeeded
        _skip_disk_waits_while_building(db)
        facts = _populate(db, random.Random(seed), patients, now or datetime.now(UTC), week_seed=seed + 1)
    except BaseException:
        if db is not None:
            db.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    db.close()
    _move_into_place(staging, data_dir)
    return _summary(data_dir, facts, timer.perf_counter() - started)


def _skip_disk_waits_while_building(db: Database) -> None:
    """The staging folder is deleted if the build fails, so waiting for the disk on each of the build's thousands of
    commits buys nothing; the finished clinic is opened afresh, with synchronous=FULL again (store/engine.py)."""
    event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA synchronous = OFF"))
    db.engine.dispose()  # connections already pooled were made with FULL


def _move_into_place(staging: Path, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    for stale in (f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm"):  # never pair our file with someone's old WAL
        (data_dir / stale).unlink(missing_ok=True)
    # The config goes last: a folder counts as holding a clinic only once both the database and config are there.
    for item in sorted(staging.iterdir(), key=lambda p: p.name == CONFIG_FILE):
        os.replace(item, data_dir / item.name)
    staging.rmdir()


@dataclass
class _Facts:
    rooms: dict[str, int]
    equipment: int
    staff: list[tuple[str, str, str]]  # (username, role label, centre code)
    stats: _Stats
    week: demo_appointments.WeekStats | None = None
    therapy: str = ""


def _populate(db: Database, rng: random.Random, patient_count: int, now: datetime, week_seed: int) -> _Facts:
    today = now.astimezone(_IST).date()
    first_day = today - timedelta(days=_HISTORY_DAYS)
    clock = _DemoClock(datetime.combine(first_day - timedelta(days=3), time(9, 0), _IST).astimezone(UTC))
    ctx = ServiceContext(db, clock=clock)
    ctx.user = auth.set_up_clinic(ctx, auth.ClinicSetup(
        clinic_name=CLINIC_NAME, centre_code=_KOCHI.code, centre_name=_KOCHI.name, centre_timezone=_KOCHI.timezone,
        centre_state=_KOCHI.state, admin_username=DEMO_ADMIN, admin_full_name=_STAFF[0].full_name,
        admin_password=DEMO_PASSWORD))
    centre_ids = {"KOC": ctx.user.centre_id}
    admin.save_centre(ctx, _KOCHI, centre_ids["KOC"])
    centre_ids["PUN"], _ = admin.save_centre(ctx, _PUNE)

    rooms: dict[str, int] = {}
    equipment = 0
    for code, specs in _ROOMS.items():
        room_ids = {}
        for name, room_type, capacity, gender, buffer in specs:
            room_ids[name], _ = admin.save_room(ctx, RoomDraft(centre_ids[code], name, room_type, capacity, gender,
                                                               buffer))
        rooms[code] = len(room_ids)
        for name, kind, room, quantity in _EQUIPMENT[code]:
            admin.save_equipment(ctx, EquipmentDraft(centre_ids[code], name, kind, room_ids.get(room), quantity))
            equipment += 1

    clock.set(clock.now + timedelta(hours=2))
    staff_ids = {DEMO_ADMIN: ctx.user.staff_id}
    for spec in _STAFF:
        leave = ()
        if spec.leave_in_days:
            start, end, reason = spec.leave_in_days
            leave = (Leave(today + timedelta(days=start), today + timedelta(days=end), reason),)
        draft = StaffDraft(spec.username, spec.full_name, spec.role.value, centre_ids[spec.centre], spec.gender,
                           spec.phone, f"{spec.username.replace('.', '_')}@sukhamayurveda.in", spec.profile,
                           spec.hours, leave)
        if spec.username == DEMO_ADMIN:
            admin.update_staff(ctx, ctx.user.staff_id, draft)
        else:
            staff_ids[spec.username], _ = admin.create_staff(ctx, draft, DEMO_PASSWORD)
    staff = [(s.username, ROLE_LABELS[s.role], s.centre) for s in _STAFF]
    services = demo_appointments.save_catalogue(ctx, staff_ids)

    clock.set(clock.now + timedelta(days=1))
    signed_in = {s.username: _sign_in(db, clock, s.username) for s in _STAFF
                 if s.role in (Role.DOCTOR, Role.NURSE, Role.FRONT_DESK, Role.THERAPIST)}
    desks = {code: _ctx(db, clock, signed_in[u]) for code, u in (("KOC", "reshma.fd"), ("PUN", "pooja.fd"))}
    doctors = {code: [_ctx(db, clock, signed_in[u]) for u in users]
               for code, users in (("KOC", ("dr.meera", "dr.hari")), ("PUN", ("dr.sandeep",)))}
    # Allergies and medicines are charted by the nurse in Kochi; Pune has no nurse, so the doctor does it.
    charting = {"KOC": _ctx(db, clock, signed_in["jincy.n"]), "PUN": doctors["PUN"][0]}

    stats = _Stats()
    unique = _Unique()
    # The appointment week has its own random stream, so the same seed still gives the same patients.
    week = demo_appointments.DemoWeek(
        rng=random.Random(week_seed), now=now, set_clock=clock.set, centres=centre_ids, desks=desks,
        doctors={code: contexts[0] for code, contexts in doctors.items()},
        practitioners={staff_ids[s.username]: _ctx(db, clock, signed_in[s.username]) for s in _STAFF
                       if s.role in (Role.DOCTOR, Role.THERAPIST)},
        services=services, scale=min(1.0, patient_count / 40))

    def register(i: int, registered_at: datetime, window: float) -> None:
        # The first two patients pin down one name in each script, so even a tiny demo shows both.
        script = ("ml", "deva")[i] if i < 2 else rng.choices(("ml", "deva", ""), (0.1, 0.1, 0.8))[0]
        centre = ("KOC", "PUN")[i] if i < 2 else ("KOC" if rng.random() < 0.55 else "PUN")
        patient_id, sex = _add_patient(rng, stats, unique, centre, centre_ids[centre], script, registered_at, window,
                                       clock, desks[centre], rng.choice(doctors[centre]), charting[centre])
        week.patients[centre].append(demo_appointments.Patient(patient_id, sex))

    # The Panchakarma course's actions are merged into the same timeline, so the demo clock only moves forward.
    course = demo_therapy.DemoCourse(
        doctor=doctors["KOC"][0], therapist=_ctx(db, clock, signed_in["rajan.t"]), nurse=charting["KOC"],
        pick_patient=lambda: week.patients["KOC"][0].id if week.patients["KOC"] else None,
        centre_id=centre_ids["KOC"], today=today, set_clock=clock.set, now=now,
        floor_patients=lambda: [p.id for p in week.patients["KOC"][1:]])
    # Enquiries at both centres, and the course patient's labs and intake forms, join the same timeline.
    cro = _ctx(db, clock, _sign_in(db, clock, "kavya.cro"))
    pending = sorted(course.actions() + demo_leads.lead_actions(
        desks=desks, officer=cro, today=today, rng=random.Random(week_seed + 2),
        latest_patient=lambda code: week.patients[code][-1].id if week.patients[code] else None,
    ) + demo_leads.inbox_actions(doctor=doctors["KOC"][0], nurse=charting["KOC"], desk=desks["KOC"], today=today,
                                 course_patient=lambda: week.patients["KOC"][0].id if week.patients["KOC"] else None)
        + demo_billing.history_actions(manager=ctx, desk=desks["KOC"], today=today, now=now,
                                       rng=random.Random(week_seed + 3),
                                       patients=lambda: [p.id for p in week.patients["KOC"]]),
        key=lambda action: action[0])
    # Patients registered before the week's first booking come first; later ones arrive among the week's events.
    opening = demo_appointments.week_start(today)
    for i, (registered_at, window) in enumerate(_visit_times(rng, patient_count, first_day, today - timedelta(1))):
        while pending and pending[0][0] <= registered_at:
            when, action = pending.pop(0)
            clock.set(when)
            action()
        if registered_at < opening:
            register(i, registered_at, window)
        else:
            week.at(registered_at, lambda i=i, r=registered_at, w=window: register(i, r, w))
    for when, action in pending:
        week.at(when, action)
    if patient_count:
        week.plan()
        # a few finished visits in the consulting room on the days before today (signed notes, prescriptions)
        visits = demo_consultations.DemoConsultations(_ctx(db, clock, signed_in[DEMO_DOCTOR]),
                                                      random.Random(week_seed + 1))
        for index in range(CONSULTATION_VISITS):
            when = _aware_ist(today - timedelta(days=1 + index % 3), 11, 30 + 7 * index)
            week.at(when, lambda index=index: _visit(visits, week.patients["KOC"], index))
    week.run()
    demo_messages.send_due_now(ctx, clock.set, now)  # reminders due by now went out; later ones stay scheduled
    if patient_count:
        demo_billing.add_bills(ctx, clock.set, now, centre_id=centre_ids["KOC"])  # invoices, payments, a plan
        demo_portal.add_portal(ctx, now, centre_id=centre_ids["KOC"], services=services,
                               patients=[p.id for p in week.patients["KOC"]])  # online booking, two requests
    return _Facts(rooms, equipment, staff, stats, week.summary() if patient_count else None, course.summary())


def _aware_ist(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=_IST) + timedelta(minutes=minute)


def _visit(visits: "demo_consultations.DemoConsultations", patients: list, index: int) -> None:
    if len(patients) > 2 + index:  # the first patients are kept for the therapy course and the board
        visits.record(patients[2 + index].id)


def _sign_in(db: Database, clock: _DemoClock, username: str) -> SignedInUser:
    return auth.sign_in(ServiceContext(db, clock=clock), username, DEMO_PASSWORD)


def _ctx(db: Database, clock: _DemoClock, user: SignedInUser) -> ServiceContext:
    return ServiceContext(db, user=user, clock=clock)


def _add_patient(rng: random.Random, stats: _Stats, unique: _Unique, centre: str, centre_id: str, script: str,
                 registered_at: datetime, window: float, clock: _DemoClock, desk: ServiceContext,
                 doctor: ServiceContext, charting: ServiceContext) -> tuple[str, str]:
    """One patient's first visit: registration and consents at the desk, then the doctor's assessment."""
    def at(fraction: float) -> None:  # actions spread over the visit, always before the next patient arrives
        clock.set(registered_at + timedelta(minutes=window * fraction))

    person = _pick_person(rng, centre, script)
    on = registered_at.astimezone(_IST).date()
    draft, conditions = _patient_draft(rng, person, centre, on, unique)
    at(0)
    patient_id, _ = patient_service.register_patient(desk, draft, centre_id=centre_id)
    stats.per_centre[centre] += 1
    stats.malayalam += script == "ml"
    stats.devanagari += script == "deva"
    stats.aadhaar += bool(draft.aadhaar)
    stats.abha += bool(draft.abha_number)

    at(0.05)
    marketing = rng.random() < 0.2
    consents = [("treatment", "signed"), ("data_processing", rng.choice(("signed", "digital")))]
    consents += [("marketing", "digital")] if marketing else []
    consents += [("photography", "signed")] if rng.random() < 0.08 else []
    for kind, method in consents:
        patient_records.record_consent(desk, patient_id, kind=kind, version=CONSENT_VERSION, method=method)
    stats.consents += len(consents)
    at(0.1)
    patient_records.set_preferences(desk, patient_id,
                                    _preferences(rng, draft, age_on(draft.date_of_birth, on), marketing))
    demo_messages.record_channel_consents(desk, patient_id, sum(stats.per_centre.values()))

    at(0.5)
    if rng.random() < 0.75:
        patient_records.record_assessment(doctor, patient_id, **_assessment(rng, conditions))
        stats.assessments += 1
    at(0.6)
    for substance, reaction, severity in rng.sample(clinical.ALLERGIES, rng.choices((0, 1, 2), (0.7, 0.25, 0.05))[0]):
        patient_records.add_allergy(charting, patient_id, substance, reaction, severity)
        stats.allergies += 1
    at(0.65)
    medicines = [m for c in conditions for m in c.medicines if rng.random() < 0.8]
    if rng.random() < 0.1:
        medicines.append(("Chyawanprash", "1 teaspoon", "every morning"))
    for name, dose, frequency in medicines:
        since = on - timedelta(days=rng.randint(30, 2000))
        patient_records.add_medication(charting, patient_id, name, dose, frequency, since)
        stats.medications += 1
    return patient_id, person.sex


def _summary(data_dir: Path, facts: _Facts, seconds: float) -> str:
    s = facts.stats
    total = sum(s.per_centre.values())
    width = max(len(u) for u, _, _ in facts.staff)
    staff_lines = "\n".join(f"    {u:<{width}}  {label} ({'Kochi' if c == 'KOC' else 'Pune'})"
                            for u, label, c in facts.staff)
    return (
        f"Demo clinic '{CLINIC_NAME}' built in {data_dir} ({seconds:.1f} s).\n"
        f"  Centres: Kochi (KOC, {facts.rooms['KOC']} rooms) and Pune (PUN, {facts.rooms['PUN']} rooms); "
        f"{facts.equipment} equipment entries.\n"
        f"  Patients: {total} (Kochi {s.per_centre['KOC']}, Pune {s.per_centre['PUN']}); "
        f"{s.malayalam} with names in Malayalam script, {s.devanagari} in Devanagari; "
        f"{s.aadhaar} with Aadhaar, {s.abha} with ABHA.\n"
        f"  Charts: {s.assessments} Ayurvedic assessments, {s.consents} consents, {s.allergies} allergies, "
        f"{s.medications} current medicines.\n"
        + _week_line(facts.week)
        + (f"  {facts.therapy}.\n" if facts.therapy else "")
        + f"  Staff ({len(facts.staff)}), all with the password '{DEMO_PASSWORD}':\n{staff_lines}"
    )


def _week_line(week: demo_appointments.WeekStats | None) -> str:
    if week is None:
        return ""
    statuses = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in sorted(week.statuses.items()))
    days = demo_appointments.WEEK_BEFORE + demo_appointments.WEEK_AFTER + 1
    return (f"  Appointments: {week.booked} booked over {days} days around today ({statuses}); "
            f"{week.walk_ins} walk-ins, {week.follow_ups} follow-ups; "
            f"waitlist {week.waitlist} ({week.offers} with an offer).\n")
