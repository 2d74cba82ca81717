"""`store-assistant voice`: a spoken conversation in the terminal.

Each turn is a voice note: from `--input` files, else the microphone (when the optional
`sounddevice` package and a microphone are there; Enter starts and stops recording), else
an audio file path typed at the prompt. Answers are printed, spoken through the first
audio player found (aplay, paplay, afplay, ffplay) and, with `--save`, written as WAV.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.speech.audio import SAMPLE_RATE, Audio, to_wav
from agent.speech.turn import answer_voice_note
from api.runtime import open_runtime
from api.settings import Settings

PLAYERS = (("aplay", "-q"), ("paplay",), ("afplay",), ("ffplay", "-nodisp", "-autoexit", "-v", "0"))


@dataclass(frozen=True)
class VoiceOptions:
    phone: str | None = None
    """E.164 (checked by the command line), or None to be asked for it."""
    inputs: list[Path] = field(default_factory=list)
    save: Path | None = None
    play: bool = True


async def voice_chat(settings: Settings, options: VoiceOptions) -> int:
    phone = options.phone
    if options.save is not None:
        options.save.mkdir(parents=True, exist_ok=True)
    async with open_runtime(settings) as runtime:
        if runtime.voice.transcriber is None:
            print(
                "voice needs the voice extra (pip install 'store-assistant[voice]') "
                "or TRANSCRIBER=openai|google_genai",
                file=sys.stderr,
            )
            return 2
        turn = 0
        async for audio in _voice_notes(options.inputs):
            turn += 1
            answer = await answer_voice_note(
                runtime.voice,
                runtime.turns,
                channel="terminal",
                identity=phone or "terminal",
                customer_phone=phone,
                audio=audio,
                reply_format="wav" if runtime.voice.can_speak else None,
            )
            heard = answer.transcript if answer.transcript is not None else "(not understood)"
            print(f"you> {heard}")
            reply = answer.result.reply
            print(f"bot> {reply}" if reply else "bot> (paused: a person will answer)")
            if answer.reply_audio:
                if options.save is not None:
                    (options.save / f"reply-{turn}.wav").write_bytes(answer.reply_audio)
                if options.play:
                    await asyncio.to_thread(_play, answer.reply_audio)
    return 0


async def _voice_notes(inputs: list[Path]) -> AsyncIterator[bytes]:
    if inputs:
        for path in inputs:
            try:
                yield path.read_bytes()
            except OSError as error:
                print(f"cannot read {path}: {error}", file=sys.stderr)
        return
    microphone = _microphone()
    print("Talking with the store assistant. Ctrl-D or an empty line to quit.")
    while True:
        prompt = "Enter to speak, Enter again to stop> " if microphone else "audio file> "
        try:
            line = (await asyncio.to_thread(input, prompt)).strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if microphone is not None:
            if line:
                return
            yield await asyncio.to_thread(_record, microphone)
        elif not line:
            return
        else:
            try:
                yield Path(line).expanduser().read_bytes()
            except OSError as error:
                print(f"cannot read {line}: {error}", file=sys.stderr)


def _microphone() -> Any:
    """The `sounddevice` module when it and an input device are there, else None."""
    try:
        import sounddevice  # type: ignore[import-not-found]
    except (ImportError, OSError):
        return None
    try:
        sounddevice.query_devices(kind="input")
    except Exception:
        return None
    return sounddevice


def _record(sounddevice: Any) -> bytes:
    import numpy as np

    chunks: list[Any] = []
    stream = sounddevice.InputStream(
        samplerate=SAMPLE_RATE,
        channels=1,
        dtype="float32",
        callback=lambda data, *_: chunks.append(data.copy()),
    )
    with stream:
        input()
    samples = np.concatenate(chunks).reshape(-1) if chunks else np.zeros(0, np.float32)
    return to_wav(Audio(samples.astype(np.float32)))


def _play(wav: bytes) -> None:
    for command in PLAYERS:
        if shutil.which(command[0]):
            with tempfile.NamedTemporaryFile(suffix=".wav") as file:
                file.write(wav)
                file.flush()
                subprocess.run([*command, file.name], check=False, capture_output=True)  # noqa: S603
            return
