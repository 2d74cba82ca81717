"""Settings: documented everywhere, and refusing default secrets in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import Settings

ROOT = Path(__file__).parents[2]


def test_every_setting_is_in_env_example_and_in_the_readme() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        variable = name.upper()
        assert f"\n{variable}=" in example, f"{variable} missing from .env.example"
        assert f"`{variable}`" in readme, f"{variable} missing from the README table"


def test_production_refuses_default_or_empty_secrets() -> None:
    with pytest.raises(ValidationError, match="ADMIN_API_TOKEN"):
        Settings(_env_file=None, env="production")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="RECEIVER_API_KEY"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            env="production",
            admin_api_token="a-real-secret",  # type: ignore[arg-type]
        )
    ok = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="production",
        admin_api_token="a-real-secret",  # type: ignore[arg-type]
        receiver_api_key="another-secret",  # type: ignore[arg-type]
    )
    assert ok.env == "production"


def test_empty_urls_mean_embedded_servers() -> None:
    settings = Settings(_env_file=None, database_url="", redis_url="")  # type: ignore[call-arg]
    assert settings.database_url is None
    assert settings.redis_url is None
