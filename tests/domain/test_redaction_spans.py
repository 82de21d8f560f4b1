"""Redaction span logic: merging overlaps, replacing spans, patient tokens, the doctor's edits, spoken digits."""

import re

import pytest

from clinicdesk.domain.redaction import (
    Redacted,
    Span,
    apply_redaction,
    edit_spans,
    merge_spans,
    normalise_spoken_digits,
    patient_token,
)


def span(text: str, piece: str, kind: str, occurrence: int = 0) -> Span:
    start = [m.start() for m in re.finditer(re.escape(piece), text)][occurrence]
    return Span(start, start + len(piece), kind, piece)


MERGE_TEXT = "Call Ramesh Kumar on 98765 43210 or 2345 6789 0124 today"


@pytest.mark.parametrize(("spans", "expected"), [
    ([], []),
    # disjoint spans stay apart, sorted by position
    ([span(MERGE_TEXT, "98765 43210", "PHONE"), span(MERGE_TEXT, "Ramesh Kumar", "PERSON")],
     [(5, 17, "PERSON"), (21, 32, "PHONE")]),
    # a span inside a longer one disappears into it; the longer one names the kind
    ([span(MERGE_TEXT, "Kumar", "PERSON"), span(MERGE_TEXT, "Ramesh Kumar", "PERSON")], [(5, 17, "PERSON")]),
    ([span(MERGE_TEXT, "6789 0124", "PHONE"), span(MERGE_TEXT, "2345 6789 0124", "AADHAAR")], [(36, 50, "AADHAAR")]),
    # equal length: the higher-priority kind wins, whatever the input order
    ([Span(21, 32, "PERSON", "98765 43210"), Span(21, 32, "PHONE", "98765 43210")], [(21, 32, "PHONE")]),
    ([Span(21, 32, "PHONE", "98765 43210"), Span(21, 32, "PERSON", "98765 43210")], [(21, 32, "PHONE")]),
    # partial overlap: the union is redacted (nothing flagged is left in clear), kind of the longer span
    ([Span(5, 12, "PERSON", "Ramesh "), Span(9, 17, "ADDRESS", "esh Kumar")], [(5, 17, "ADDRESS")]),
    # a chain of overlaps becomes one span
    ([Span(0, 4, "PERSON", "x"), Span(3, 8, "PERSON", "x"), Span(7, 9, "PIN", "x")], [(0, 9, "PERSON")]),
    # touching but not overlapping spans stay separate
    ([Span(0, 4, "PERSON", "Call"), Span(4, 5, "PIN", " ")], [(0, 4, "PERSON"), (4, 5, "PIN")]),
    # empty spans are ignored
    ([Span(3, 3, "PHONE", "")], []),
])
def test_merge_spans(spans, expected):
    merged = merge_spans(spans, MERGE_TEXT)
    assert [(s.start, s.end, s.kind) for s in merged] == expected
    assert all(s.text == MERGE_TEXT[s.start:s.end] for s in merged)


def test_merge_without_text_stitches_member_texts():
    merged = merge_spans([Span(0, 4, "PERSON", "Rame"), Span(2, 8, "PERSON", "mesh K")])
    assert merged == [Span(0, 8, "PERSON", "Ramesh K")]


@pytest.mark.parametrize(("text", "pieces", "expected"), [
    ("no identifiers, BP 130/85", [], "no identifiers, BP 130/85"),
    ("Phone 98765 43210, age 42", [("98765 43210", "PHONE")], "Phone <PHONE>, age 42"),
    ("Aadhaar 2345 6789 0124 PAN ABCPK1234F", [("2345 6789 0124", "AADHAAR"), ("ABCPK1234F", "PAN")],
     "Aadhaar <AADHAAR> PAN <PAN>"),
    ("Sunita Das lives at 12 MG Road", [("Sunita Das", "PERSON"), ("12 MG Road", "ADDRESS")],
     "<PERSON> lives at <ADDRESS>"),
    ("DOB 12/03/1980 UHID SKM-A-000123", [("12/03/1980", "DOB"), ("SKM-A-000123", "UHID")], "DOB <DOB> UHID <UHID>"),
])
def test_apply_redaction_uses_placeholders_by_default(text, pieces, expected):
    result = apply_redaction(text, [span(text, piece, kind) for piece, kind in pieces])
    assert result.text == expected
    assert [(e.kind, e.text) for e in result.entities] == [(kind, piece) for piece, kind in pieces]


def test_apply_redaction_gives_the_patient_their_token_and_others_a_placeholder():
    text = "Ramesh Kumar came with his son Arjun; call 98765 43210"
    spans = [span(text, "Ramesh Kumar", "PERSON"), span(text, "Arjun", "PERSON"), span(text, "98765 43210", "PHONE")]
    token = patient_token(b"clinic secret", "patient-17")

    def token_for(kind: str, original: str) -> str:
        return token if kind == "PERSON" and original == "Ramesh Kumar" else f"<{kind}>"

    result = apply_redaction(text, spans, token_for=token_for)
    assert result == Redacted(f"{token} came with his son <PERSON>; call <PHONE>", tuple(sorted(spans)))


def test_entities_are_reported_in_input_offsets():
    text = "Mr Das, phone 98765 43210."
    result = apply_redaction(text, [span(text, "Das", "PERSON"), span(text, "98765 43210", "PHONE")])
    assert [text[e.start:e.end] for e in result.entities] == ["Das", "98765 43210"]


def test_patient_token_is_stable_keyed_and_well_formed():
    first = patient_token(b"secret-1", "patient-1")
    assert first == patient_token(b"secret-1", "patient-1")
    assert re.fullmatch(r"PATIENT_[A-Z0-9]{6}", first)
    assert first != patient_token(b"secret-1", "patient-2")
    assert first != patient_token(b"secret-2", "patient-1")  # without the secret there is no way back
    tokens = {patient_token(b"secret-1", f"patient-{n}") for n in range(2000)}
    assert len(tokens) == 2000


EDIT_TEXT = "Lakshmi from Kochi, phone 98765 43210, takes Triphala"


@pytest.mark.parametrize(("add", "remove", "expected"), [
    ([], [], [("Lakshmi", "PERSON"), ("98765 43210", "PHONE"), ("Triphala", "PERSON")]),
    # the doctor un-redacts a false positive (a medicine taken for a name)
    ([], [("Triphala", "PERSON")], [("Lakshmi", "PERSON"), ("98765 43210", "PHONE")]),
    # removing by a range that only touches the span is enough
    ([], [("Trip", "PERSON")], [("Lakshmi", "PERSON"), ("98765 43210", "PHONE")]),
    # the doctor adds a missed place
    ([("Kochi", "ADDRESS")], [], [("Lakshmi", "PERSON"), ("Kochi", "ADDRESS"), ("98765 43210", "PHONE"),
                                  ("Triphala", "PERSON")]),
    # an added span replaces the detected spans it overlaps
    ([("Lakshmi from Kochi", "ADDRESS")], [("Triphala", "PERSON")],
     [("Lakshmi from Kochi", "ADDRESS"), ("98765 43210", "PHONE")]),
])
def test_edit_spans(add, remove, expected):
    detected = [span(EDIT_TEXT, "Lakshmi", "PERSON"), span(EDIT_TEXT, "98765 43210", "PHONE"),
                span(EDIT_TEXT, "Triphala", "PERSON")]
    edited = edit_spans(detected, add=[span(EDIT_TEXT, p, k) for p, k in add],
                        remove=[span(EDIT_TEXT, p, k) for p, k in remove])
    assert [(s.text, s.kind) for s in edited] == expected
    assert apply_redaction(EDIT_TEXT, edited).entities == tuple(edited)


@pytest.mark.parametrize(("text", "normalised"), [
    ("98,765 43,210", "9876543210"),
    ("call 98765 43210 now", "call 9876543210 now"),
    ("+91 98765 43210", "+919876543210"),
    ("98765-43210", "9876543210"),
    ("1234 5678 9012", "123456789012"),
    ("aadhaar 2345-6789-0124.", "aadhaar 234567890124."),
    ("nine eight seven six five four three two one zero", "9876543210"),
    ("Nine eight 7 6 5 double four three two one", "9876544321"),
    ("triple nine 12 345", "99912345"),
    # clinical values are left exactly as they were
    ("BP 130 85, pulse 72", "BP 130 85, pulse 72"),
    ("age 42, 3 days", "age 42, 3 days"),
    ("500 mg twice a day for 10 days", "500 mg twice a day for 10 days"),
    ("take two three times a day", "take two three times a day"),
    ("temperature 98.6 F", "temperature 98.6 F"),
    ("10ml 20ml", "10ml 20ml"),
    ("", ""),
])
def test_normalise_spoken_digits(text, normalised):
    assert normalise_spoken_digits(text)[0] == normalised


@pytest.mark.parametrize(("text", "found", "original"), [
    ("ph 98,765 43,210 ok", "9876543210", "98,765 43,210"),
    ("call +91 98765 43210.", "+919876543210", "+91 98765 43210"),
    ("no: nine eight seven six five four three two one zero!", "9876543210",
     "nine eight seven six five four three two one zero"),
    ("x 1234 5678 9012 y", "123456789012", "1234 5678 9012"),
    ("double four 55 66 77", "4455", "double four 55"),
])
def test_offset_map_points_back_to_the_input(text, found, original):
    normalised, offsets = normalise_spoken_digits(text)
    start = normalised.index(found)
    in_start, in_end = offsets.input_range(start, start + len(found))
    assert text[in_start:in_end] == original


def test_offset_map_is_identity_outside_joined_runs():
    text = "Mr Das 98765 43210 age 42"
    normalised, offsets = normalise_spoken_digits(text)
    assert offsets.input_range(0, 6) == (0, 6)
    tail = normalised.index("age")
    assert text[slice(*offsets.input_range(tail, len(normalised)))] == "age 42"
    assert offsets.input_range(len(normalised), len(normalised)) == (len(text), len(text))
