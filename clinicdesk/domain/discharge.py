"""The discharge summary as plain values, its printed labels in English, Hindi and Malayalam, and trend arithmetic."""

from dataclasses import dataclass, field
from datetime import date

from clinicdesk.domain.errors import ValidationError

LANGUAGES = ("en", "hi", "ml")
FOLLOW_UP_DAYS = 14  # a review visit two weeks after the last session, unless one is already booked


@dataclass(frozen=True)
class DischargeClinic:
    name: str
    address_lines: tuple[str, ...]
    phone: str
    gstin: str = ""


@dataclass(frozen=True)
class DischargePatient:
    name: str
    uhid: str
    age_sex: str  # e.g. "41 y / F"
    name_local: str = ""
    abha_number: str = ""
    allergies: tuple[str, ...] = ()


@dataclass(frozen=True)
class PhaseSpan:
    phase: str  # domain.protocols.Phase value
    first_day: date
    last_day: date
    planned: int
    completed: int


@dataclass(frozen=True)
class TherapyDone:
    day: date
    therapy: str  # the clinic's name for it, as written
    phase: str
    medicines: tuple[str, ...] = ()  # dosages given in the session, e.g. "Eranda taila 40 ml"


@dataclass(frozen=True)
class VitalsReading:
    day: date
    moment: str  # before, after, consultation
    pulse_bpm: int | None = None
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    temperature_c: float | None = None
    weight_kg: float | None = None


@dataclass(frozen=True)
class SymptomPoint:
    day: date
    scores: tuple[tuple[str, int], ...]  # (symptom, 0 none .. 10 worst), in a stable order


@dataclass(frozen=True)
class Deviation:
    day: date
    therapy: str
    what: str  # the skipped step and the reason, as recorded


@dataclass(frozen=True)
class IncidentNote:
    day: date
    severity: str
    description: str
    action_taken: str
    status: str


@dataclass(frozen=True)
class MedicineAdvice:
    name: str
    dose: str
    how: str
    duration: str
    instructions: str = ""


@dataclass(frozen=True)
class DischargeSummary:
    """Everything printed on one discharge summary; clinical free text stays as the clinician wrote it."""

    clinic: DischargeClinic
    patient: DischargePatient
    plan_id: str
    course_name: str
    course_status: str  # planned, active, paused, completed, cancelled
    start_date: date
    end_date: date
    doctor: str
    phases: tuple[PhaseSpan, ...]
    therapies: tuple[TherapyDone, ...]
    vitals: tuple[VitalsReading, ...]
    symptoms: tuple[SymptomPoint, ...]
    deviations: tuple[Deviation, ...]
    incidents: tuple[IncidentNote, ...]
    medicines: tuple[MedicineAdvice, ...]
    diet_advice: tuple[str, ...]  # the doctor's own advice lines, as written
    follow_up: date | None
    follow_up_booked: bool  # True when an appointment already holds the follow-up date
    diagnoses: tuple[str, ...] = ()
    issued_on: date | None = None
    language: str = "en"
    notes: str = ""
    extra: dict = field(default_factory=dict)


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationError({"language": f"must be one of {', '.join(LANGUAGES)} (English, Hindi, Malayalam)"},
                              {"language": "Language"})
    return language


def symptom_names(points: tuple[SymptomPoint, ...]) -> tuple[str, ...]:
    """Every symptom scored at least once, in the order first seen."""
    seen: dict[str, None] = {}
    for point in points:
        for name, _ in point.scores:
            seen.setdefault(name, None)
    return tuple(seen)


def symptom_change(points: tuple[SymptomPoint, ...]) -> list[tuple[str, int, int]]:
    """(symptom, first score, last score) for each symptom scored at least twice."""
    changes = []
    for name in symptom_names(points):
        values = [score for point in points for symptom, score in point.scores if symptom == name]
        if len(values) >= 2:
            changes.append((name, values[0], values[-1]))
    return changes


def label(language: str, key: str) -> str:
    """The printed label in the language, falling back to English for a key not yet translated."""
    return LABELS.get(language, LABELS["en"]).get(key) or LABELS["en"][key]


LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Discharge summary", "interim": "Interim summary (course still in progress)",
        "patient": "Patient", "uhid": "UHID", "age_sex": "Age / Sex", "abha": "ABHA number",
        "allergies": "Allergies", "no_allergies": "No known allergies",
        "course": "Course", "dates": "Dates", "doctor": "Treating doctor", "issued": "Issued on",
        "diagnosis": "Diagnosis", "phases": "Course phases", "phase": "Phase", "sessions_done": "Sessions done",
        "purvakarma": "Purvakarma (preparation)", "pradhanakarma": "Pradhanakarma (main cleansing)",
        "paschatkarma": "Paschatkarma (recovery)", "keraliya": "Keraliya therapies",
        "therapies": "Therapies done", "date": "Date", "therapy": "Therapy", "medicine_given": "Medicine given",
        "no_therapies": "No session has been completed yet.",
        "trends": "Vitals and symptom trends", "symptom_chart": "Symptom scores (0 = none, 10 = worst)",
        "day_of_course": "Day of course", "symptom": "Symptom", "first": "First", "last": "Last",
        "no_symptoms": "No symptom scores were recorded.",
        "vitals": "Vitals", "moment": "When", "before": "Before session", "after": "After session",
        "consultation": "Consultation", "pulse": "Pulse (/min)", "bp": "BP (mmHg)", "temperature": "Temp (°C)",
        "weight": "Weight (kg)", "no_vitals": "No vitals were recorded.",
        "deviations": "Deviations and incidents", "deviation": "Deviation from the procedure",
        "incident": "Incident", "action_taken": "Action taken", "none_recorded": "None recorded.",
        "severity": "Severity", "status": "Status",
        "medicines": "Medicines", "medicine": "Medicine", "dose": "Dose", "how": "When", "duration": "How long",
        "instructions": "Instructions", "no_medicines": "No medicines were prescribed.",
        "diet": "Diet and daily routine",
        "diet_standard": "Follow the graded diet (Samsarjana krama): thin rice water (peya) first, then soft rice "
                         "gruel (vilepi), then lentil soup (yusha), and only then your usual food, step by step.",
        "routine_standard": "Drink warm water. For the next few days avoid cold, fried and heavy food, sleeping in "
                            "the daytime and hard physical work.",
        "follow_up": "Follow-up", "follow_up_on": "Please come for a review on {date}.",
        "follow_up_booked": "Your review appointment is booked for {date}.",
        "follow_up_none": "Come back if symptoms return or worsen.",
        "signature": "Signature of the treating doctor", "footer": "Discharge summary",
    },
    "hi": {
        "title": "डिस्चार्ज सारांश", "interim": "अंतरिम सारांश (उपचार अभी जारी है)",
        "patient": "रोगी", "uhid": "UHID", "age_sex": "आयु / लिंग", "abha": "ABHA संख्या",
        "allergies": "एलर्जी", "no_allergies": "कोई ज्ञात एलर्जी नहीं",
        "course": "उपचार कोर्स", "dates": "तिथियाँ", "doctor": "उपचार करने वाले चिकित्सक", "issued": "जारी करने की तिथि",
        "diagnosis": "निदान", "phases": "उपचार के चरण", "phase": "चरण", "sessions_done": "पूरे हुए सत्र",
        "purvakarma": "पूर्वकर्म (तैयारी)", "pradhanakarma": "प्रधानकर्म (मुख्य शोधन)",
        "paschatkarma": "पश्चात्कर्म (स्वास्थ्य-लाभ)", "keraliya": "केरलीय चिकित्सा",
        "therapies": "की गई चिकित्साएँ", "date": "तिथि", "therapy": "चिकित्सा", "medicine_given": "दी गई औषधि",
        "no_therapies": "अभी तक कोई सत्र पूरा नहीं हुआ है।",
        "trends": "महत्वपूर्ण संकेत और लक्षणों में बदलाव",
        "symptom_chart": "लक्षणों के अंक (0 = बिल्कुल नहीं, 10 = सबसे अधिक)",
        "day_of_course": "उपचार का दिन", "symptom": "लक्षण", "first": "पहले", "last": "अंत में",
        "no_symptoms": "लक्षणों के अंक दर्ज नहीं किए गए।",
        "vitals": "महत्वपूर्ण संकेत", "moment": "कब", "before": "सत्र से पहले", "after": "सत्र के बाद",
        "consultation": "परामर्श", "pulse": "नाड़ी (/मिनट)", "bp": "रक्तचाप (mmHg)", "temperature": "तापमान (°C)",
        "weight": "वज़न (kg)", "no_vitals": "महत्वपूर्ण संकेत दर्ज नहीं किए गए।",
        "deviations": "प्रक्रिया में बदलाव और घटनाएँ", "deviation": "प्रक्रिया में बदलाव",
        "incident": "घटना", "action_taken": "की गई कार्रवाई", "none_recorded": "कुछ दर्ज नहीं हुआ।",
        "severity": "गंभीरता", "status": "स्थिति",
        "medicines": "दवाइयाँ", "medicine": "दवा", "dose": "मात्रा", "how": "कब लें", "duration": "कितने दिन",
        "instructions": "निर्देश", "no_medicines": "कोई दवा नहीं लिखी गई।",
        "diet": "आहार और दिनचर्या",
        "diet_standard": "संसर्जन क्रम का पालन करें: पहले पतला चावल का माँड (पेया), फिर नरम चावल की लपसी (विलेपी), "
                         "फिर दाल का सूप (यूष), और उसके बाद ही धीरे-धीरे अपना सामान्य भोजन लें।",
        "routine_standard": "गुनगुना पानी पिएँ। अगले कुछ दिनों तक ठंडा, तला हुआ और भारी भोजन, दिन में सोना और "
                            "ज़्यादा शारीरिक मेहनत न करें।",
        "follow_up": "अगली जाँच", "follow_up_on": "कृपया {date} को जाँच के लिए आएँ।",
        "follow_up_booked": "आपकी अगली जाँच {date} को तय है।",
        "follow_up_none": "लक्षण लौटें या बढ़ें तो फिर से आएँ।",
        "signature": "उपचार करने वाले चिकित्सक के हस्ताक्षर", "footer": "Discharge summary",
    },
    "ml": {
        "title": "ഡിസ്ചാർജ് സംഗ്രഹം", "interim": "ഇടക്കാല സംഗ്രഹം (ചികിത്സ തുടരുന്നു)",
        "patient": "രോഗി", "uhid": "UHID", "age_sex": "പ്രായം / ലിംഗം", "abha": "ABHA നമ്പർ",
        "allergies": "അലർജി", "no_allergies": "അറിയപ്പെടുന്ന അലർജി ഇല്ല",
        "course": "ചികിത്സാ ക്രമം", "dates": "തീയതികൾ", "doctor": "ചികിത്സിച്ച ഡോക്ടർ", "issued": "നൽകിയ തീയതി",
        "diagnosis": "രോഗനിർണയം", "phases": "ചികിത്സയുടെ ഘട്ടങ്ങൾ", "phase": "ഘട്ടം",
        "sessions_done": "പൂർത്തിയായ സെഷനുകൾ",
        "purvakarma": "പൂർവകർമ്മം (തയ്യാറെടുപ്പ്)", "pradhanakarma": "പ്രധാനകർമ്മം (പ്രധാന ശോധനം)",
        "paschatkarma": "പശ്ചാത്കർമ്മം (വീണ്ടെടുപ്പ്)", "keraliya": "കേരളീയ ചികിത്സകൾ",
        "therapies": "ചെയ്ത ചികിത്സകൾ", "date": "തീയതി", "therapy": "ചികിത്സ", "medicine_given": "നൽകിയ മരുന്ന്",
        "no_therapies": "ഇതുവരെ ഒരു സെഷനും പൂർത്തിയായിട്ടില്ല.",
        "trends": "ശാരീരിക അളവുകളിലും രോഗലക്ഷണങ്ങളിലും ഉള്ള മാറ്റം",
        "symptom_chart": "രോഗലക്ഷണ സ്കോർ (0 = ഇല്ല, 10 = ഏറ്റവും കൂടുതൽ)",
        "day_of_course": "ചികിത്സയുടെ ദിവസം", "symptom": "രോഗലക്ഷണം", "first": "ആദ്യം", "last": "ഒടുവിൽ",
        "no_symptoms": "രോഗലക്ഷണ സ്കോറുകൾ രേഖപ്പെടുത്തിയിട്ടില്ല.",
        "vitals": "ശാരീരിക അളവുകൾ", "moment": "എപ്പോൾ", "before": "സെഷനു മുമ്പ്", "after": "സെഷനു ശേഷം",
        "consultation": "പരിശോധന", "pulse": "നാഡിമിടിപ്പ് (/മിനിറ്റ്)", "bp": "രക്തസമ്മർദ്ദം (mmHg)",
        "temperature": "താപനില (°C)", "weight": "ഭാരം (kg)", "no_vitals": "ശാരീരിക അളവുകൾ രേഖപ്പെടുത്തിയിട്ടില്ല.",
        "deviations": "നടപടിക്രമത്തിലെ മാറ്റങ്ങളും സംഭവങ്ങളും", "deviation": "നടപടിക്രമത്തിലെ മാറ്റം",
        "incident": "സംഭവം", "action_taken": "സ്വീകരിച്ച നടപടി", "none_recorded": "ഒന്നും രേഖപ്പെടുത്തിയിട്ടില്ല.",
        "severity": "ഗൗരവം", "status": "നില",
        "medicines": "മരുന്നുകൾ", "medicine": "മരുന്ന്", "dose": "അളവ്", "how": "എപ്പോൾ കഴിക്കണം",
        "duration": "എത്ര ദിവസം", "instructions": "നിർദ്ദേശങ്ങൾ", "no_medicines": "മരുന്നുകൾ ഒന്നും കുറിച്ചിട്ടില്ല.",
        "diet": "ഭക്ഷണവും ദിനചര്യയും",
        "diet_standard": "സംസർജന ക്രമം പാലിക്കുക: ആദ്യം നേർത്ത കഞ്ഞിവെള്ളം (പേയ), പിന്നെ മൃദുവായ കഞ്ഞി (വിലേപി), "
                         "പിന്നെ പരിപ്പ് സൂപ്പ് (യൂഷം), അതിനു ശേഷം മാത്രം പതുക്കെ സാധാരണ ഭക്ഷണം.",
        "routine_standard": "ചെറുചൂടുവെള്ളം കുടിക്കുക. അടുത്ത കുറച്ചു ദിവസം തണുത്തതും എണ്ണയിൽ വറുത്തതും കട്ടിയുള്ളതുമായ "
                            "ഭക്ഷണം, പകലുറക്കം, കഠിനമായ ശാരീരികാധ്വാനം എന്നിവ ഒഴിവാക്കുക.",
        "follow_up": "തുടർ പരിശോധന", "follow_up_on": "{date}-ന് പരിശോധനയ്ക്ക് വരിക.",
        "follow_up_booked": "നിങ്ങളുടെ തുടർ പരിശോധന {date}-ന് നിശ്ചയിച്ചിട്ടുണ്ട്.",
        "follow_up_none": "രോഗലക്ഷണങ്ങൾ തിരിച്ചുവരികയോ കൂടുകയോ ചെയ്താൽ വീണ്ടും വരിക.",
        "signature": "ചികിത്സിച്ച ഡോക്ടറുടെ ഒപ്പ്", "footer": "Discharge summary",
    },
}
