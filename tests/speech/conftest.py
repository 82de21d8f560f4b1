"""Synthetic consultations spoken by espeak-ng, a shared tiny.en model, and the word error rate (also for the bench).

The doctor and the patient have different voices and each turn is followed by a pause, as in a real room.
"""

import re
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

SAMPLE_RATE = 16000
DOCTOR_VOICE = "en-us"
PATIENT_VOICE = "en-us+f3"
PAUSE_SECONDS = 0.9

FORMULARY = ["Abhyanga", "Virechana", "Triphala", "Ashwagandha", "Dashamoola", "Shirodhara", "Basti"]

# (voice, words): about 30 s with the pauses. A drug name, a dose and a duration carry the clinical meaning.
CONSULTATION = [
    (DOCTOR_VOICE, "Good morning. What brings you to the clinic today?"),
    (PATIENT_VOICE, "I have had pain in my lower back and stiffness in both knees for about three weeks."),
    (DOCTOR_VOICE, "Do you sleep well, and how is your appetite?"),
    (PATIENT_VOICE, "I sleep only five hours a night and my appetite is poor."),
    (DOCTOR_VOICE, "I will prescribe Ashwagandha, 500 milligrams twice a day after food, for thirty days."),
    (DOCTOR_VOICE, "Please come back in two weeks for a follow up."),
]

# About 60 s of dictation for the benchmark: the consultation, then the doctor's notes.
DICTATION = CONSULTATION + [
    (DOCTOR_VOICE, "Examination notes. Blood pressure is 130 over 85 and the pulse is 76."),
    (DOCTOR_VOICE, "The patient weighs 68 kilograms."),
    (DOCTOR_VOICE, "Start a course of Abhyanga with warm sesame oil for seven days."),
    (DOCTOR_VOICE, "Give Triphala powder, one teaspoon with warm water at bedtime."),
    (PATIENT_VOICE, "Should I avoid any food during the treatment?"),
    (DOCTOR_VOICE, "Avoid cold drinks, fried food and curd in the evening."),
    (DOCTOR_VOICE, "Review after the therapy and consider Virechana if the stiffness continues."),
]

# The doctor's notes read without a pause (23 s): longer than the live pipeline's 12 s utterance limit.
MONOLOGUE = [(DOCTOR_VOICE, " ".join(words for _, words in DICTATION[6:10] + DICTATION[11:12]))]


def reference_text(turns: list[tuple[str, str]]) -> str:
    return " ".join(words for _, words in turns)


_NUMBER_WORDS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9", "ten": "10", "thirty": "30"}


def normalise(text: str) -> str:
    """Lower case, no punctuation, small numbers as digits: Whisper may write "5" where the script says "five"."""
    text = text.lower().replace("follow-up", "follow up")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 -> 1000
    words = re.sub(r"[^a-z0-9 ]+", " ", text).split()
    return " ".join(_NUMBER_WORDS.get(word, word) for word in words)


def word_error_rate(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.wer(normalise(reference), normalise(hypothesis))


def speak(turns: list[tuple[str, str]], folder: Path, name: str) -> Path:
    """One WAV (16 kHz mono 16-bit) of the turns, each synthesised separately and followed by a pause."""
    folder.mkdir(parents=True, exist_ok=True)
    pieces = []
    for index, (voice, words) in enumerate(turns):
        text_file = folder / f"{name}-{index}.txt"
        text_file.write_text(words + "\n", encoding="utf-8")
        raw, converted = folder / f"{name}-{index}-raw.wav", folder / f"{name}-{index}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), "-f", str(text_file)], check=True,
                       capture_output=True)
        # -R seeds sox's dither: without it every run hears slightly different audio and WER moves by 2-3 points.
        subprocess.run(["sox", "-R", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(converted)],
                       check=True, capture_output=True)
        pieces.append(read_wav(converted))
        pieces.append(np.zeros(int(PAUSE_SECONDS * SAMPLE_RATE), dtype=np.int16))
    out = folder / f"{name}.wav"
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(np.concatenate(pieces[:-1]).tobytes())  # no pause after the last turn: speech ends the file
    return out


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        assert wav.getframerate() == SAMPLE_RATE and wav.getnchannels() == 1 and wav.getsampwidth() == 2
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)


def read_samples(path: Path) -> np.ndarray:
    """float32 in [-1, 1), as the microphone and Whisper use them."""
    return read_wav(path).astype(np.float32) / 32768.0


def require_speech_tools() -> None:
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"synthetic speech needs {' and '.join(missing)} (apt-get install espeak-ng sox)")


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory) -> Path:
    require_speech_tools()
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def consultation_wav(speech_dir) -> Path:
    return speak(CONSULTATION, speech_dir, "consultation")


@pytest.fixture(scope="session")
def monologue_wav(speech_dir) -> Path:
    return speak(MONOLOGUE, speech_dir, "monologue")


@pytest.fixture(scope="session")
def consultation_reference() -> str:
    return reference_text(CONSULTATION)


@pytest.fixture(scope="session")
def tiny_transcriber():
    from clinicdesk.speech.transcriber import load_transcriber

    return load_transcriber("tiny.en")


@pytest.fixture(scope="session")
def tiny_transcript(tiny_transcriber, consultation_wav):
    """One plain tiny.en transcription of the consultation, shared by the tests that compare against it."""
    return tiny_transcriber.transcribe_file(consultation_wav, language="en")
