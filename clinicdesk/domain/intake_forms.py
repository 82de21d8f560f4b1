"""Intake forms as versioned data: reading a definition, and checking a set of answers against it."""

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from clinicdesk.domain.errors import ValidationError


class QuestionType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    SINGLE = "single"  # one of the choices
    MULTIPLE = "multiple"  # any of the choices
    YES_NO = "yes_no"
    SCALE = "scale"  # a whole number from min to max (pain 0-10)
    SCORE = "score"  # one of the choices, each counted towards its value in the question's tally (dosha counts)
    STATEMENT = "statement"  # a statement the person agrees to by ticking it; a required one must be ticked
    SIGNATURE = "signature"  # a drawn signature, kept as base64 PNG text inside the sealed answers


class FormPurpose(StrEnum):
    """What a filled form feeds: only intake forms are offered on the Forms tab; the others have their own screen."""

    INTAKE = "intake"
    ASSESSMENT = "assessment"
    CONSENT = "consent"


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
_CHOICE_TYPES = ("single", "multiple", "score")


_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    type: QuestionType
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = None  # number and scale
    maximum: Decimal | None = None
    pattern: str = ""  # text: a regular expression the whole answer must match
    pattern_hint: str = ""  # what to tell the person when it does not ("10 digits")
    max_length: int = 500
    help: str = ""
    choice_labels: tuple[str, ...] = ()  # what a person reads for each choice; the stored value stays the choice
    tally: str = ""  # score questions: the name of the total their answers count towards ("prakriti")
    field: str = ""  # forms with a purpose: the domain field this answer fills ("prakriti.frame", "consent.treatment")
    short_label: str = ""  # how a message names a long question (a consent statement): "Consent to treatment"

    def choice_label(self, value: object) -> str:
        """The wording shown for a stored choice value (the value itself when the form gives no wording)."""
        if value in self.choices and self.choice_labels:
            return self.choice_labels[self.choices.index(value)]
        return str(value)


@dataclass(frozen=True)
class Section:
    title: str
    questions: tuple[Question, ...]
    columns: int = 1  # questions side by side on a wide screen (a long questionnaire of short choices)


@dataclass(frozen=True)
class FormDefinition:
    key: str
    version: int
    title: str
    sections: tuple[Section, ...]
    purpose: FormPurpose = FormPurpose.INTAKE

    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)


class DefinitionError(ValueError):
    """A form definition file is malformed; the message names the form and the question."""


def _decimal(value: object, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise DefinitionError(f"{where}: '{value}' is not a number") from None


def parse_definition(data: Mapping) -> FormDefinition:
    """A FormDefinition from its JSON shape; DefinitionError saying exactly what is wrong."""
    key, version, title = data.get("key", ""), data.get("version"), data.get("title", "")
    if not isinstance(key, str) or not _KEY.match(key):
        raise DefinitionError(f"form key '{key}' must be lower-case letters, digits and '_'")
    if not isinstance(version, int) or version < 1:
        raise DefinitionError(f"{key}: version must be a whole number from 1")
    if not title:
        raise DefinitionError(f"{key}: a title is required")
    sections, seen = [], set()
    for section in data.get("sections", ()):
        questions = []
        for raw in section.get("questions", ()):
            where = f"{key} v{version} question '{raw.get('key', '?')}'"
            qkey = raw.get("key", "")
            if not isinstance(qkey, str) or not _KEY.match(qkey):
                raise DefinitionError(f"{where}: key must be lower-case letters, digits and '_'")
            if qkey in seen:
                raise DefinitionError(f"{where}: the key is used twice")
            seen.add(qkey)
            try:
                qtype = QuestionType(raw.get("type"))
            except ValueError:
                raise DefinitionError(f"{where}: type must be one of {', '.join(QuestionType)}") from None
            choices, choice_labels = _choices(raw.get("choices", ()), where)
            if qtype.value in _CHOICE_TYPES and len(choices) < 2:
                raise DefinitionError(f"{where}: a choice question needs at least two choices")
            tally = str(raw.get("tally", "score" if qtype is QuestionType.SCORE else ""))
            minimum, maximum = _decimal(raw.get("min"), where), _decimal(raw.get("max"), where)
            if qtype is QuestionType.SCALE and (minimum is None or maximum is None):
                raise DefinitionError(f"{where}: a scale needs min and max")
            if minimum is not None and maximum is not None and minimum > maximum:
                raise DefinitionError(f"{where}: min is above max")
            pattern = raw.get("pattern", "")
            if pattern:
                try:
                    re.compile(pattern)
                except re.error:
                    raise DefinitionError(f"{where}: the pattern is not a valid regular expression") from None
            questions.append(Question(qkey, str(raw.get("label", "")) or qkey, qtype, bool(raw.get("required")),
                                      choices, minimum, maximum, pattern, str(raw.get("pattern_hint", "")),
                                      int(raw.get("max_length", 500)), str(raw.get("help", "")), choice_labels,
                                      tally, str(raw.get("field", "")), str(raw.get("short_label", ""))))
        columns = section.get("columns", 1)
        if not isinstance(columns, int) or not 1 <= columns <= 3:
            raise DefinitionError(f"{key} v{version} section '{section.get('title', '')}': columns must be 1 to 3")
        sections.append(Section(str(section.get("title", "")), tuple(questions), columns))
    if not seen:
        raise DefinitionError(f"{key}: a form needs at least one question")
    try:
        purpose = FormPurpose(data.get("purpose", FormPurpose.INTAKE))
    except ValueError:
        raise DefinitionError(f"{key}: purpose must be one of {', '.join(FormPurpose)}") from None
    return FormDefinition(key, version, title, tuple(sections), purpose)


def _choices(raw: object, where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(values, labels): a choice is either plain text, or {"value": ..., "label": ...} when the wording differs."""
    values, labels = [], []
    for choice in raw or ():
        if isinstance(choice, Mapping):
            value, label = str(choice.get("value", "")), str(choice.get("label", ""))
            if not value:
                raise DefinitionError(f"{where}: a choice written as an object needs a value")
            values.append(value)
            labels.append(label or value)
        else:
            values.append(str(choice))
            labels.append(str(choice))
    if len(set(values)) != len(values):
        raise DefinitionError(f"{where}: a choice value is used twice")
    return tuple(values), (tuple(labels) if labels != values else ())


def _check(question: Question, value: object) -> tuple[object, str | None]:
    """(clean value, problem) for one answer that is not empty."""
    kind = question.type
    if kind is QuestionType.TEXT:
        text = str(value).strip()
        if len(text) > question.max_length:
            return None, f"must be at most {question.max_length} characters"
        if question.pattern and not re.fullmatch(question.pattern, text):
            return None, f"must be {question.pattern_hint or 'in the expected format'}"
        return text, None
    if kind in (QuestionType.NUMBER, QuestionType.SCALE):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None, "must be a number"
        if kind is QuestionType.SCALE and number != number.to_integral_value():
            return None, "must be a whole number"
        if (question.minimum is not None and number < question.minimum) or \
                (question.maximum is not None and number > question.maximum):
            return None, f"must be between {question.minimum} and {question.maximum}" \
                if question.minimum is not None and question.maximum is not None else \
                f"must be at least {question.minimum}" if question.minimum is not None else \
                f"must be at most {question.maximum}"
        return str(number), None
    if kind is QuestionType.DATE:
        try:
            return (value if isinstance(value, date) else date.fromisoformat(str(value).strip())).isoformat(), None
        except ValueError:
            return None, "must be a date written as YYYY-MM-DD"
    if kind in (QuestionType.SINGLE, QuestionType.SCORE):
        return (str(value), None) if str(value) in question.choices else (None, "must be one of the choices")
    if kind is QuestionType.MULTIPLE:
        picked = [value] if isinstance(value, str) else list(value)
        if any(p not in question.choices for p in picked):
            return None, "may only use the listed choices"
        return [c for c in question.choices if c in picked], None  # kept in the form's order
    if kind is QuestionType.YES_NO:
        if isinstance(value, bool):
            return value, None
        return None, "must be yes or no"
    if kind is QuestionType.STATEMENT:
        return (value, None) if isinstance(value, bool) else (None, "must be ticked or left unticked")
    if kind is QuestionType.SIGNATURE:
        return _signature(value)
    return None, "has an unknown question type"  # pragma: no cover - parse_definition rejects these


def _signature(value: object) -> tuple[object, str | None]:
    """A drawn signature arrives as PNG bytes (the pad) or base64 text (stored answers); kept as base64 text."""
    if isinstance(value, bytes | bytearray):
        png = bytes(value)
    else:
        try:
            png = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            return None, "must be a drawn signature"
    if not png.startswith(PNG_MAGIC):
        return None, "must be a PNG image"
    if len(png) > MAX_SIGNATURE_BYTES:
        return None, "is larger than 2 MB"
    return base64.b64encode(png).decode("ascii"), None


def signature_png(value: object) -> bytes:
    """The PNG bytes of a stored signature answer (base64 text); empty when there is none."""
    return base64.b64decode(str(value)) if value else b""


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str | bytes) and not value.strip()) or \
        (isinstance(value, list | tuple) and not value)


_REQUIRED = {QuestionType.STATEMENT: "must be ticked: the patient has to agree to this statement",
             QuestionType.SIGNATURE: "is missing: ask the patient to sign in the box"}


def validate_answers(form: FormDefinition, answers: Mapping[str, object]) -> dict[str, object]:
    """The answers cleaned for storage (JSON-ready), or ValidationError naming each question that is wrong."""
    known = {q.key for q in form.questions()}
    problems, clean, labels = {}, {}, {}
    for key in answers:
        if key not in known:
            problems[key] = f"is not a question of {form.title} version {form.version}"
    for question in form.questions():
        labels[question.key] = question.short_label or question.label
        value = answers.get(question.key)
        unticked = question.type is QuestionType.STATEMENT and value is False
        if _empty(value) or (unticked and question.required):
            if question.required:
                problems[question.key] = _REQUIRED.get(question.type, "is required")
            continue
        cleaned, problem = _check(question, value)
        if problem:
            problems[question.key] = problem
        else:
            clean[question.key] = cleaned
    if problems:
        raise ValidationError(problems, labels)
    return clean


def answer_text(question: Question, value: object) -> str:
    """An answer as a person reads it on screen or paper."""
    if value is None:
        return ""
    if question.type is QuestionType.YES_NO:
        return "Yes" if value else "No"
    if question.type is QuestionType.STATEMENT:
        return "Agreed" if value else "Not agreed"
    if question.type is QuestionType.SIGNATURE:
        return "Signed"  # the picture itself is drawn by whoever prints it, never spelled out as text
    if question.type in (QuestionType.SINGLE, QuestionType.SCORE):
        return question.choice_label(value)
    if isinstance(value, list):
        return ", ".join(question.choice_label(v) for v in value)
    if question.type is QuestionType.SCALE and question.maximum is not None:
        return f"{value} / {question.maximum}"
    return str(value)


def tallies(form: FormDefinition, answers: Mapping[str, object]) -> dict[str, dict[str, int]]:
    """Per tally, how many score answers chose each value (every value listed, zero when unchosen)."""
    totals: dict[str, dict[str, int]] = {}
    for question in form.questions():
        if question.type is not QuestionType.SCORE:
            continue
        counts = totals.setdefault(question.tally, {})
        for choice in question.choices:
            counts.setdefault(choice, 0)
        value = answers.get(question.key)
        if value in question.choices:
            counts[value] += 1
    return totals


def mapped_fields(form: FormDefinition, answers: Mapping[str, object]) -> dict[str, object]:
    """The cleaned answers under the domain field names the form gives ("prakriti.frame"); unmapped ones left out."""
    return {q.field: answers[q.key] for q in form.questions() if q.field and q.key in answers}
