"""ICD-10 search by code prefix and by description words, from an index built once."""

import time

import pytest

from clinicdesk.services.diagnosis_search import search_diagnoses


@pytest.mark.parametrize(("query", "first"), [
    ("E11", ("E11", "Type 2 diabetes mellitus")),
    ("e11.9", ("E11.9", "Type 2 diabetes mellitus without complications")),
    ("E119", ("E11.9", "Type 2 diabetes mellitus without complications")),
    ("m54.5", ("M54.5", "Low back pain")),
    ("low back pain", ("M54.5", "Low back pain")),
    ("type 2 diab", ("E11", "Type 2 diabetes mellitus")),
    ("  Asthma ", ("J45", "Asthma")),
])
def test_codes_and_words(query, first):
    hits = search_diagnoses(query)
    assert (hits[0].code, hits[0].description) == first


def test_code_prefix_lists_the_category_then_its_subcodes_in_order():
    assert [h.code for h in search_diagnoses("J45")] == ["J45", "J45.0", "J45.1", "J45.8", "J45.9"]


def test_every_word_must_match_and_headings_are_left_out():
    hits = search_diagnoses("diabetes without complications", limit=50)
    assert hits and all("diabetes" in h.description.lower() and "without complications" in h.description.lower()
                        for h in hits)
    assert all("-" not in h.code for h in search_diagnoses("intestinal infectious", limit=50))


@pytest.mark.parametrize("query", ["", "   ", "zzzz", "Q99.99"])
def test_nothing_found_is_an_empty_list(query):
    assert search_diagnoses(query) == []


def test_limit_and_speed_after_the_first_search():
    search_diagnoses("warm up")
    assert len(search_diagnoses("a", limit=7)) == 7
    started = time.perf_counter()
    for query in ("hypertension", "E1", "pain", "fracture of", "k"):
        search_diagnoses(query)
    assert (time.perf_counter() - started) / 5 < 0.05  # each search well under 50 ms on the shared CI machine
