"""Request dependencies: the running assistant and operator authentication."""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agent.phones import normalize_phone
from api.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="ADMIN_API_TOKEN")


async def get_runtime(request: Request) -> Runtime:
    """Async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread
    hop on every request for what is an attribute read."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def limit_by_address(request: Request, runtime: RuntimeDep) -> None:
    """RATE_LIMIT_PER_ADDRESS requests a minute per client address (429 beyond)."""
    host = request.client.host if request.client else "unknown"
    decision = await runtime.limiter.hit(f"address:{host}", runtime.settings.rate_limit_per_address)
    if not decision.allowed:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many requests from this address; retry later",
            headers={"Retry-After": str(decision.retry_after)},
        )


AddressLimitDep = Depends(limit_by_address)


async def limit_by_customer(phone: str, runtime: Runtime) -> None:
    """RATE_LIMIT_PER_CUSTOMER messages a minute per customer (429 beyond)."""
    decision = await runtime.limiter.hit(
        f"customer:{phone}", runtime.settings.rate_limit_per_customer
    )
    if not decision.allowed:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many messages from this customer; retry later",
            headers={"Retry-After": str(decision.retry_after)},
        )


async def require_operator(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Operator endpoints need `Authorization: Bearer <ADMIN_API_TOKEN>`."""
    expected = runtime.settings.admin_api_token.get_secret_value().encode()
    given = credentials.credentials.encode() if credentials else b""
    if not expected or not secrets.compare_digest(given, expected):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or invalid operator token",
            headers={"WWW-Authenticate": "Bearer"},
        )


OperatorDep = Depends(require_operator)


def _key_matches(given: str | None, expected: str) -> bool:
    return bool(expected) and secrets.compare_digest((given or "").encode(), expected.encode())


async def require_receiver(
    runtime: RuntimeDep,
    x_api_key: Annotated[str | None, Header(description="RECEIVER_API_KEY")] = None,
) -> None:
    """The inventory fetcher authenticates with `X-API-Key: <RECEIVER_API_KEY>`."""
    if not _key_matches(x_api_key, runtime.settings.receiver_api_key.get_secret_value()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or invalid X-API-Key")


async def require_receiver_or_operator(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    x_api_key: Annotated[str | None, Header(description="RECEIVER_API_KEY")] = None,
) -> None:
    settings = runtime.settings
    token = credentials.credentials if credentials else None
    if _key_matches(x_api_key, settings.receiver_api_key.get_secret_value()) or _key_matches(
        token, settings.admin_api_token.get_secret_value()
    ):
        return
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "missing or invalid X-API-Key or operator token",
        headers={"WWW-Authenticate": "Bearer"},
    )


def phone_or_422(raw: str, runtime: Runtime, *, where: tuple[str, str]) -> str:
    """The E.164 form of a phone from a request, or a 422 naming where it came from."""
    phone = normalize_phone(raw, runtime.settings.default_phone_region)
    if phone is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": list(where), "msg": "not a valid phone number", "type": "value_error"}],
        )
    return phone


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed `limit` (from
    Content-Length, or while it streams in)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE, f"body larger than {limit} bytes"
            )
    return bytes(body)


def parse_json(body: bytes) -> Any:
    """A request body as JSON, or 400 with the parser's reason (also for nesting too deep
    to parse, which Python reports as a RecursionError)."""
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"malformed JSON: {error}") from None
    except RecursionError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "malformed JSON: nested too deeply"
        ) from None
