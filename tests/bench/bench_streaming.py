"""Live transcription against one plain faster-whisper call: real-time factor, delay after the speaker stops, WER.

Not part of the default test run. Run:

    .venv/bin/python tests/bench/bench_streaming.py [--model base] [--chunk-seconds 0.5]

Speaks about 68 s of consultation and dictation with espeak-ng (doctor and patient voices, 0.9 s pauses between
turns, speech running to the end of the file) into a temporary folder. The reference is one plain
`WhisperModel.transcribe` call on the whole file (beam 5, int8, 2 threads, English, faster-whisper's defaults).
The streaming pipeline (`speech.streaming.StreamingTranscriber`, the same model and settings) is fed the same
samples in chunks of `--chunk-seconds`, as fast as possible, timing every `feed()` and the final `finish()`.

Real time is then simulated from those timings: chunk i arrives at (i + 1) x chunk seconds; its processing starts
when it has arrived and the previous chunk is done. The delay is the time from the last chunk's arrival (the end of
speech) until `finish()` returns, so it includes any backlog. Both sides run with and without the clinic's
vocabulary prompt. Prints WER for each, the real-time factor, the delay, per-chunk times and the ratios against the
targets (RTF < 0.3, delay < 3 s, streamed WER no worse than plain + 1 point; below 1.00 meets a target).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from a source checkout

from clinicdesk.speech.models import model_directory  # noqa: E402
from clinicdesk.speech.streaming import StreamingTranscriber  # noqa: E402
from clinicdesk.speech.transcriber import load_transcriber, vocabulary_prompt  # noqa: E402
from tests.speech.conftest import (  # noqa: E402
    DICTATION,
    FORMULARY,
    SAMPLE_RATE,
    read_samples,
    reference_text,
    require_speech_tools,
    speak,
    word_error_rate,
)

TARGET_RTF = 0.3
TARGET_DELAY_SECONDS = 3.0
TARGET_WER_LOSS = 0.01
CORES = 2


def plain_call(model, wav: Path, hotwords: str | None) -> tuple[str, float, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    segments, _ = model.transcribe(str(wav), language="en", beam_size=5, hotwords=hotwords)
    text = " ".join(segment.text.strip() for segment in segments)
    return text, time.perf_counter() - started, time.process_time() - cpu_started


def streamed(transcriber, samples, chunk_seconds: float, hotwords: str | None) -> dict:
    chunk = int(chunk_seconds * SAMPLE_RATE)
    streamer = StreamingTranscriber(transcriber, language="en", hotwords=hotwords)
    chunk_times = []
    cpu_started = time.process_time()
    for offset in range(0, len(samples), chunk):
        started = time.perf_counter()
        streamer.feed(samples[offset:offset + chunk])
        chunk_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    transcript = streamer.finish()
    finish_time = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    # Simulated real time: a chunk waits for its arrival and for the chunk before it.
    done = 0.0
    backlog = []
    for index, seconds in enumerate(chunk_times):
        arrival = min((index + 1) * chunk, len(samples)) / SAMPLE_RATE
        done = max(done, arrival) + seconds
        backlog.append(done - arrival)
    end_of_speech = len(samples) / SAMPLE_RATE
    final = max(done, end_of_speech) + finish_time
    return {"text": transcript.text, "processing": sum(chunk_times) + finish_time, "delay": final - end_of_speech,
            "finish": finish_time, "cpu": cpu_seconds, "chunk_times": chunk_times, "max_backlog": max(backlog)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base", choices=["base", "tiny.en"])
    parser.add_argument("--chunk-seconds", type=float, default=0.5, help="audio per feed() call (default 0.5)")
    args = parser.parse_args()
    try:
        require_speech_tools()
    except BaseException as skipped:  # pytest.skip raises; here it just explains what is missing
        print(skipped)
        return 1

    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-streaming-") as folder:
        wav = speak(DICTATION, Path(folder), "dictation")
        samples = read_samples(wav)
        audio_seconds = len(samples) / SAMPLE_RATE
        reference = reference_text(DICTATION)
        print(f"{audio_seconds:.1f} s of synthetic dictation ({len(reference.split())} words), model {args.model} "
              f"int8, 2 threads, chunks of {args.chunk_seconds} s; load average at start "
              f"{load[0]:.1f} / {load[1]:.1f} (other work on this machine slows both sides)")
        from faster_whisper import WhisperModel

        plain_model = WhisperModel(str(model_directory(args.model)), device="cpu", compute_type="int8", cpu_threads=2)
        transcriber = load_transcriber(args.model)
        # One throw-away call each: the first decode pays for memory allocation and is not what we compare.
        plain_model.transcribe(samples[:SAMPLE_RATE * 2], language="en")[0].__iter__().__next__()
        transcriber.transcribe_samples(samples[:SAMPLE_RATE * 2], language="en")
        rows = []
        for label, hotwords in (("no vocabulary", None), ("clinic vocabulary", vocabulary_prompt(FORMULARY))):
            plain_text, plain_seconds, plain_cpu = plain_call(plain_model, wav, hotwords)
            live = streamed(transcriber, samples, args.chunk_seconds, hotwords)
            rows.append((label, word_error_rate(reference, plain_text), plain_seconds / audio_seconds,
                         word_error_rate(reference, live["text"]), live, plain_cpu))

    print(f"\n{'prompt':<18} {'plain WER':>9} {'plain RTF':>9} {'live WER':>8} {'live RTF':>8} {'delay s':>7} "
          f"{'finish s':>8} {'chunk p50':>9} {'chunk p95':>9} {'chunk max':>9} {'backlog max':>11}")
    for label, plain_wer, plain_rtf, live_wer, live, _ in rows:
        times = sorted(live["chunk_times"])
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"{label:<18} {plain_wer:>9.3f} {plain_rtf:>9.3f} {live_wer:>8.3f} "
              f"{live['processing'] / audio_seconds:>8.3f} {live['delay']:>7.2f} {live['finish']:>8.2f} "
              f"{statistics.median(times) * 1000:>7.0f}ms {p95 * 1000:>7.0f}ms {times[-1] * 1000:>7.0f}ms "
              f"{live['max_backlog']:>10.2f}s")

    print(f"\nCPU seconds (both threads), independent of other load: CPU time / {CORES} cores / audio seconds is the")
    print("best real-time factor an idle machine could show (two threads never scale perfectly).")
    for label, _, _, _, live, plain_cpu in rows:
        print(f"  {label:<18} plain {plain_cpu:5.1f} CPU s (idle RTF {plain_cpu / CORES / audio_seconds:.3f})   live "
              f"{live['cpu']:5.1f} CPU s (idle RTF {live['cpu'] / CORES / audio_seconds:.3f}, "
              f"{live['cpu'] / plain_cpu:.2f}x plain)")

    print("\nratios against the targets (below 1.00 meets the target):")
    for label, plain_wer, _, live_wer, live, _ in rows:
        rtf = live["processing"] / audio_seconds
        wer_loss = live_wer - plain_wer
        print(f"  {label:<18} RTF {rtf:.3f} / {TARGET_RTF} = {rtf / TARGET_RTF:.2f}   "
              f"delay {live['delay']:.2f} s / {TARGET_DELAY_SECONDS} s = {live['delay'] / TARGET_DELAY_SECONDS:.2f}   "
              f"WER live - plain {wer_loss * 100:+.1f} points (target <= +{TARGET_WER_LOSS * 100:.0f}): "
              f"{'met' if wer_loss <= TARGET_WER_LOSS + 1e-9 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
