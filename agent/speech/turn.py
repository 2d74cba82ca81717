"""A voice note in, a turn on its transcript, the answer out as text and, if asked, speech."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from agent.speech.audio import AudioFormat
from agent.speech.voice import Voice
from agent.turns import TurnResult, TurnRunner, conversation_id_for

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VoiceAnswer:
    transcript: str | None
    """None when the note could not be heard (`result.reply` then says why)."""
    result: TurnResult
    reply_audio: bytes | None = None
    refused: str | None = None
    """Why the note was not heard (a `say` key: voice_not_audio, voice_language…)."""


async def answer_voice_note(
    voice: Voice,
    turns: TurnRunner,
    *,
    channel: str,
    identity: str,
    customer_phone: str | None,
    audio: bytes,
    reply_format: AudioFormat | None = None,
) -> VoiceAnswer:
    """Hear the note in the conversation's language, run the turn on what was said, and
    speak the answer in `reply_format` (None: text only). A failed synthesis still
    answers in text."""
    conversation_id = conversation_id_for(channel, identity)
    state = await turns.state_of(conversation_id)
    heard = await voice.hear(audio, state.get("language", "en"))
    if heard.refusal is not None:
        result = await turns.say_only(conversation_id, heard.refusal, **heard.values)
        transcript = None
    else:
        result = await turns.run(
            channel=channel,
            identity=identity,
            text=heard.transcript,
            customer_phone=customer_phone,
            spoken=True,
        )
        transcript = heard.transcript
    audio_reply = await speak_or_none(voice, result, reply_format)
    return VoiceAnswer(transcript, result, audio_reply, heard.refusal)


async def speak_or_none(
    voice: Voice, result: TurnResult, reply_format: AudioFormat | None
) -> bytes | None:
    if reply_format is None or not result.reply or not voice.can_speak:
        return None
    try:
        return await voice.speak(result.reply, result.language, reply_format)
    except Exception:
        log.exception("speech synthesis failed", extra={"conversation_id": result.conversation_id})
        return None
