"""Speech made in the test: espeak-ng says a sentence; marks skip (saying why) when the voice
extra or espeak-ng is not installed. `.ci/run` installs both, so in CI they run."""

from __future__ import annotations

import shutil
import subprocess
import wave
from io import BytesIO

import numpy as np
import pytest

from api.speech import voice_extra_installed

needs_voice = pytest.mark.skipif(
    not voice_extra_installed(),
    reason="the voice extra is not installed (pip install 'store-assistant[voice]')",
)
needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng)",
)


def spoken(text: str, voice: str = "en-us") -> bytes:
    """`text` as a WAV voice note, said slowly with a short gap between words, as people
    speak into a phone to a shop."""
    result = subprocess.run(
        ["espeak-ng", "--stdout", "-v", voice, "-s", "150", "-g", "6"],  # noqa: S607
        input=text.encode(),
        capture_output=True,
        check=True,
    )
    return result.stdout


def wav_of(samples: np.ndarray, rate: int = 16_000) -> bytes:  # type: ignore[type-arg]
    buffer = BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return buffer.getvalue()


def tone(seconds: float, rate: int = 16_000) -> bytes:
    """A 440 Hz tone: audio, but no speech."""
    t = np.arange(int(seconds * rate)) / rate
    return wav_of(0.3 * np.sin(2 * np.pi * 440 * t), rate)
