"""Process settings, read once at the composition root (app, CLI, Studio entry point).

Nothing below `api/` reads the environment: values are passed down explicitly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ADMIN_TOKEN = "dev-admin-token"  # noqa: S105 - development default, refused in production
DEFAULT_RECEIVER_KEY = "dev-receiver-key"  # development default, refused in production


class Settings(BaseSettings):
    """Every environment variable the service understands; see `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    data_dir: Path = Path(".data")

    database_url: str | None = None
    redis_url: str | None = None
    db_pool_max_size: int = Field(default=10, ge=1, le=200)

    model: str = "offline"
    openai_base_url: str | None = None
    model_timeout_seconds: float = Field(default=30.0, gt=0)
    model_max_retries: int = Field(default=3, ge=0, le=10)

    store_name: str = "Store Assistant"
    store_currency: str = Field(default="USD", min_length=3, max_length=3)
    default_phone_region: str = Field(default="VE", min_length=2, max_length=2)

    embeddings: str = "offline"
    embedding_dimensions: int | None = Field(default=None, ge=1, le=16_000)

    order_webhook_url: str | None = None
    order_webhook_secret: SecretStr | None = None
    order_export_max_attempts: int = Field(default=8, ge=1, le=100)

    whatsapp_verify_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_access_token: SecretStr | None = None
    whatsapp_phone_number_id: str = ""
    whatsapp_api_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_send_rate: int = Field(default=80, ge=1, le=1000)
    burst_window_ms: int = Field(default=1500, ge=0, le=60_000)

    support_board_url: str = ""
    support_board_token: SecretStr | None = None
    support_board_webhook_secret: SecretStr | None = None
    support_board_bot_user_id: str = ""
    support_board_agent_ids: str = ""
    human_takeover_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)

    transcriber: Literal["offline", "openai", "google_genai", "none"] = "offline"
    transcribe_model: str | None = None
    synthesizer: Literal["auto", "espeak", "piper", "openai", "none"] = "auto"
    tts_model: str = "gpt-4o-mini-tts"
    tts_voice: str = "alloy"
    voice_replies: bool = False
    max_audio_seconds: float = Field(default=120.0, gt=0, le=3600)
    max_audio_bytes: int = Field(default=16_000_000, ge=1_000, le=200_000_000)

    admin_api_token: SecretStr = SecretStr(DEFAULT_ADMIN_TOKEN)
    receiver_api_key: SecretStr = SecretStr(DEFAULT_RECEIVER_KEY)
    max_ingest_bytes: int = Field(default=100_000_000, ge=1_000)
    max_request_bytes: int = Field(default=1_000_000, ge=1_000)
    ingest_poll_seconds: float = Field(default=2.0, gt=0, le=300)
    handoff_pause_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    max_message_chars: int = Field(default=4000, ge=1, le=100_000)
    turn_lock_seconds: int = Field(default=30, ge=2, le=3600)

    max_conversation_age: int = Field(default=3600, ge=60, le=30 * 24 * 3600)
    keep_cart_on_timeout: bool = True
    checkpoint_retention_days: float = Field(default=7.0, gt=0, le=3650)
    cleanup_interval: float = Field(default=300.0, gt=0, le=24 * 3600)
    shutdown_grace_seconds: float = Field(default=20.0, ge=0, le=600)
    rate_limit_per_customer: int = Field(default=20, ge=1, le=100_000)
    rate_limit_per_address: int = Field(default=1200, ge=1, le=1_000_000)

    @field_validator(
        "database_url",
        "redis_url",
        "openai_base_url",
        "embedding_dimensions",
        "order_webhook_url",
        "order_webhook_secret",
        "whatsapp_verify_token",
        "whatsapp_app_secret",
        "whatsapp_access_token",
        "support_board_token",
        "support_board_webhook_secret",
        "transcribe_model",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.env != "production":
            return self
        if self.admin_api_token.get_secret_value() in ("", DEFAULT_ADMIN_TOKEN):
            raise ValueError("ADMIN_API_TOKEN must be set to a real secret when ENV=production")
        if self.receiver_api_key.get_secret_value() in ("", DEFAULT_RECEIVER_KEY):
            raise ValueError("RECEIVER_API_KEY must be set to a real secret when ENV=production")
        return self

    @property
    def agent_ids(self) -> frozenset[str]:
        """SUPPORT_BOARD_AGENT_IDS as a set ("12, 15" → {"12", "15"})."""
        return frozenset(
            part.strip() for part in self.support_board_agent_ids.split(",") if part.strip()
        )

    @property
    def whatsapp_configured(self) -> bool:
        """The Cloud API can be used to send (Support Board `wa` conversations use it)."""
        return bool(self.whatsapp_phone_number_id and self.whatsapp_access_token)

    @property
    def uses_offline_model(self) -> bool:
        """True when no hosted chat model is configured."""
        return self.model == "offline"
