"""The chat model named in settings, and calling it with retries.

`offline` (the default) is the rule-based model; anything else goes through LangChain's
`init_chat_model`: `openai:gpt-4o-mini`, `google_genai:gemini-2.5-flash`, or a model on an
OpenAI-compatible server (Ollama, vLLM) with a base URL. Keys come from the provider's own
environment variables (OPENAI_API_KEY, GOOGLE_API_KEY).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from agent.offline.model import OfflineChatModel
from agent.telemetry import CURRENT_TURN

log = logging.getLogger(__name__)


def build_chat_model(
    name: str, *, base_url: str | None = None, timeout: float = 30.0
) -> BaseChatModel:
    if name == "offline":
        return OfflineChatModel()
    if base_url and ":" not in name:
        name = f"openai:{name}"
    if base_url:
        return init_chat_model(name, timeout=timeout, max_retries=0, base_url=base_url)
    return init_chat_model(name, timeout=timeout, max_retries=0)


def is_transient(error: BaseException) -> bool:
    """Timeouts, rate limits, server errors and dropped connections are worth retrying."""
    status = getattr(error, "status_code", None) or getattr(error, "code", None)
    if isinstance(status, int) and (status == 429 or status >= 500):
        return True
    kind = type(error).__name__.lower()
    return isinstance(error, TimeoutError | ConnectionError) or any(
        word in kind for word in ("timeout", "ratelimit", "connection", "unavailable", "server")
    )


async def call_model(
    model: Runnable[LanguageModelInput, AIMessage],
    messages: Sequence[BaseMessage],
    *,
    attempts: int,
    max_wait: float = 8.0,
) -> AIMessage:
    """Invoke, retrying transient failures with exponential backoff and jitter."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(is_transient),
        wait=wait_exponential_jitter(initial=0.5, max=max_wait),
        stop=stop_after_attempt(attempts),
        reraise=True,
    ):
        with attempt:
            started = time.perf_counter()
            turn = CURRENT_TURN.get()
            try:
                response = await model.ainvoke(list(messages))
            except Exception:
                if turn is not None:
                    turn.model_call(time.perf_counter() - started, ok=False)
                raise
            if turn is not None:
                turn.model_call(time.perf_counter() - started, ok=True)
            return response
    raise AssertionError("unreachable: tenacity re-raises the last error")
