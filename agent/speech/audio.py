"""Audio in any container (WhatsApp's OGG/Opus, WAV, MP3, M4A…) to 16 kHz mono samples and
back to WAV or OGG/Opus.

PyAV (FFmpeg, shipped in its wheel with libopus) does the decoding and encoding, so nothing
needs an `ffmpeg` binary. It is part of the `voice` extra and imported on first use: the
rest of the service runs without it.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import av

SAMPLE_RATE = 16_000
"""What speech recognisers want: 16 kHz, mono."""
OPUS_RATE = 48_000
MIN_SECONDS = 0.1

Samples = npt.NDArray[np.float32]
BadAudioReason = Literal["empty", "not_audio", "too_long", "silent"]


class VoiceUnavailable(RuntimeError):
    """The voice extra (or a speech program) is not installed."""


class SpeechServiceFailed(RuntimeError):
    """A hosted speech provider failed (after its client's own retries): try again later."""


class BadAudio(ValueError):
    """Audio a customer sent that cannot be listened to, and why."""

    def __init__(self, reason: BadAudioReason, detail: str) -> None:
        super().__init__(detail)
        self.reason: BadAudioReason = reason


@dataclass(frozen=True, slots=True)
class Audio:
    """Mono samples in [-1, 1] at `rate` Hz."""

    samples: Samples
    rate: int = SAMPLE_RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def _av() -> Any:
    try:
        import av
    except ImportError as error:
        raise VoiceUnavailable(
            "voice needs the voice extra: pip install 'store-assistant[voice]'"
        ) from error
    return av


def decode(data: bytes, *, max_seconds: float, rate: int = SAMPLE_RATE) -> Audio:
    """Any audio file's first audio stream as mono samples at `rate`.

    Refuses (BadAudio) empty input, input with no decodable audio, audio longer than
    `max_seconds` (checked from the header first, then while decoding, so a lying header
    cannot make it decode an hour) and audio that is silence."""
    if not data:
        raise BadAudio("empty", "the audio file is empty")
    av = _av()
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None:
                raise BadAudio("not_audio", "the file has no audio in it")
            if container.duration is not None and container.duration / 1e6 > max_seconds + 0.5:
                raise _too_long(container.duration / 1e6, max_seconds)
            samples = _resampled(av, container, stream, rate, max_seconds)
    except (av.error.FFmpegError, ValueError, EOFError, IndexError) as error:
        if isinstance(error, BadAudio):
            raise
        raise BadAudio("not_audio", "the file is not audio this service can read") from error
    if len(samples) < MIN_SECONDS * rate:
        raise BadAudio("empty", "the audio is too short to hold any speech")
    if float(np.max(np.abs(samples))) < 1e-3:
        raise BadAudio("silent", "the audio is silent")
    return Audio(samples, rate)


def _resampled(
    av: Any, container: av.container.InputContainer, stream: Any, rate: int, max_seconds: float
) -> Samples:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
    chunks: list[npt.NDArray[np.int16]] = []
    total, limit = 0, int((max_seconds + 0.5) * rate)
    for frame in container.decode(stream):
        for out in resampler.resample(frame):
            chunk = out.to_ndarray().reshape(-1)
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise _too_long(total / rate, max_seconds)
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray().reshape(-1))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return (np.concatenate(chunks).astype(np.float32) / 32768.0).astype(np.float32)


def _too_long(seconds: float, max_seconds: float) -> BadAudio:
    return BadAudio(
        "too_long", f"the audio lasts {seconds:.0f} s; the limit is {max_seconds:.0f} s"
    )


def _pcm16(samples: Samples) -> npt.NDArray[np.int16]:
    return (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)


def to_wav(audio: Audio) -> bytes:
    """16-bit PCM WAV (the standard library writes it: no extra needed)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.rate)
        out.writeframes(_pcm16(audio.samples).tobytes())
    return buffer.getvalue()


def to_ogg_opus(audio: Audio, *, bit_rate: int = 32_000) -> bytes:
    """OGG/Opus, mono 48 kHz: what WhatsApp plays as a voice note."""
    av = _av()
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=OPUS_RATE, layout="mono")
        stream.bit_rate = bit_rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=OPUS_RATE)
        frame = av.AudioFrame.from_ndarray(
            _pcm16(audio.samples).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = audio.rate
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(resampled):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


AudioFormat = Literal["wav", "ogg"]
MIME_TYPES: dict[AudioFormat, str] = {"wav": "audio/wav", "ogg": "audio/ogg"}


def encode(audio: Audio, audio_format: AudioFormat) -> bytes:
    return to_ogg_opus(audio) if audio_format == "ogg" else to_wav(audio)
