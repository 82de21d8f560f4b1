"""The installed bundle against the source checkout: start to the sign-in window and a transcription, same machine.

Usage: .venv/bin/python tests/bench/bench_bundle.py --bundle dist/ClinicDesk [--rounds 3]
(build the bundle first with installer/build-linux.sh). Targets: the bundle starts within 1.5x of the source run
and under 6 s to the sign-in window on a 2-core machine; its transcription is within 1.2x of the source run.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.installer.test_bundle_smoke import PASSPHRASE, SPOKEN  # noqa: E402

START_RATIO_TARGET, START_SECONDS_TARGET, TRANSCRIBE_RATIO_TARGET = 1.5, 6.0, 1.2


def _environment(home: Path) -> dict:
    return {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
            "XDG_CACHE_HOME": str(home / "cache"), "QT_QPA_PLATFORM": "offscreen", "CLINICDESK_PASSPHRASE": PASSPHRASE}


def _start_seconds(command: list[str], data_dir: Path, home: Path) -> float:
    shots = Path(tempfile.mkdtemp(dir=home))
    launched = time.time()
    subprocess.run([*command, "app", "--data-dir", str(data_dir), "--screenshot", str(shots)], env=_environment(home),
                   check=True, capture_output=True)
    return (shots / "01_sign_in.png").stat().st_mtime - launched


def _transcribe_seconds(command: list[str], wav: Path, home: Path) -> float:
    started = time.monotonic()
    subprocess.run([*command, "transcribe", str(wav), "--model", "base", "--language", "en"], env=_environment(home),
                   check=True, capture_output=True)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", required=True, type=Path, help="the built dist/ClinicDesk folder")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    commands = {"bundle": [str(args.bundle / "clinicdesk")], "source": [str(ROOT / ".venv" / "bin" / "clinicdesk")]}
    home = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    try:
        data_dir = home / "clinic"
        subprocess.run([*commands["source"], "demo", "--data-dir", str(data_dir), "--no-launch", "--patients", "40"],
                       env=_environment(home), check=True, capture_output=True)
        raw, wav = home / "raw.wav", home / "speech.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), SPOKEN], check=True)
        subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav)], check=True)
        for command in commands.values():  # untimed: joins Whisper base into the cache and warms the disk cache
            _transcribe_seconds(command, wav, home)
        start = {name: [] for name in commands}
        transcribe = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():  # interleaved, so background load hits both alike
                start[name].append(_start_seconds(command, data_dir, home))
                transcribe[name].append(_transcribe_seconds(command, wav, home))
        start_b, start_s = statistics.median(start["bundle"]), statistics.median(start["source"])
        tr_b, tr_s = statistics.median(transcribe["bundle"]), statistics.median(transcribe["source"])
        print(f"{'measure':<38}{'bundle':>10}{'source':>10}{'ratio':>8}  target")
        print(f"{'start to sign-in window (s, median)':<38}{start_b:>10.2f}{start_s:>10.2f}{start_b / start_s:>8.2f}"
              f"  <= {START_RATIO_TARGET}x and < {START_SECONDS_TARGET} s")
        print(f"{'transcribe ~8 s WAV, base (s, median)':<38}{tr_b:>10.2f}{tr_s:>10.2f}{tr_b / tr_s:>8.2f}"
              f"  <= {TRANSCRIBE_RATIO_TARGET}x")
        met = start_b / start_s <= START_RATIO_TARGET and start_b < START_SECONDS_TARGET \
            and tr_b / tr_s <= TRANSCRIBE_RATIO_TARGET
        print("targets met" if met else "TARGETS MISSED")
        return 0 if met else 1
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
