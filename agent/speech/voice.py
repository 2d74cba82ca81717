"""Voice around a turn: speech to text before it, text to speech after it. The agent only
ever sees text, so every channel, model and tool works with voice unchanged."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from agent.language import Language
from agent.speech.audio import (
    Audio,
    AudioFormat,
    BadAudio,
    SpeechServiceFailed,
    VoiceUnavailable,
    decode,
    encode,
)
from agent.speech.synthesizers import Synthesizer
from agent.speech.transcribers import Transcriber

log = logging.getLogger(__name__)

MAX_SPOKEN_CHARS = 700
"""Longer answers (a long product list) are cut at a sentence: nobody listens to minutes."""


@dataclass(frozen=True, slots=True)
class Heard:
    """What a voice note said, or why it could not be heard (a `say` key and its values)."""

    transcript: str = ""
    refusal: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class Voice:
    def __init__(
        self,
        transcriber: Transcriber | None,
        synthesizer: Synthesizer | None,
        *,
        max_seconds: float = 120.0,
        vocabulary: Callable[[], Awaitable[list[str]]] | None = None,
        vocabulary_ttl: float = 600.0,
    ) -> None:
        self.transcriber = transcriber
        self.synthesizer = synthesizer
        self.max_seconds = max_seconds
        self._vocabulary_source = vocabulary
        self._vocabulary_ttl = vocabulary_ttl
        self._vocabulary: tuple[float | None, list[str]] = (None, [])

    @property
    def can_speak(self) -> bool:
        return self.synthesizer is not None

    async def hear(self, data: bytes, language: Language) -> Heard:
        """Transcribe a voice note; `language` is the conversation's. Bad audio, and speech
        the transcriber cannot understand, come back as a refusal to answer with."""
        if self.transcriber is None:
            return Heard(refusal="please_write")
        try:
            audio = await asyncio.to_thread(decode, data, max_seconds=self.max_seconds)
        except BadAudio as error:
            values = {"limit": f"{self.max_seconds:.0f}"} if error.reason == "too_long" else {}
            return Heard(refusal=f"voice_{error.reason}", values=values)
        except VoiceUnavailable:
            return Heard(refusal="please_write")
        if not self.transcriber.understands(language):
            return Heard(refusal="voice_language", seconds=audio.seconds)
        try:
            heard = await self.transcriber.transcribe(audio, language, await self.vocabulary())
        except VoiceUnavailable:
            return Heard(refusal="please_write", seconds=audio.seconds)
        except Exception as error:
            raise SpeechServiceFailed(f"{self.transcriber.name}: {type(error).__name__}") from error
        if not heard.text.strip():
            return Heard(refusal="voice_silent", seconds=audio.seconds)
        if heard.unclear:
            return Heard(refusal="voice_unclear", seconds=audio.seconds)
        return Heard(transcript=heard.text.strip(), seconds=audio.seconds)

    async def speak(self, text: str, language: Language, audio_format: AudioFormat) -> bytes:
        """`text` as speech in the given file format (OGG/Opus for voice notes)."""
        if self.synthesizer is None:
            raise VoiceUnavailable("no speech synthesizer is configured")
        audio: Audio = await self.synthesizer.synthesize(speakable(text), language)
        return await asyncio.to_thread(encode, audio, audio_format)

    async def vocabulary(self) -> list[str]:
        """The catalog's most frequent name words, refreshed every `vocabulary_ttl` s."""
        loaded_at, words = self._vocabulary
        if self._vocabulary_source is None:
            return words
        if loaded_at is not None and time.monotonic() - loaded_at < self._vocabulary_ttl:
            return words
        try:
            words = await self._vocabulary_source()
        except Exception:
            # A hint, not a need: the note is still transcribed, without it.
            log.warning("catalog vocabulary unavailable", exc_info=True)
        self._vocabulary = (time.monotonic(), words)
        return words


_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+", re.MULTILINE)
_MARKUP = re.compile(r"[*_`#>|]+")
_URL = re.compile(r"https?://\S+")


def speakable(text: str) -> str:
    """An answer as it should be read aloud: no emoji, markup, links or bullets; list lines
    become sentences; cut at a sentence end near MAX_SPOKEN_CHARS."""
    text = _URL.sub("", _BULLET.sub("", text))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Sk", "Cs"))
    text = _MARKUP.sub(" ", text).replace("—", ",")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    spoken = " ".join(line if line[-1] in ".!?:;," else f"{line}." for line in lines)
    spoken = re.sub(r"\s+([,.:;!?])", r"\1", re.sub(r"\s+", " ", spoken)).strip()
    if len(spoken) > MAX_SPOKEN_CHARS:
        cut = max(spoken.rfind(mark, 0, MAX_SPOKEN_CHARS) for mark in ".!?")
        spoken = spoken[: cut + 1] if cut > 0 else spoken[:MAX_SPOKEN_CHARS]
    return spoken
