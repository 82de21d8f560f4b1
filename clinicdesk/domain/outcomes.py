"""Patient-reported outcomes: symptom scores 0-10, energy, sleep and digestion, checked before they are kept."""

from dataclasses import dataclass

from clinicdesk.domain.errors import ValidationError

MAX_SYMPTOMS = 12


@dataclass(frozen=True)
class OutcomeReport:
    symptom_scores: dict[str, int]  # symptom name -> 0 (none) .. 10 (worst)
    energy: int | None = None  # 0 (exhausted) .. 10 (full of energy)
    sleep: int | None = None  # 0 (no sleep) .. 10 (restful)
    digestion: int | None = None  # 0 (very poor) .. 10 (good)
    side_effects: str = ""


def _score(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10


def check_outcome(report: OutcomeReport) -> OutcomeReport:
    problems = {}
    if len(report.symptom_scores) > MAX_SYMPTOMS:
        problems["symptom_scores"] = f"must list at most {MAX_SYMPTOMS} symptoms"
    for name, value in report.symptom_scores.items():
        if not name.strip() or len(name) > 60:
            problems["symptom_scores"] = "must name each symptom in 1-60 characters"
        elif not _score(value):
            problems["symptom_scores"] = f"must be scored 0-10 ({name} is {value})"
    for name in ("energy", "sleep", "digestion"):
        value = getattr(report, name)
        if value is not None and not _score(value):
            problems[name] = "must be a score from 0 to 10"
    if len(report.side_effects) > 1000:
        problems["side_effects"] = "must be at most 1,000 characters"
    if not report.symptom_scores and all(getattr(report, n) is None for n in ("energy", "sleep", "digestion")):
        problems["symptom_scores"] = "or energy, sleep or digestion must be scored"
    if problems:
        raise ValidationError(problems, {"symptom_scores": "Symptom scores"})
    return OutcomeReport({k.strip(): v for k, v in report.symptom_scores.items()}, report.energy, report.sleep,
                         report.digestion, report.side_effects.strip())
