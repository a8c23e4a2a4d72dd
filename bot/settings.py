"""Runtime settings, read once from BOUSSOLE_* environment variables."""

from __future__ import annotations

import hmac
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pydantic import BaseSettings, Field, validator

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# What BOUSSOLE_ACTION_SECRET may be: a token that fits an HTTP header and endpoints.yml as is.
ACTION_SECRET_FORM = re.compile(r"[A-Za-z0-9._~+/=-]{16,256}")


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
    # Secret Rasa sends with every action call (header X-Boussole-Action-Secret, endpoints.yml):
    # /webhook runs actions for no one else. Handled like rasa_token: given to Rasa in its
    # environment, never on a command line, never logged. Default: derived from rasa_token (so
    # random per `boussole run`, and shared by every process of the scaled layout, which already
    # must share BOUSSOLE_RASA_TOKEN); BOUSSOLE_ACTION_SECRET sets it.
    action_secret: Optional[str] = None
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
    # Every turn from one client address, all its conversations together: room for classrooms
    # behind one NAT (a hundred pupils starting at once, then 30 each sending a message every 3 s),
    # not for a flood that opens ever more conversations.
    rate_limit_address_burst: int = Field(300, ge=1)
    rate_limit_address_per_second: float = Field(10.0, gt=0)
    # The HTTP server (bot/web/http_limits.py, for `boussole run` and `serve`): the largest request
    # head (request line and headers) in bytes, answered 431 beyond; the time a client has to send
    # a whole request head before its connection is closed (slowloris); how long an idle kept-alive
    # connection stays open; and, if set, the most connections at once (503 beyond).
    http_max_header_bytes: int = Field(16_384, ge=1024)
    http_header_timeout_seconds: float = Field(10.0, gt=0)
    http_keep_alive_seconds: float = Field(5.0, gt=0)
    http_max_connections: Optional[int] = Field(None, ge=1)
    # The operator's data (GET /metrics, /api/report, /health's details) asks for
    # `Authorization: Bearer <token>` when this is set; unset, it is open only to requests straight
    # from this machine (loopback peer, no forwarding header: bot/web/operator.py) and refused
    # when the service listens beyond loopback.
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

    @validator("action_secret", always=True)
    def _action_secret(cls, v, values):
        if v is None:  # one-way: the secret, seen by a proxy or in a header dump, does not give the token
            return hmac.new(values.get("rasa_token", "").encode(), b"boussole action secret", "sha256").hexdigest()
        # It travels in an HTTP header through endpoints.yml's ${VAR} substitution: no spaces,
        # no control characters, no '$' or braces; and long enough not to be guessed.
        if not ACTION_SECRET_FORM.fullmatch(v):
            raise ValueError("must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -"
                             " (e.g. `openssl rand -hex 24`)")
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
