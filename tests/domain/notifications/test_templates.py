"""Templates: placeholders filled per language with English as fallback; unknown placeholders refused by name."""

import pytest

from clinicdesk.domain.notifications.templates import (
    SAMPLE_VALUES,
    MessageTemplate,
    TemplateText,
    UnknownPlaceholder,
    check_template,
    placeholders_in,
    render,
)

TEMPLATE = MessageTemplate("booking_confirmation", "Booking", "reminder", {
    "en": TemplateText("Booked: {therapy}", "Namaste {patient_name}, {therapy} at {time}."),
    "hi": TemplateText("बुकिंग: {therapy}", "नमस्ते {patient_name}, {therapy} {time} पर।"),
})


@pytest.mark.parametrize(("language", "used", "body"), [
    ("en", "en", "Namaste Asha, Abhyanga at Fri 27 Nov, 10:30."),
    ("hi", "hi", "नमस्ते Asha, Abhyanga Fri 27 Nov, 10:30 पर।"),
    ("ml", "en", "Namaste Asha, Abhyanga at Fri 27 Nov, 10:30."),  # no Malayalam text: English
])
def test_render_in_the_patients_language_or_english(language, used, body):
    rendered = render(TEMPLATE, language, SAMPLE_VALUES)
    assert (rendered.language, rendered.body) == (used, body)


def test_a_value_not_given_renders_empty():
    template = MessageTemplate("x", "X", "preparation", {"en": TemplateText("", "Bring: {preparation}")})
    assert render(template, "en", {}).body == "Bring:"


@pytest.mark.parametrize(("text", "field", "words"), [
    ("Dear {patient_name}, your {diagnosis} plan", "body_en", "unknown placeholder {diagnosis}"),
    ("Dear {patient_name!r}", "body_en", "brace the clinic cannot fill in"),
    ("Dear {patient_name:>10}", "body_en", "brace the clinic cannot fill in"),
    ("Dear {", "body_en", "brace the clinic cannot fill in"),
])
def test_unknown_or_malformed_placeholders_are_refused_with_their_name(text, field, words):
    template = MessageTemplate("x", "X", "reminder", {"en": TemplateText("Hi", text)})
    with pytest.raises(UnknownPlaceholder) as refused:
        check_template(template)
    assert field in refused.value.problems
    assert words in refused.value.problems[field]
    assert "The body in English" in str(refused.value)


def test_unknown_placeholder_in_a_hindi_subject_names_that_part():
    template = MessageTemplate("x", "X", "reminder", {"en": TemplateText("Hi", "Body"),
                                                     "hi": TemplateText("{room_number}", "Body")})
    with pytest.raises(UnknownPlaceholder) as refused:
        check_template(template)
    assert list(refused.value.problems) == ["subject_hi"]


def test_english_is_required():
    with pytest.raises(UnknownPlaceholder, match="English"):
        check_template(MessageTemplate("x", "X", "reminder", {"hi": TemplateText("", "नमस्ते")}))


def test_placeholders_in_order():
    assert placeholders_in("{a_b} and {c} and {a_b}") == ["a_b", "c", "a_b"]
