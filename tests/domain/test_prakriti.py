"""Prakriti questionnaire scoring into Vata/Pitta/Kapha percentages and a constitution."""

import pytest

from clinicdesk.domain.prakriti import PRAKRITI_QUESTIONS, Dosha, DoshaScore, score_answers

KEYS = [q.key for q in PRAKRITI_QUESTIONS]


def answers(vata: int, pitta: int, kapha: int) -> dict[str, Dosha]:
    doshas = [Dosha.VATA] * vata + [Dosha.PITTA] * pitta + [Dosha.KAPHA] * kapha
    return dict(zip(KEYS, doshas, strict=False))


def test_every_question_offers_one_answer_per_dosha():
    assert len(KEYS) == len(set(KEYS)) == 12
    for question in PRAKRITI_QUESTIONS:
        assert [d for d, _ in question.options] == list(Dosha)


@pytest.mark.parametrize(("counts", "percent", "constitution"), [
    ((12, 0, 0), (100, 0, 0), "Vata"),
    ((0, 12, 0), (0, 100, 0), "Pitta"),
    ((0, 0, 12), (0, 0, 100), "Kapha"),
    ((6, 4, 2), (50, 33, 17), "Vata"),
    ((2, 8, 2), (17, 67, 17), "Pitta"),
    ((5, 4, 3), (42, 33, 25), "Vata-Pitta"),
    ((6, 6, 0), (50, 50, 0), "Vata-Pitta"),
    ((0, 5, 5), (0, 50, 50), "Pitta-Kapha"),
    ((4, 3, 5), (33, 25, 42), "Kapha-Vata"),
    ((4, 4, 4), (33, 33, 33), "Tridoshic"),
    ((4, 4, 3), (36, 36, 27), "Tridoshic"),
    ((0, 0, 0), (0, 0, 0), ""),
])
def test_scores_percentages_and_constitution(counts, percent, constitution):
    score = score_answers(answers(*counts))
    assert (score.vata, score.pitta, score.kapha) == counts
    assert score.total == sum(counts)
    assert score.percentages() == dict(zip(Dosha, percent, strict=True))
    assert score.constitution() == constitution


def test_dual_type_boundary_is_ten_points():
    assert DoshaScore(11, 9, 0).constitution() == "Vata-Pitta"  # 55 vs 45
    assert DoshaScore(14, 6, 0).constitution() == "Vata"  # 70 vs 30


def test_answers_given_as_strings_are_scored():
    assert score_answers({"frame": "pitta", "skin": "pitta", "hair": "kapha"}) == DoshaScore(0, 2, 1)


def test_unknown_question_key_raises():
    with pytest.raises(ValueError, match="unknown questionnaire items: \\['shoe_size'\\]"):
        score_answers({"frame": Dosha.VATA, "shoe_size": Dosha.PITTA})


def test_unknown_dosha_raises():
    with pytest.raises(ValueError):
        score_answers({"frame": "ojas"})
