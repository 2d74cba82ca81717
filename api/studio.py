"""The graph LangGraph Studio loads (`langgraph.json`).

Studio compiles nothing itself and passes no Python objects, so this module registers
default services: repositories on the configured database (the embedded PostgreSQL,
started here at import, when DATABASE_URL is unset). The pool opens on the first run,
inside Studio's event loop, where blocking calls are not allowed.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from agent.context import Services, set_default_services
from api.runtime import build_services, open_catalog
from api.settings import Settings
from graphs.conversation import graph
from storage.db import migrate, open_pool
from storage.embedded import EmbeddedPostgres

_settings = Settings()
_database_url = _settings.database_url or EmbeddedPostgres.start(_settings.data_dir).uri
_services: Services | None = None
_lock = asyncio.Lock()
_resources = AsyncExitStack()  # kept open for the life of the Studio server


async def _studio_services() -> Services:
    global _services
    async with _lock:
        if _services is None:
            pool = await open_pool(_database_url, max_size=_settings.db_pool_max_size)
            await migrate(pool)
            catalog, _, _ = await open_catalog(_settings, pool, _database_url, _resources)
            _services = build_services(_settings, pool, catalog)
    return _services


set_default_services(_studio_services)

__all__ = ["graph"]
