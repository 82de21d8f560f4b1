"""Message templates with named placeholders, rendered per language with English as the fallback."""

import re
import string
from dataclasses import dataclass, field

from clinicdesk.domain.errors import ValidationError

LANGUAGES = ("en", "hi", "ml")
FALLBACK_LANGUAGE = "en"
CATEGORIES = ("reminder", "preparation", "recovery", "check_in", "payment", "change", "announcement", "marketing",
              "care")

# Every placeholder a template may use, with what it holds. Deliberately no diagnosis, history or medicines taken:
# a message carries the minimum a patient needs to turn up prepared (house rule: minimum data).
PLACEHOLDERS: dict[str, str] = {
    "patient_name": "the patient's given name",
    "therapy": "the service or therapy booked",
    "time": "the appointment's date and time in the centre's time zone",
    "new_time": "the new date and time after a change",
    "practitioner": "the practitioner's name",
    "centre_name": "the centre's name",
    "centre_address": "the centre's address",
    "centre_phone": "the centre's phone number",
    "preparation": "the preparation notes for this therapy",
    "reference": "the booking reference",
    "amount": "an amount due, with the rupee sign",
    "due_date": "the date a payment is due",
    "invoice_number": "the number of the bill a payment is due on",
    "announcement": "the text of an announcement",
    "note": "a short instruction from the clinician, e.g. the diet to follow",
}
SAMPLE_VALUES: dict[str, str] = {
    "patient_name": "Asha", "therapy": "Abhyanga", "time": "Fri 27 Nov, 10:30", "new_time": "Sat 28 Nov, 09:00",
    "practitioner": "Dr. Meera Nair", "centre_name": "Sukham Ayurveda, Kochi",
    "centre_address": "12 MG Road, Kochi 682016", "centre_phone": "0484 240 1234",
    "preparation": "Bring a towel and a change of clothes.", "reference": "KOC-261127-A-001", "amount": "₹1,500",
    "due_date": "30 Nov", "invoice_number": "KOC-A/I26/00042",
    "announcement": "The centre is closed on 1 December for Onam.",
    "note": "rice gruel and warm water only until Friday.",
}
_FIELD = re.compile(r"^[a-z_]+$")


class UnknownPlaceholder(ValidationError):
    """A template names a placeholder the clinic does not fill in; it is refused and nothing is saved."""


@dataclass(frozen=True)
class TemplateText:
    subject: str
    body: str


@dataclass(frozen=True)
class MessageTemplate:
    key: str
    name: str
    category: str
    texts: dict[str, TemplateText] = field(default_factory=dict)  # language -> text

    def text_for(self, language: str) -> tuple[str, TemplateText]:
        """The language actually used: the patient's if written, else English."""
        if language in self.texts:
            return language, self.texts[language]
        return FALLBACK_LANGUAGE, self.texts[FALLBACK_LANGUAGE]


@dataclass(frozen=True)
class RenderedMessage:
    template_key: str
    language: str
    subject: str
    body: str


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a text uses, in order; a malformed brace raises ValueError."""
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if spec or conversion or not _FIELD.match(name):
            raise ValueError(f"{{{name}}}")
        names.append(name)
    return names


def template_problems(texts: dict[str, TemplateText]) -> dict[str, str]:
    """Field -> message for every unknown placeholder, malformed brace or missing English text."""
    problems: dict[str, str] = {}
    if FALLBACK_LANGUAGE not in texts or not texts[FALLBACK_LANGUAGE].body.strip():
        problems["body_en"] = "is needed: English is what patients get when their language has no text"
    for language, text in texts.items():
        if language not in LANGUAGES:
            problems[f"language_{language}"] = f"must be one of: {', '.join(LANGUAGES)}"
            continue
        for part, value in (("subject", text.subject), ("body", text.body)):
            try:
                unknown = sorted({n for n in placeholders_in(value) if n not in PLACEHOLDERS})
            except ValueError as bad:
                problems[f"{part}_{language}"] = (f"has a brace the clinic cannot fill in near {bad}; write "
                                                  "placeholders like {patient_name} and nothing else in braces")
                continue
            if unknown:
                problems[f"{part}_{language}"] = (
                    "uses an unknown placeholder " + ", ".join(f"{{{n}}}" for n in unknown)
                    + "; use one of " + ", ".join(f"{{{n}}}" for n in PLACEHOLDERS))
    return problems


def check_template(template: MessageTemplate) -> MessageTemplate:
    """Return the template unchanged, or raise UnknownPlaceholder naming each bad part."""
    problems = template_problems(template.texts)
    if template.category not in CATEGORIES:
        problems["category"] = f"must be one of: {', '.join(CATEGORIES)}"
    if not template.key or not _FIELD.match(template.key):
        problems["key"] = "must be lower-case letters and underscores, e.g. booking_confirmation"
    if problems:
        labels = {name: _label(name) for name in problems}
        raise UnknownPlaceholder(problems, labels)
    return template


def _label(field_name: str) -> str:
    part, _, language = field_name.rpartition("_")
    if part in ("subject", "body") and language in LANGUAGES:
        return f"The {part} in {LANGUAGE_NAMES[language]}"
    return field_name.replace("_", " ").capitalize()


LANGUAGE_NAMES = {"en": "English", "hi": "Hindi", "ml": "Malayalam"}


def render(template: MessageTemplate, language: str, values: dict[str, str]) -> RenderedMessage:
    """Fill the placeholders; a value not given renders empty (an optional part such as preparation notes)."""
    check_template(template)
    used, text = template.text_for(language)
    filled = {name: str(values.get(name, "")) for name in PLACEHOLDERS}
    return RenderedMessage(template.key, used, text.subject.format_map(filled).strip(),
                           text.body.format_map(filled).strip())
