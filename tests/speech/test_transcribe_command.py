"""`clinicdesk transcribe AUDIO --json`: one JSON object; a mistake gives one line on stderr, exit code 2."""

import json
import subprocess
import sys

import pytest

from clinicdesk.cli import main
from tests.speech.conftest import word_error_rate


def test_json_output_is_one_object_with_the_transcript(capsys, consultation_wav, consultation_reference):
    assert main(["transcribe", str(consultation_wav), "--json", "--model", "tiny.en", "--language", "en"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)  # fails if anything else was printed
    assert out.count("\n") == 1
    assert data["model"] == "tiny.en"
    assert data["audio_seconds"] == pytest.approx(30.3, abs=0.5)
    assert 0 < data["wall_seconds"] < data["audio_seconds"]
    assert word_error_rate(consultation_reference, data["text"]) < 0.15
    assert [set(segment) for segment in data["segments"]] == [{"start", "end", "text"}] * len(data["segments"])
    assert all(segment["start"] < segment["end"] for segment in data["segments"])
    assert " ".join(segment["text"] for segment in data["segments"]) == data["text"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["{missing}"], "not found"),
    (["{garbage}"], "cannot be read as audio"),
    (["{wav}", "--model", "large-v3"], "--model must be one of: base, tiny.en"),
    (["{wav}", "--language", "fr"], "--language must be one of: en, hi, ml"),
    (["{wav}", "--model", "tiny.en", "--language", "ml"], "English only"),
])
def test_mistakes_give_one_line_and_exit_code_2(capsys, tmp_path, consultation_wav, arguments, message):
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"RIFF but not really a wave file")
    paths = {"missing": tmp_path / "missing.wav", "garbage": garbage, "wav": consultation_wav}
    assert main(["transcribe", *(argument.format(**paths) for argument in arguments), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err and captured.err.startswith("clinicdesk: ")
    assert str(tmp_path) not in captured.err  # recordings' file names may carry a patient's name


def test_a_missing_file_in_a_new_process_prints_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "clinicdesk.cli", "transcribe", str(tmp_path / "none.wav"),
                             "--json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "not found" in result.stderr
