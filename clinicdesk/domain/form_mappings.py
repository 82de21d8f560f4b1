"""What a filled assessment or consent form means for the records the rest of the app reads (by each answer's field)."""

from collections.abc import Mapping
from dataclasses import dataclass

from clinicdesk.domain.intake_forms import FormDefinition, mapped_fields
from clinicdesk.domain.prakriti import Dosha, DoshaScore, score_answers

# The consent text version a consent row carries: a short prefix per form plus the form's version, so the
# procedure consent form version 1 is the "pk-1" text the hand-built dialog recorded before it.
_TEXT_VERSION_PREFIX = {"procedure_consent": "pk", "registration_consents": "reg"}


@dataclass(frozen=True)
class AssessmentFields:
    """The ayurvedic_assessments columns a filled assessment form gives (scoring stays in domain.prakriti)."""

    prakriti_answers: dict[str, str]
    vikriti_answers: dict[str, str]
    agni: str = ""
    koshta: str = ""
    sleep: str = ""
    stress: str = ""
    energy: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ConsentFields:
    """What a filled consent form gives: the consent kinds ticked, how it was given, and who signed."""

    given: tuple[str, ...]
    method: str = ""
    typed_name: str = ""
    signature: str = ""  # base64 PNG, as the form keeps it
    on_behalf: bool = False


def _answered(form: FormDefinition, answers: Mapping[str, object]) -> dict[str, object]:
    """Field -> answer for the answered questions only (a screen's live answers include the empty ones)."""
    return {name: value for name, value in mapped_fields(form, answers).items()
            if value is not None and value != "" and value != []}


def _group(fields: Mapping[str, object], prefix: str) -> dict[str, str]:
    return {name.removeprefix(prefix): str(value) for name, value in fields.items() if name.startswith(prefix)}


def assessment_fields(form: FormDefinition, answers: Mapping[str, object]) -> AssessmentFields:
    """The assessment row's answers: "prakriti.frame" -> prakriti_answers["frame"], "agni" -> agni, and so on."""
    fields = _answered(form, answers)
    text = {name: str(fields.get(name, "")) for name in ("agni", "koshta", "sleep", "stress", "energy", "notes")}
    return AssessmentFields(_group(fields, "prakriti."), _group(fields, "vikriti."), **text)


def prakriti_score(form: FormDefinition, answers: Mapping[str, object]) -> DoshaScore:
    """The live Vata/Pitta/Kapha count of the constitution questions, scored exactly as a saved assessment is."""
    return score_answers({key: Dosha(value) for key, value in assessment_fields(form, answers)
                          .prakriti_answers.items()})


def consent_fields(form: FormDefinition, answers: Mapping[str, object]) -> ConsentFields:
    """Kinds from ticked "consent.<kind>" statements (in the form's order), plus method, name and signature."""
    fields = _answered(form, answers)
    given = tuple(name.removeprefix("consent.") for name, value in fields.items()
                  if name.startswith("consent.") and value is True)
    return ConsentFields(given, str(fields.get("method", "")), str(fields.get("typed_name", "")),
                         str(fields.get("signature", "")), fields.get("on_behalf") is True)


def consent_text_version(form: FormDefinition) -> str:
    """The version a consent row records for the statements of this form version ("reg-1", "pk-1")."""
    return f"{_TEXT_VERSION_PREFIX.get(form.key, form.key[:12])}-{form.version}"
