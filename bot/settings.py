"""Runtime settings, read once from BOUSSOLE_* environment variables."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pydantic import BaseSettings, Field, validator

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    # Where config.yml, domain.yml, data/ and models/ live.
    home: Path = PROJECT_ROOT
    knowledge_dir: Optional[Path] = None
    models_dir: Optional[Path] = None
    # State that must survive restarts (tracker database, id-signing key).
    state_dir: Optional[Path] = None
    # Rasa's stores (checked before Rasa starts, bot/rasa/stores.py). Tracker store: an
    # SQLAlchemy URL, SQLite in the state dir by default; postgresql://user:password@host:5432/db
    # to share conversations between Rasa servers. Lock store: unset for Rasa's in-memory
    # one (one Rasa server), redis://[:password@]host:port/db for several.
    tracker_url: Optional[str] = None
    lock_store_url: Optional[str] = None
    # Redis the workers share for the channels' de-duplication and button table
    # (bot/channels/shared_state.py) and the rate limits; default: the lock store's Redis, if any.
    shared_state_url: Optional[str] = None
    # How long start-up waits for PostgreSQL or Redis before it gives up with an error.
    stores_wait_seconds: float = Field(10.0, ge=0)

    host: str = "127.0.0.1"
    port: int = 8000
    # Rasa runs on loopback behind a token; the public service proxies to it.
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    rasa_token: str = Field(default_factory=lambda: secrets.token_urlsafe(24))
    rasa_timeout_seconds: float = 30.0
    # Rasa servers of `boussole serve`, comma-separated (default: the one at rasa_host:rasa_port).
    rasa_urls: Optional[str] = None
    # Public URL Rasa calls back for custom actions.
    action_url: Optional[str] = None

    max_message_chars: int = 2000
    # POST /api/chat token buckets (bot/web/ratelimit.py; in Redis if shared_redis_url, else per worker):
    # per conversation, and per client address for new conversations.
    rate_limit_conversation_burst: int = Field(10, ge=1)
    rate_limit_conversation_per_second: float = Field(1.0, gt=0)
    rate_limit_new_burst: int = Field(200, ge=1)
    rate_limit_new_per_second: float = Field(5.0, gt=0)
    rate_limit_max_senders: int = Field(50_000, ge=1)  # per table: bounds the memory
    # The operator's data (GET /metrics) asks for `Authorization: Bearer <token>` when this is
    # set; unset, it is open on loopback only and refused when the service listens beyond.
    # BOUSSOLE_METRICS_TOKEN, its earlier name, is still read.
    metrics_token: Optional[str] = None
    operator_token: Optional[str] = None
    # Sites allowed to embed the widget from another origin, comma-separated ("*" for any).
    cors_origins: str = "http://localhost:8000,http://127.0.0.1:8000"

    # Messaging channels: a channel without its token is off.
    telegram_bot_token: Optional[str] = None
    telegram_secret_token: Optional[str] = None
    telegram_bot_username: Optional[str] = None
    telegram_api_base: str = "https://api.telegram.org"
    slack_bot_token: Optional[str] = None
    slack_signing_secret: Optional[str] = None
    slack_api_base: str = "https://slack.com/api"

    class Config:
        env_prefix = "BOUSSOLE_"

    @validator("shared_state_url")
    def _shared_state(cls, v):
        from redis.connection import parse_url

        if v:
            parse_url(v)  # its ValueError names the schemes redis-py accepts
        return v

    @validator("operator_token", always=True)
    def _operator_token(cls, v, values):
        return v or values.get("metrics_token")

    @validator("knowledge_dir", always=True)
    def _knowledge(cls, v, values):
        return v or values["home"] / "data" / "knowledge"

    @validator("models_dir", always=True)
    def _models(cls, v, values):
        return v or values["home"] / "models"

    @validator("state_dir", always=True)
    def _state(cls, v, values):
        return v or values["home"] / "var"

    @validator("tracker_url", always=True)
    def _tracker(cls, v, values):
        return v or f"sqlite:///{(values.get('state_dir') or Path('var')) / 'tracker.db'}"

    @validator("action_url", always=True)
    def _action_url(cls, v, values):
        return v or f"http://127.0.0.1:{values.get('port', 8000)}/webhook"

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def shared_redis_url(self) -> Optional[str]:
        """Redis the workers share their channel and rate-limit state in, if any."""
        return self.shared_state_url or self.lock_store_url

    @property
    def listens_beyond_loopback(self) -> bool:
        """The public service's interface is reachable from other machines (0.0.0.0, a LAN address…)."""
        import ipaddress

        if self.host == "localhost":
            return False
        try:
            return not ipaddress.ip_address(self.host).is_loopback
        except ValueError:  # a host name: it may resolve to anything
            return True

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def rasa_url_list(self) -> list[str]:
        urls = [u.strip().rstrip("/") for u in (self.rasa_urls or "").split(",") if u.strip()]
        return urls or [self.rasa_url]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
