"""Voice through the service: POST /api/chatbot/voice, WhatsApp voice notes (Graph API mocked
with httpx.MockTransport) and `store-assistant voice`, on the real database and Redis with
speech made by espeak-ng and transcribed offline."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from agent.speech.audio import decode, to_ogg_opus
from api.cli import main
from api.runtime import Runtime
from api.settings import Settings
from tests.conftest import SCENARIOS, load_catalog, register, say, use_servers_of
from tests.conftest import running_app as running
from tests.speech import needs_espeak, needs_voice, spoken, tone

pytestmark = [pytest.mark.integration, needs_voice, needs_espeak]

PHONE = "+584141112233"
WA_ID = "584145550001"
SECRET = "app-secret"


@pytest.fixture
async def shop(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    async with running(settings.model_copy(update={"max_audio_seconds": 20.0})) as pair:
        client, runtime = pair
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        await register(client, PHONE, "Ana Pérez", "Av. Libertador 10, Caracas")
        yield pair


async def _voice(
    client: httpx.AsyncClient,
    audio: bytes,
    *,
    phone: str = PHONE,
    reply_format: str = "wav",
    filename: str = "note.wav",
) -> httpx.Response:
    return await client.post(
        "/api/chatbot/voice",
        data={"customer_phone": phone, "reply_format": reply_format},
        files={"audio": (filename, audio, "application/octet-stream")},
    )


async def test_a_spoken_order_fills_the_cart_and_is_answered_in_speech(
    shop: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, runtime = shop
    response = await _voice(client, spoken("I want two kilos of apples"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "apples" in body["transcript"].lower()
    assert [(line["name"], line["quantity"]) for line in body["cart"]] == [("Red apples", 2.0)]
    assert body["stage"] == "ordering"
    assert "apples" in body["reply"].lower()
    assert body["reply_audio_type"] == "audio/wav"
    speech = base64.b64decode(body["reply_audio"])
    assert speech[:4] == b"RIFF"
    assert 1.0 < decode(speech, max_seconds=120).seconds < 60.0
    # The transcript is the customer's message in the conversation, marked as spoken.
    state = await runtime.turns.state_of(body["conversation_id"])
    human = [m for m in state["messages"] if m.type == "human"]
    assert human[-1].text == body["transcript"]
    assert human[-1].additional_kwargs == {"spoken": True}
    # And the same conversation goes on in writing.
    assert (await say(client, PHONE, "show me my cart"))["cart"][0]["quantity"] == 2.0


async def test_a_voice_note_in_whatsapps_format_is_heard_and_answered_as_a_voice_note(
    shop: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, _ = shop
    ogg = to_ogg_opus(decode(spoken("Do you have rice?"), max_seconds=30))
    response = await _voice(client, ogg, reply_format="ogg", filename="note.ogg")
    assert response.status_code == 200, response.text
    body = response.json()
    assert "rice" in body["transcript"].lower()
    assert "rice" in body["reply"].lower() or "arroz" in body["reply"].lower()
    assert body["reply_audio_type"] == "audio/ogg"
    assert base64.b64decode(body["reply_audio"])[:4] == b"OggS"


@pytest.mark.parametrize(
    ("audio", "status", "message"),
    [
        (b"", 422, "empty"),
        (b"just some text, not a recording", 422, "not audio"),
        (tone(25.0), 413, "longer than 20 seconds"),
    ],
    ids=["empty", "not-audio", "too-long"],
)
async def test_bad_audio_gets_a_clear_error_and_changes_nothing(
    shop: tuple[httpx.AsyncClient, Runtime], audio: bytes, status: int, message: str
) -> None:
    client, runtime = shop
    response = await _voice(client, audio)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    async with runtime.pool.connection() as conn:
        row = await (await conn.execute("SELECT count(*) AS n FROM conversations")).fetchone()
    assert row is not None
    assert row["n"] == 0


async def test_malformed_voice_requests_name_what_is_wrong(
    shop: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, runtime = shop
    no_file = await client.post("/api/chatbot/voice", data={"customer_phone": PHONE})
    assert no_file.status_code == 422
    assert no_file.json()["detail"][0]["loc"] == ["body", "audio"]
    bad_phone = await _voice(client, tone(1.0), phone="call me maybe")
    assert bad_phone.status_code == 422
    assert bad_phone.json()["detail"][0]["loc"] == ["body", "customer_phone"]
    as_json = await client.post("/api/chatbot/voice", json={"customer_phone": PHONE})
    assert as_json.status_code == 422
    broken = await client.post(
        "/api/chatbot/voice",
        content=b'--xyz\r\nContent-Disposition: form-data; name="audio"\r\n\r\nabc',
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert broken.status_code in (400, 422)
    limit = runtime.settings.max_audio_bytes
    huge = await _voice(client, b"\0" * (limit + 1))
    assert huge.status_code == 413


async def test_a_spanish_speaker_is_asked_politely_to_write_in_spanish(
    shop: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, _ = shop
    await say(client, PHONE, "Hola, buenas tardes")
    response = await _voice(client, spoken("Quiero dos kilos de manzanas", "es"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["transcript"] is None
    assert "escrib" in body["reply"]
    assert body["cart"] == []


async def test_while_a_person_handles_the_conversation_the_bot_stays_silent(
    shop: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, runtime = shop
    await say(client, PHONE, "I want to talk to a human")
    body = (await _voice(client, spoken("Do you have rice?"))).json()
    assert (body["reply"], body["paused"], body["reply_audio"]) == ("", True, None)
    state = await runtime.turns.state_of(body["conversation_id"])
    assert "rice" in state["messages"][-1].text.lower()  # the person sees what was said


class GraphAPI:
    """The Graph API: media metadata and download, media upload, message sends."""

    def __init__(self, audio: bytes) -> None:
        self.audio = audio
        self.sent: list[dict[str, Any]] = []
        self.uploads: list[bytes] = []
        self.downloads = 0
        self.media_status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer wa-token"
        path = request.url.path
        if path == "/v21.0/MEDIA1" and request.method == "GET":
            if self.media_status != 200:
                return httpx.Response(self.media_status, json={"error": {"message": "gone"}})
            return httpx.Response(
                200,
                json={
                    "url": "https://graph.test/files/MEDIA1",
                    "mime_type": "audio/ogg; codecs=opus",
                    "file_size": len(self.audio),
                    "id": "MEDIA1",
                    "messaging_product": "whatsapp",
                },
            )
        if path == "/files/MEDIA1":
            self.downloads += 1
            return httpx.Response(200, content=self.audio)
        if path == "/v21.0/PHONE-ID/media":
            assert b'name="messaging_product"' in request.content
            self.uploads.append(request.content)
            return httpx.Response(200, json={"id": f"UP{len(self.uploads)}"})
        assert path == "/v21.0/PHONE-ID/messages"
        body = json.loads(request.content)
        if body.get("status") != "read":
            self.sent.append(body)
        return httpx.Response(200, json={"messages": [{"id": f"wamid.OUT{len(self.sent)}"}]})


def _audio_delivery(media_id: str = "MEDIA1") -> bytes:
    message = {
        "from": WA_ID,
        "id": "wamid.VOICE1",
        "timestamp": "1700000000",
        "type": "audio",
        "audio": {"id": media_id, "mime_type": "audio/ogg; codecs=opus", "voice": True},
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "PHONE-ID"},
                            "contacts": [{"profile": {"name": "Ana"}, "wa_id": WA_ID}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload).encode()


async def _whatsapp(settings: Settings, graph: GraphAPI, *, replies: bool) -> Any:
    configured = settings.model_copy(
        update={
            "whatsapp_app_secret": SecretStr(SECRET),
            "whatsapp_access_token": SecretStr("wa-token"),
            "whatsapp_phone_number_id": "PHONE-ID",
            "whatsapp_api_base_url": "https://graph.test/v21.0",
            "burst_window_ms": 100,
            "voice_replies": replies,
        }
    )
    return running(configured)


async def _deliver(client: httpx.AsyncClient, runtime: Runtime, body: bytes) -> None:
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = await client.post(
        "/api/whatsapp/webhook",
        content=body,
        headers={"content-type": "application/json", "x-hub-signature-256": signature},
    )
    assert response.status_code == 200, response.text
    await runtime.inbox.drain()


async def test_a_whatsapp_voice_note_is_downloaded_transcribed_and_answered_in_voice(
    settings: Settings,
) -> None:
    graph = GraphAPI(to_ogg_opus(decode(spoken("I want two kilos of apples"), max_seconds=30)))
    async with await _whatsapp(settings, graph, replies=True) as (client, runtime):
        runtime.whatsapp._client = httpx.AsyncClient(transport=httpx.MockTransport(graph))
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        await register(client, f"+{WA_ID}", "Ana Pérez", "Av. Libertador 10, Caracas")
        await _deliver(client, runtime, _audio_delivery())
        await _deliver(client, runtime, _audio_delivery())  # a redelivery: answered once
        async with runtime.pool.connection() as conn:
            row = await (
                await conn.execute(
                    "SELECT transcript FROM processed_messages WHERE message_id = 'wamid.VOICE1'"
                )
            ).fetchone()
        transcript = row["transcript"] if row else None
        state = await runtime.turns.state_of((await runtime.conversations.listing(limit=1))[0].id)
    assert graph.downloads == 1
    assert transcript is not None
    assert "apples" in transcript.lower()
    assert [(line["name"], float(line["quantity"])) for line in state["cart"]] == [
        ("Red apples", 2.0)
    ]
    kinds = [body["type"] for body in graph.sent]
    assert kinds[-1] == "audio"
    assert graph.sent[-1]["audio"] == {"id": "UP1", "voice": True}
    assert "text" in kinds or "interactive" in kinds  # the answer is also written
    assert b"OggS" in graph.uploads[0]
    assert b"audio/ogg" in graph.uploads[0]


async def test_a_whatsapp_voice_note_that_cannot_be_fetched_gets_a_polite_answer(
    settings: Settings,
) -> None:
    graph = GraphAPI(b"")
    graph.media_status = 404
    async with await _whatsapp(settings, graph, replies=False) as (client, runtime):
        runtime.whatsapp._client = httpx.AsyncClient(transport=httpx.MockTransport(graph))
        await _deliver(client, runtime, _audio_delivery())
    assert [body["type"] for body in graph.sent] == ["text"]
    assert "couldn't play that voice note" in graph.sent[0]["text"]["body"]


async def test_voice_replies_are_off_unless_asked_for(settings: Settings) -> None:
    graph = GraphAPI(to_ogg_opus(decode(spoken("Do you have rice?"), max_seconds=30)))
    async with await _whatsapp(settings, graph, replies=False) as (client, runtime):
        runtime.whatsapp._client = httpx.AsyncClient(transport=httpx.MockTransport(graph))
        await load_catalog(runtime, SCENARIOS / "catalog.json")
        await register(client, f"+{WA_ID}", "Ana Pérez")
        await _deliver(client, runtime, _audio_delivery())
    assert graph.uploads == []
    assert graph.sent
    assert all(body["type"] != "audio" for body in graph.sent)


def test_the_voice_command_talks_from_audio_files(
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_servers_of(settings, monkeypatch)
    first, second = tmp_path / "1.wav", tmp_path / "2.wav"
    first.write_bytes(spoken("Hello"))
    second.write_bytes(b"not audio at all")
    replies = tmp_path / "replies"
    files = ["--input", str(first), "--input", str(second)]
    code = main(["voice", "--phone", PHONE, *files, "--save", str(replies), "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    assert "you> Hello" in out
    assert "you> (not understood)" in out
    assert "couldn't play that voice note" in out
    saved = sorted(replies.iterdir())
    assert [path.name for path in saved] == ["reply-1.wav", "reply-2.wav"]
    assert decode(saved[0].read_bytes(), max_seconds=120).seconds > 0.5
    assert io.BytesIO(saved[1].read_bytes()).read(4) == b"RIFF"


class DownTranscriber:
    """A hosted transcriber during an outage."""

    name = "openai"
    calls = 0

    def understands(self, language: str) -> bool:
        return True

    async def transcribe(self, audio: Any, language: str, vocabulary: Any) -> Any:
        DownTranscriber.calls += 1
        raise httpx.ConnectError("provider down")


async def test_a_speech_provider_outage_is_a_503_to_retry_not_a_crash(
    shop: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, runtime = shop
    runtime.voice.transcriber = DownTranscriber()
    response = await _voice(client, spoken("Do you have rice?"))
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert DownTranscriber.calls == 1
    async with runtime.pool.connection() as conn:
        row = await (await conn.execute("SELECT count(*) AS n FROM conversations")).fetchone()
    assert row is not None
    assert row["n"] == 0  # nothing half-done: the customer can simply send it again
