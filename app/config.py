"""Settings from the environment (prefix CHIPWATCH_) and an optional .env file."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_URL = "http://127.0.0.1:8000"  # what `chipwatch serve` listens on by default
SERVED_AT_ENV = "_CHIPWATCH_SERVED_AT"  # set by `chipwatch serve` for the processes it starts


def check_base_url(value: str) -> str:
    """http(s)://host[:port][/path], without query or fragment; kept without a trailing slash."""
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        raise ValueError(f"CHIPWATCH_BASE_URL {value!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            f"CHIPWATCH_BASE_URL {value!r} must look like https://chips.example.org "
            "(http or https, a host, an optional path; no query)"
        )
    return value.strip().rstrip("/")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHIPWATCH_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".chipwatch")
    database_url: str | None = None
    meili_url: str | None = None
    meili_key: SecretStr | None = None
    meili_index: str = "articles"
    admin_token: SecretStr | None = None
    allow_private_urls: bool = False
    # Unset: reading is open. Set: every page, API and export needs it (or the admin token).
    read_token: SecretStr | None = None
    # Per client IP on /api/* (and the login forms): a token bucket; 0 turns the limit off.
    api_rate_limit: float = Field(20.0, ge=0)
    api_rate_burst: int = Field(60, ge=1)
    # Largest request body accepted by /api/* (HTML forms elsewhere: 64 KiB).
    max_body_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    # The address readers use (https://chips.example.org): absolute links (the Atom feed) are made
    # from it, never from the request's Host header. Unset: http://HOST:PORT of `chipwatch serve`.
    base_url: str | None = None
    # Host names the app answers to (comma-separated, "*" for any); others get a 400. Unset: the
    # base URL's host plus loopback names when CHIPWATCH_BASE_URL is set, else any host.
    allowed_hosts: str | None = None
    # Proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For/-Proto are
    # believed; unset: none, the connection's address is the client's.
    forwarded_allow_ips: str | None = None
    # Unset: readable text on a terminal, JSON lines otherwise (app/web/logging.py).
    log_format: Literal["json", "text"] | None = None
    # Rendered search pages kept per process (Meilisearch engine only, readers without an
    # admin session), each valid until the index changes; 0 turns the cache off.
    page_cache_entries: int = Field(256, ge=0)
    # Alerts (app/alerts): the mail server for email alerts (links in deliveries use base_url),
    # e.g. smtp://user:password@mail.example.org:587 (STARTTLS), smtps://... (TLS), smtp://127.0.0.1:25.
    smtp_url: SecretStr | None = None
    smtp_from: str = "chipwatch@localhost"
    # Seconds a claimed alert batch stays with its sender before another round may send it
    # again (a worker killed mid-send); far above the 10 s send timeouts. Drills shorten it.
    alert_lease_seconds: float = Field(120.0, ge=1)
    # CPU seconds one item may take to be read and tagged before it is rejected; 0: no limit.
    item_cpu_seconds: float = Field(10.0, ge=0)

    @field_validator(
        "database_url",
        "meili_url",
        "read_token",
        "log_format",
        "base_url",
        "allowed_hosts",
        "forwarded_allow_ips",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        return check_base_url(value) if value else None

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Accept the plain postgresql:// form that operators copy from their provider.
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{(self.data_dir / 'chipwatch.db').resolve()}"

    def public_base(self) -> str:
        """The base of every absolute link (feeds, alert deliveries): the configured base URL,
        else the address `chipwatch serve` listens on, else the default. Never a Host header."""
        return (self.base_url or os.environ.get(SERVED_AT_ENV) or DEFAULT_BASE_URL).rstrip("/")

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()
