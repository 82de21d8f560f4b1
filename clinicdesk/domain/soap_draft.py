"""Rule-based SOAP drafter: transcript segments in, note sections out; every sentence cites the words it came from."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from clinicdesk.domain.vitals import fahrenheit_to_celsius

SECTIONS = ("chief_complaint", "history", "subjective", "objective", "assessment", "plan", "medications",
            "follow_up")
SECTION_TITLES = {"chief_complaint": "Chief complaint", "history": "History", "subjective": "Subjective",
                  "objective": "Objective", "assessment": "Assessment", "plan": "Plan", "medications": "Medications",
                  "follow_up": "Follow-up"}


@dataclass(frozen=True)
class Segment:
    start: float  # seconds into the recording
    end: float
    text: str


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of one transcript segment's text."""

    segment: int
    start: int
    end: int


@dataclass(frozen=True)
class DraftSentence:
    text: str
    sources: tuple[Span, ...]
    supported: bool  # False: nothing the patient or doctor said backs it; the doctor must check it


@dataclass(frozen=True)
class DraftMedication:
    name: str
    dose: Decimal | None
    dose_unit: str
    frequency: str  # OD, BD, TDS, QID, HS, SOS, a pattern such as 1-0-1, or "" when not said
    food_timing: str
    duration_days: int | None
    route: str
    sources: tuple[Span, ...]


@dataclass(frozen=True)
class SoapDraft:
    sections: dict[str, tuple[DraftSentence, ...]]
    vitals: dict[str, Decimal] = field(default_factory=dict)  # bp_systolic, pulse_bpm, temperature_c...
    vital_sources: dict[str, Span] = field(default_factory=dict)
    medications: tuple[DraftMedication, ...] = ()

    def flagged(self) -> list[tuple[str, DraftSentence]]:
        return [(name, s) for name in SECTIONS for s in self.sections.get(name, ()) if not s.supported]


# --- sentence classification: the first section whose cue matches wins, so order matters -----------------------

_CUES: tuple[tuple[str, str], ...] = (
    ("follow_up", r"\b(follow[- ]?up|come back|review (?:after|in)|see you (?:again|after|in)|next visit|revisit)\b"),
    ("medications", r"\b(tablets?|tab|capsules?|cap|churna|churnam|kashayam|kashaya|arishta|asava|syrup|ghrita|"
                    r"taila|tailam|oil|vati|gutika|lehyam|\d+\s*mg)\b"),
    ("assessment", r"\b(diagnos\w*|impression|assessment|suggestive of|consistent with|looks like|likely|"
                   r"i think (?:this|it) is|(?:vata|pitta|kapha) (?:imbalance|dosha|aggravation|vitiation)|"
                   r"amavata|sandhivata|grade \w+)\b"),
    ("objective", r"(\b\d{2,3} over \d{2,3}\b|\b(?:on examination|examined|tender\w*|swelling|oedema|edema|"
                  r"range of motion|reflex\w*|"
                  r"auscultation|palpation|inspection|bp|blood pressure|pulse|temperature|temp|spo2|saturation|"
                  r"respiratory rate|weight|weighs|height)\b)"),
    ("plan", r"\b(advise\w*|recommend\w*|plan|avoid|diet|exercise|walk|yoga|pranayama|abhyanga|swedana|"
             r"panchakarma|basti|virechana|nasya|shirodhara|investigation|test|x-?ray|blood test|scan|"
             r"we will|let us|start|continue|stop)\b"),
    ("chief_complaint", r"\b(complain\w*|came (?:in )?(?:with|for)|presenting with|main (?:problem|complaint)|"
                        r"here (?:for|because)|coming for|brought (?:in )?(?:for|with))\b"),
    ("history", r"\b(since|for the (?:past|last)|ago|history of|diagnosed with|known case|years?|months?|"
                r"previously|used to|started)\b"),
    ("subjective", r"\b(pain|ache|aching|hurts?|fever|cough|cold|tired|fatigue|weak\w*|sleep|appetite|"
                   r"burning|stiff\w*|constipat\w*|loose motions?|vomit\w*|nausea|dizz\w*|headache|itch\w*|"
                   r"rash|breath\w*|feel\w*|stress\w*|anxious|bloat\w*|gas|acidity)\b"),
)
_CUE_PATTERNS = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _CUES]
_MED_TRIGGER = re.compile(r"\b(take|taking|start|prescrib\w*|give|giving|continue|apply)\b", re.IGNORECASE)

# --- vitals said aloud ----------------------------------------------------------------------------------------

_NUM = r"(\d{1,3}(?:\.\d{1,2})?)"
_LINK = r"(?:\s+(?:is|was|of|at|about|around))?\s*[:=]?\s*"
VITAL_PATTERNS: dict[str, re.Pattern] = {
    "bp": re.compile(rf"\b(?:bp|blood pressure){_LINK}(\d{{2,3}})\s*(?:over|/|by)\s*(\d{{2,3}})", re.IGNORECASE),
    # "130 over 85" with the label lost (Whisper wrote "B-130 over 85"): taken only when it is a plausible reading
    "bp_unlabelled": re.compile(r"(?<![\d/])(\d{2,3})\s*(?:over|/)\s*(\d{2,3})\b(?!\s*/)", re.IGNORECASE),
    "pulse_bpm": re.compile(rf"\b(?:pulse(?: rate)?|heart rate){_LINK}(\d{{2,3}})", re.IGNORECASE),
    "temperature": re.compile(rf"\b(?:temperature|temp){_LINK}{_NUM}\s*(?:degrees?\s*)?(f|fahrenheit|c|celsius)?\b",
                              re.IGNORECASE),
    "spo2_percent": re.compile(rf"\b(?:spo2|sp o2|oxygen saturation|saturation|sats){_LINK}(\d{{2,3}})",
                               re.IGNORECASE),
    "respiratory_rate": re.compile(rf"\b(?:respiratory rate|resp(?:iration)? rate|breathing rate){_LINK}(\d{{1,2}})",
                                   re.IGNORECASE),
    "weight_kg": re.compile(rf"\b(?:weight|weighs){_LINK}{_NUM}\s*(?:kg|kgs|kilos?|kilograms?)?", re.IGNORECASE),
    "height_cm": re.compile(rf"\b(?:height){_LINK}{_NUM}\s*(?:cm|centimet(?:er|re)s?)?", re.IGNORECASE),
}

# --- medicines said aloud -------------------------------------------------------------------------------------

_FREQ_WORDS = (
    ("OD", r"once (?:a day|daily)|one time a day|\bod\b"), ("BD", r"twice (?:a day|daily)|two times a day|\bbd\b"),
    ("TDS", r"(?:three times|thrice) (?:a day|daily)|\btds\b"), ("QID", r"four times (?:a day|daily)|\bqid\b"),
    ("HS", r"at (?:bed ?time|night before (?:sleep|bed))|\bhs\b"),
    ("SOS", r"(?:when|if|as) (?:needed|required)|\bsos\b"),
)
_FREQ_PATTERNS = [(code, re.compile(p, re.IGNORECASE)) for code, p in _FREQ_WORDS]
_DOSE_PATTERN = re.compile(r"\b(\d+(?:\.\d+)?|one|two|three|half|a)\s*(mg|ml|g|grams?|gm|tablets?|tabs?|capsules?|"
                           r"caps?|drops?|teaspoons?|tsp|vati|gutika|sachets?)\b", re.IGNORECASE)
_NUMBER_WORDS = {"one": Decimal(1), "two": Decimal(2), "three": Decimal(3), "half": Decimal("0.5"), "a": Decimal(1)}
_UNIT_WORDS = {"grams": "g", "gram": "g", "gm": "g", "tabs": "tablet", "tab": "tablet", "tablets": "tablet",
               "capsules": "capsule", "caps": "capsule", "cap": "capsule", "drops": "drop", "teaspoons": "teaspoon",
               "tsp": "teaspoon", "sachets": "sachet"}
_DOSE_PATTERN_FREQ = re.compile(r"\b([0-2](?:\s*-\s*[0-2]){2,3})\b")
_DURATION = re.compile(r"\bfor\s+(\d+|one|two|three|a)\s+(days?|weeks?|months?)\b", re.IGNORECASE)
_FOOD = (("before_food", r"before (?:food|meals?|breakfast)"), ("after_food", r"after (?:food|meals?)"),
         ("with_food", r"with (?:food|meals?)"), ("empty_stomach", r"empty stomach"))
_ROUTES = (("topical", r"\b(apply|applied|externally|local application|massage)\b"),
           ("nasal", r"\b(nasya|in (?:the|each) nostril|nasal)\b"), ("eye", r"\beye drops?\b"))
_NAME_STOP = re.compile(r"\b(\d+|one|two|three|half|once|twice|thrice|four|at|for|before|after|with|when|if|as|"
                        r"daily|morning|night|in the|on|to|externally|od|bd|tds|qid|hs|sos)\b", re.IGNORECASE)
_FORM_WORDS = re.compile(r"^(?:the |a |tablet |tab\.? |capsule |cap\.? |syrup )+", re.IGNORECASE)

_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?", re.IGNORECASE)
_STOP = frozenset("the a an and or of to in on for with is was are be been have has had it this that his her "
                  "their patient reports says said mmhg per cent percent bpm kg cm degrees minute".split())


def split_sentences(segments: Sequence[Segment]) -> list[tuple[str, Span]]:
    """Each sentence of each segment with its span; a sentence never crosses a segment boundary."""
    found = []
    for index, segment in enumerate(segments):
        for match in re.finditer(r"(?:[^.?!]|[.?!](?=\S))+(?:[.?!]+|$)", segment.text):  # keeps 99.1 whole
            text = match.group().strip()
            if len(_WORD.findall(text)) >= 2:
                start = match.start() + (len(match.group()) - len(match.group().lstrip()))
                found.append((text, Span(index, start, start + len(text))))
    return found


def classify(sentence: str) -> str | None:
    for name, pattern in _CUE_PATTERNS:
        if pattern.search(sentence):
            if name == "medications" and not (_MED_TRIGGER.search(sentence) or _frequency(sentence)):
                continue  # "the pain started after the tablet" is history, not a prescription
            return name
    return None


def _frequency(text: str) -> str:
    pattern = _DOSE_PATTERN_FREQ.search(text)
    if pattern:
        return re.sub(r"\s+", "", pattern.group(1))
    return next((code for code, p in _FREQ_PATTERNS if p.search(text)), "")


def _number(word: str) -> Decimal:
    return _NUMBER_WORDS.get(word.casefold()) or Decimal(word)


def extract_medication(sentence: str, span: Span) -> DraftMedication | None:
    """Name, dose, frequency, food timing, duration and route from a sentence such as 'Take Ashwagandha churna
    5 grams twice daily after food for 30 days'; None when no medicine name can be found."""
    trigger = _MED_TRIGGER.search(sentence)
    rest = sentence[trigger.end():] if trigger else sentence
    stop = _NAME_STOP.search(rest)
    name = _FORM_WORDS.sub("", (rest[:stop.start()] if stop else rest).strip()).strip(" ,.;:")
    if not name or len(name) > 120:
        return None
    dose, unit = None, ""
    dose_match = _DOSE_PATTERN.search(rest)
    if dose_match:
        dose = _number(dose_match.group(1))
        unit = _UNIT_WORDS.get(dose_match.group(2).casefold(), dose_match.group(2).casefold())
        form = re.search(r"\b(tablets?|tabs?|capsules?|caps?)\b", sentence, re.IGNORECASE)
        if unit == "mg":  # a strength: it belongs to the name; the dose is how many tablets
            name = f"{name} {dose.normalize():f} mg"
            count = re.search(r"\b(\d|one|two|half)\s+(?:tablets?|capsules?)\b", rest, re.IGNORECASE)
            dose = _number(count.group(1)) if count else Decimal(1)
            unit = _UNIT_WORDS.get(form.group(1).casefold(), form.group(1).casefold()) if form else "tablet"
    duration = None
    duration_match = _DURATION.search(sentence)
    if duration_match:
        days_per = {"day": 1, "week": 7, "month": 30}[duration_match.group(2).casefold().rstrip("s")]
        duration = int(_number(duration_match.group(1))) * days_per
    food = next((code for code, p in _FOOD if re.search(p, sentence, re.IGNORECASE)), "")
    route = next((code for code, p in _ROUTES if re.search(p, sentence, re.IGNORECASE)), "oral")
    return DraftMedication(name, dose, unit, _frequency(sentence), food, duration, route, (span,))


def extract_vitals(sentence: str, span: Span) -> tuple[dict[str, Decimal], dict[str, Span], list[DraftSentence]]:
    """Values stated aloud ("BP 130 over 85", "pulse 78", "temperature 99.1", "weight 72 kg") and one sentence each."""
    values, sources, lines = {}, {}, []

    def cite(match: re.Match) -> Span:
        return Span(span.segment, span.start + match.start(), span.start + match.end())

    bp = VITAL_PATTERNS["bp"].search(sentence)
    if bp is None:
        bp = VITAL_PATTERNS["bp_unlabelled"].search(sentence)
        if bp and not (70 <= int(bp.group(1)) <= 260 and 40 <= int(bp.group(2)) < int(bp.group(1))):
            bp = None
    if bp:
        values["bp_systolic"], values["bp_diastolic"] = Decimal(bp.group(1)), Decimal(bp.group(2))
        sources["bp_systolic"] = sources["bp_diastolic"] = cite(bp)
        lines.append(DraftSentence(f"BP {bp.group(1)}/{bp.group(2)} mmHg.", (cite(bp),), True))
    simple = (("pulse_bpm", "Pulse {} a minute."), ("spo2_percent", "SpO2 {}%."),
              ("respiratory_rate", "Respiratory rate {} a minute."), ("weight_kg", "Weight {} kg."),
              ("height_cm", "Height {} cm."))
    for name, words in simple:
        match = VITAL_PATTERNS[name].search(sentence)
        if match:
            values[name], sources[name] = Decimal(match.group(1)), cite(match)
            lines.append(DraftSentence(words.format(match.group(1)), (cite(match),), True))
    temperature = VITAL_PATTERNS["temperature"].search(sentence)
    if temperature:
        reading, scale = Decimal(temperature.group(1)), (temperature.group(2) or "").casefold()[:1]
        fahrenheit = scale == "f" or (not scale and reading > 45)  # Indian thermometers mostly read °F
        values["temperature_c"] = fahrenheit_to_celsius(reading) if fahrenheit else reading
        sources["temperature_c"] = cite(temperature)
        lines.append(DraftSentence(f"Temperature {temperature.group(1)} °{'F' if fahrenheit else 'C'}.",
                                   (cite(temperature),), True))
    return values, sources, lines


# Words the drafter writes for a vital, and the other words people say for it.
_SAME_SIGN = {"heart": "pulse", "saturation": "spo2", "sats": "spo2", "oxygen": "spo2", "blood": "bp",
              "pressure": "bp", "temp": "temperature", "weighs": "weight", "respiration": "respiratory",
              "breathing": "respiratory", "kilos": "kg", "kilo": "kg", "kilograms": "kg"}


def _content_words(text: str) -> list[str]:
    words = (_SAME_SIGN.get(w.casefold(), w.casefold()) for w in _WORD.findall(text))
    return [w for w in words if w not in _STOP and (len(w) > 2 or w[0].isdigit())]


def is_supported(text: str, sources: Iterable[Span], segments: Sequence[Segment]) -> bool:
    """Every number in the sentence, and two thirds of its words, appear in the transcript text it cites."""
    cited = []
    for span in sources:
        if not 0 <= span.segment < len(segments) or not 0 <= span.start < span.end <= len(
                segments[span.segment].text):
            return False
        cited.append(segments[span.segment].text[span.start:span.end])
    if not cited:
        return False
    heard = _content_words(" ".join(cited))
    stems = {w[:5] for w in heard}
    words = _content_words(text)
    numbers = [w for w in words if w[0].isdigit()]
    if any(n not in heard for n in numbers):
        return False
    others = [w for w in words if not w[0].isdigit()]
    # two thirds of the words: enough for the doctor's rewording, too many for "start insulin" to ride on "started"
    return not others or sum(w[:5] in stems for w in others) * 3 >= len(others) * 2


def find_support(text: str, segments: Sequence[Segment]) -> DraftSentence:
    """A sentence typed by the doctor: cite the transcript sentence that backs it, or flag it as unsupported."""
    for _sentence, span in split_sentences(segments):
        if is_supported(text, (span,), segments):
            return DraftSentence(text, (span,), True)
    return DraftSentence(text, (), False)


def draft(segments: Sequence[Segment]) -> SoapDraft:
    """Sort each transcript sentence into a SOAP section; pull vitals and medicines into fields."""
    sections: dict[str, list[DraftSentence]] = {name: [] for name in SECTIONS}
    vitals: dict[str, Decimal] = {}
    vital_sources: dict[str, Span] = {}
    medications = []
    for text, span in split_sentences(segments):
        section = classify(text)
        if section is None:
            continue  # greetings and small talk stay in the transcript only
        if section == "objective":
            values, sources, lines = extract_vitals(text, span)
            for name, value in values.items():
                vitals.setdefault(name, value)
                vital_sources.setdefault(name, sources[name])
            sections["objective"] += lines
            leftover = text
            for pattern in VITAL_PATTERNS.values():
                leftover = pattern.sub(" ", leftover)
            if len(_content_words(leftover)) < 3 and lines:
                continue  # nothing but the numbers, already drafted as their own lines
        if section == "medications":
            medication = extract_medication(text, span)
            if medication:
                medications.append(medication)
        if section == "subjective" and not sections["chief_complaint"]:
            section = "chief_complaint"  # the first thing the patient complains of is why they came
        sections[section].append(DraftSentence(text, (span,), True))
    checked = {name: tuple(DraftSentence(s.text, s.sources, is_supported(s.text, s.sources, segments))
                           for s in lines) for name, lines in sections.items()}
    return SoapDraft(checked, vitals, vital_sources, tuple(medications))


# --- storage form: plain dicts and lists for JSON -------------------------------------------------------------

def sentence_to_dict(sentence: DraftSentence) -> dict:
    return {"text": sentence.text, "sources": [[s.segment, s.start, s.end] for s in sentence.sources],
            "supported": sentence.supported}


def sentence_from_dict(raw: dict) -> DraftSentence:
    return DraftSentence(raw["text"], tuple(Span(*s) for s in raw["sources"]), bool(raw["supported"]))


def draft_to_dict(result: SoapDraft) -> dict:
    return {
        "sections": {name: [sentence_to_dict(s) for s in result.sections.get(name, ())] for name in SECTIONS},
        "vitals": {name: str(value) for name, value in result.vitals.items()},
        "vital_sources": {name: [s.segment, s.start, s.end] for name, s in result.vital_sources.items()},
        "medications": [{"name": m.name, "dose": None if m.dose is None else str(m.dose), "dose_unit": m.dose_unit,
                         "frequency": m.frequency, "food_timing": m.food_timing, "duration_days": m.duration_days,
                         "route": m.route, "sources": [[s.segment, s.start, s.end] for s in m.sources]}
                        for m in result.medications],
    }


def draft_from_dict(raw: dict) -> SoapDraft:
    return SoapDraft(
        {name: tuple(sentence_from_dict(s) for s in raw["sections"].get(name, [])) for name in SECTIONS},
        {name: Decimal(value) for name, value in raw.get("vitals", {}).items()},
        {name: Span(*s) for name, s in raw.get("vital_sources", {}).items()},
        tuple(DraftMedication(m["name"], None if m["dose"] is None else Decimal(m["dose"]), m["dose_unit"],
                              m["frequency"], m["food_timing"], m["duration_days"], m["route"],
                              tuple(Span(*s) for s in m["sources"])) for m in raw.get("medications", [])))
