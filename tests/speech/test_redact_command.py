"""`clinicdesk redact --json`: text on stdin, one JSON object out, entity offsets into the input."""

import io
import json
import subprocess
import sys

import pytest

from clinicdesk.cli import main

TEXT = "Ramesh Kumar, 42, phone 98,765 43,210, Aadhaar 2345 6789 0124. BP 130/85, 500 mg twice a day for 5 days.\n"


def run_cli(monkeypatch, capsys, argv: list[str], text: str):
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code = main(argv)
    return code, capsys.readouterr().out


def test_json_output_has_redacted_text_and_entities_in_input_offsets(monkeypatch, capsys):
    code, out = run_cli(monkeypatch, capsys, ["redact", "--json", "--known-name", "Ramesh Kumar"], TEXT)
    assert code == 0
    result = json.loads(out)
    assert result["redacted"] == ("<PERSON>, 42, phone <PHONE>, Aadhaar <AADHAAR>. BP 130/85, 500 mg twice a day "
                                  "for 5 days.\n")
    assert [(e["type"], e["text"]) for e in result["entities"]] == [
        ("PERSON", "Ramesh Kumar"), ("PHONE", "98,765 43,210"), ("AADHAAR", "2345 6789 0124")]
    assert all(TEXT[e["start"]:e["end"]] == e["text"] for e in result["entities"])


def test_known_names_are_matched_even_when_ner_misses_them(monkeypatch, capsys):
    text = "the report for kunjumol is ready, review after 7 days"
    _, without = run_cli(monkeypatch, capsys, ["redact", "--json"], text)
    _, with_name = run_cli(monkeypatch, capsys, ["redact", "--json", "--known-name", "Kunjumol Thomas"], text)
    assert json.loads(without)["redacted"] == text  # spaCy does not see a lower-case name in running speech
    assert json.loads(with_name)["redacted"] == "the report for <PERSON> is ready, review after 7 days"


def test_hide_text_leaves_the_identifiers_out_of_the_report(monkeypatch, capsys):
    _, out = run_cli(monkeypatch, capsys, ["redact", "--json", "--hide-text"], "call 98470 12345")
    result = json.loads(out)
    assert result["entities"] == [{"type": "PHONE", "start": 5, "end": 16}]
    assert "98470" not in out


def test_without_json_only_the_redacted_text_is_printed(monkeypatch, capsys):
    code, out = run_cli(monkeypatch, capsys, ["redact"], "email lakshmi.nair@gmail.com, age 58")
    assert code == 0
    assert out == "email <EMAIL>, age 58\n"


@pytest.mark.slow
def test_the_installed_command_runs_offline_in_a_fresh_process():
    completed = subprocess.run([sys.executable, "-m", "clinicdesk.cli", "redact", "--json"], input="PAN ABCPK1234F",
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == {
        "redacted": "PAN <PAN>", "entities": [{"type": "PAN", "start": 4, "end": 14, "text": "ABCPK1234F"}]}
    assert "Traceback" not in completed.stderr  # no failed attempt to download the suffix list
