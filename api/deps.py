"""Request dependencies: the running assistant and operator authentication."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="ADMIN_API_TOKEN")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def require_operator(
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
