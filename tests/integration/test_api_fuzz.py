"""The API against its own OpenAPI schema (schemathesis): whatever a client sends, no 5xx
and no response that breaks the schema."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.settings import Settings
from storage.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.conftest import OPERATOR
from tests.processes import app_process

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def api_schema(
    postgres: EmbeddedPostgres, template_database: str, redis_server: EmbeddedRedis, data_dir: Path
) -> Iterator[schemathesis.BaseSchema]:
    name = "fuzz_api"
    with psycopg.connect(postgres.uri, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template_database}")
    app_settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=postgres.uri.replace("/postgres?", f"/{name}?", 1),
        redis_url=redis_server.url,
        data_dir=data_dir,
    )
    limits = {"RATE_LIMIT_PER_CUSTOMER": "100000", "RATE_LIMIT_PER_ADDRESS": "1000000"}
    with app_process(app_settings, limits) as app:
        for _ in range(600):
            assert app.process.poll() is None, "the app exited during start-up"
            try:
                if httpx.get(f"{app.url}/api/health/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield schemathesis.openapi.from_url(f"{app.url}/openapi.json")


def test_no_server_error_and_no_schema_violation(api_schema: schemathesis.BaseSchema) -> None:
    """Every operation, fuzzed with the operator's token (so requests get past the auth
    check into validation and the handlers)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    failures: dict[str, str] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers=OPERATOR,
                checks=[not_a_server_error, response_schema_conformance],
                timeout=30,
            )

        try:
            check()
        except Exception as error:  # collected, so one run reports every operation
            failures[operation.label] = str(error)[:2000]
    assert failures == {}
