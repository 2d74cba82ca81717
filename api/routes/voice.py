"""POST /api/chatbot/voice: a voice note in, the transcript and the answer (text and
speech) out. The same turn as /api/chatbot/process, on what the customer said."""

from __future__ import annotations

import base64
import re
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request as StarletteRequest
from starlette.types import Message

from agent.speech.audio import MIME_TYPES, AudioFormat
from agent.speech.turn import answer_voice_note
from api.deps import AddressLimitDep, RuntimeDep, limit_by_customer, phone_or_422, read_body
from api.routes.chat import CHANNEL_NAME, CartItem, cart_items

router = APIRouter(tags=["chat"], dependencies=[AddressLimitDep])

FORM_OVERHEAD = 64 * 1024
"""Room for the multipart envelope and the other fields around the audio file."""


class VoiceResponse(BaseModel):
    transcript: str | None = Field(
        description="What the customer said; null when the note could not be understood "
        "(the reply then says why and asks them to write)."
    )
    reply: str = Field(description="The answer; empty while a person handles the conversation.")
    reply_audio: str | None = Field(
        description="The answer spoken, base64-encoded (null without a synthesizer)."
    )
    reply_audio_type: str | None = Field(description="audio/wav or audio/ogg (Opus).")
    conversation_id: str
    stage: Literal["greeting", "verification", "ordering", "handoff"]
    cart: list[CartItem]
    paused: bool


_REFUSED = {
    "voice_empty": (status.HTTP_422_UNPROCESSABLE_CONTENT, "the audio file is empty"),
    "voice_not_audio": (
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        "the file is not audio this service can read (OGG/Opus, WAV, MP3, M4A, WebM…)",
    ),
    "voice_too_long": (status.HTTP_413_CONTENT_TOO_LARGE, "the audio is too long"),
}

_MULTIPART_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["customer_phone", "audio"],
                    "properties": {
                        "customer_phone": {"type": "string", "maxLength": 40},
                        "audio": {"type": "string", "format": "binary"},
                        "channel": {"type": "string", "default": "rest", "pattern": CHANNEL_NAME},
                        "reply_format": {
                            "type": "string",
                            "enum": ["wav", "ogg", "none"],
                            "default": "wav",
                        },
                    },
                }
            }
        },
    }
}


def _field_error(field: str, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        [{"loc": ["body", field], "msg": message, "type": "value_error"}],
    )


async def _form(request: Request, limit: int) -> tuple[dict[str, str], bytes]:
    """The multipart fields and the audio file, read within `limit` bytes."""
    body = await read_body(request, limit)
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await StarletteRequest(request.scope, replay).form(max_files=1, max_fields=8)
    except MultiPartException as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"malformed form: {error}") from None
    try:
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        upload = form.get("audio")
        if not isinstance(upload, UploadFile):
            raise _field_error("audio", "an audio file is required (multipart field 'audio')")
        return fields, await upload.read()
    finally:
        await form.close()


@router.post(
    "/api/chatbot/voice",
    response_model=VoiceResponse,
    max_body_size=2**40,  # bounded by MAX_AUDIO_BYTES as the body streams in
    openapi_extra=_MULTIPART_SCHEMA,
    responses={
        413: {"description": "The audio is larger or longer than allowed."},
        422: {"description": "A field is missing or the file is not usable audio."},
        503: {"description": "Voice is not installed or configured here."},
    },
)
async def process_voice(request: Request, runtime: RuntimeDep) -> VoiceResponse:
    """Transcribe a voice note (`multipart/form-data`: `customer_phone`, `audio`), run the
    turn on the transcript and answer with the text and its speech
    (`reply_format`: wav, ogg or none)."""
    settings, voice = runtime.settings, runtime.voice
    fields, audio = await _form(request, settings.max_audio_bytes + FORM_OVERHEAD)
    if voice.transcriber is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "voice notes are not enabled here: install store-assistant[voice] or set TRANSCRIBER",
        )
    phone = phone_or_422(
        fields.get("customer_phone", ""), runtime, where=("body", "customer_phone")
    )
    channel = fields.get("channel", "rest")
    if not re.fullmatch(CHANNEL_NAME, channel):
        raise _field_error("channel", f"a channel name matches {CHANNEL_NAME}")
    reply_format = fields.get("reply_format", "wav")
    if reply_format not in ("wav", "ogg", "none"):
        raise _field_error("reply_format", "reply_format is wav, ogg or none")
    if len(audio) > settings.max_audio_bytes:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the audio is larger than {settings.max_audio_bytes} bytes",
        )
    await limit_by_customer(phone, runtime)
    wanted: AudioFormat | None = None if reply_format == "none" else reply_format  # type: ignore[assignment]
    answer = await answer_voice_note(
        voice,
        runtime.turns,
        channel=channel,
        identity=phone,
        customer_phone=phone,
        audio=audio,
        reply_format=wanted,
    )
    if answer.refused in _REFUSED:
        code, message = _REFUSED[answer.refused]
        if answer.refused == "voice_too_long":
            message = f"the audio is longer than {settings.max_audio_seconds:.0f} seconds"
        raise HTTPException(code, message)
    result = answer.result
    return VoiceResponse(
        transcript=answer.transcript,
        reply=result.reply,
        reply_audio=base64.b64encode(answer.reply_audio).decode() if answer.reply_audio else None,
        reply_audio_type=MIME_TYPES[wanted] if answer.reply_audio and wanted else None,
        conversation_id=result.conversation_id,
        stage=result.stage,
        cart=cart_items(result.cart),
        paused=result.paused,
    )
