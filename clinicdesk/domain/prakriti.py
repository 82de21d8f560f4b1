"""Ayurvedic constitution questionnaire (prakriti) and current imbalance (vikriti) scored into Vata/Pitta/Kapha."""

from dataclasses import dataclass
from enum import StrEnum


class Dosha(StrEnum):
    VATA = "vata"
    PITTA = "pitta"
    KAPHA = "kapha"


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    options: tuple[tuple[Dosha, str], ...]  # one answer per dosha


PRAKRITI_QUESTIONS: tuple[Question, ...] = (
    Question("frame", "Body frame", ((Dosha.VATA, "Thin, light, hard to gain weight"),
                                     (Dosha.PITTA, "Medium, muscular"), (Dosha.KAPHA, "Large, solid, gains easily"))),
    Question("skin", "Skin", ((Dosha.VATA, "Dry, rough, cool"), (Dosha.PITTA, "Warm, oily, prone to rashes"),
                              (Dosha.KAPHA, "Thick, smooth, moist"))),
    Question("hair", "Hair", ((Dosha.VATA, "Dry, frizzy, thin"), (Dosha.PITTA, "Fine, early greying"),
                              (Dosha.KAPHA, "Thick, wavy, lustrous"))),
    Question("appetite", "Appetite", ((Dosha.VATA, "Irregular"), (Dosha.PITTA, "Strong, irritable when hungry"),
                                      (Dosha.KAPHA, "Steady, can skip meals"))),
    Question("digestion", "Digestion", ((Dosha.VATA, "Gas, bloating"), (Dosha.PITTA, "Quick, acidity"),
                                        (Dosha.KAPHA, "Slow, heavy after meals"))),
    Question("sleep", "Sleep", ((Dosha.VATA, "Light, interrupted"), (Dosha.PITTA, "Moderate, sound"),
                                (Dosha.KAPHA, "Deep, long, hard to wake"))),
    Question("temperature", "Weather preference", ((Dosha.VATA, "Dislikes cold and wind"),
                                                   (Dosha.PITTA, "Dislikes heat"),
                                                   (Dosha.KAPHA, "Dislikes damp cold"))),
    Question("speech", "Speech", ((Dosha.VATA, "Fast, talkative"), (Dosha.PITTA, "Sharp, precise"),
                                  (Dosha.KAPHA, "Slow, calm"))),
    Question("mind", "Mind", ((Dosha.VATA, "Quick, restless, anxious under stress"),
                              (Dosha.PITTA, "Focused, irritable under stress"),
                              (Dosha.KAPHA, "Steady, withdrawn under stress"))),
    Question("memory", "Memory", ((Dosha.VATA, "Learns fast, forgets fast"), (Dosha.PITTA, "Sharp, clear"),
                                  (Dosha.KAPHA, "Learns slowly, remembers long"))),
    Question("activity", "Activity", ((Dosha.VATA, "Very active, tires easily"),
                                      (Dosha.PITTA, "Purposeful, competitive"), (Dosha.KAPHA, "Slow, enduring"))),
    Question("bowel", "Bowel habit", ((Dosha.VATA, "Dry, constipated"), (Dosha.PITTA, "Loose, frequent"),
                                      (Dosha.KAPHA, "Regular, well formed"))),
)

AGNI_CHOICES = ("sama (balanced)", "vishama (irregular)", "tikshna (sharp)", "manda (slow)")
KOSHTA_CHOICES = ("mridu (soft)", "madhyama (medium)", "krura (hard)")
LEVEL_CHOICES = ("low", "moderate", "high")
SLEEP_CHOICES = ("sound", "disturbed", "insomnia", "excessive")


@dataclass(frozen=True)
class DoshaScore:
    vata: int
    pitta: int
    kapha: int

    @property
    def total(self) -> int:
        return self.vata + self.pitta + self.kapha

    def percentages(self) -> dict[Dosha, int]:
        if self.total == 0:
            return {Dosha.VATA: 0, Dosha.PITTA: 0, Dosha.KAPHA: 0}
        raw = {Dosha.VATA: self.vata, Dosha.PITTA: self.pitta, Dosha.KAPHA: self.kapha}
        return {d: round(100 * v / self.total) for d, v in raw.items()}

    def constitution(self) -> str:
        """Dominant dosha, or a dual type ("Vata-Pitta") when the top two are within 10 points, or "Tridoshic"."""
        pct = self.percentages()
        ranked = sorted(pct.items(), key=lambda kv: (-kv[1], list(Dosha).index(kv[0])))
        (d1, p1), (d2, p2), (_, p3) = ranked
        if self.total == 0:
            return ""
        if p1 - p3 <= 10:
            return "Tridoshic"
        if p1 - p2 <= 10:
            return f"{d1.value.title()}-{d2.value.title()}"
        return d1.value.title()


def score_answers(answers: dict[str, Dosha]) -> DoshaScore:
    """Count answers per dosha; unknown question keys raise so a form bug never scores silently."""
    known = {q.key for q in PRAKRITI_QUESTIONS}
    unknown = set(answers) - known
    if unknown:
        raise ValueError(f"unknown questionnaire items: {sorted(unknown)}")
    counts = {d: 0 for d in Dosha}
    for dosha in answers.values():
        counts[Dosha(dosha)] += 1
    return DoshaScore(counts[Dosha.VATA], counts[Dosha.PITTA], counts[Dosha.KAPHA])
