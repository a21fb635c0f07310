"""Settings from the environment (prefix CHIPWATCH_) and an optional .env file."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    log_format: Literal["json", "text"] = "json"
    # Rendered search pages kept per process (Meilisearch engine only, readers without an
    # admin session), each valid until the index changes; 0 turns the cache off.
    page_cache_entries: int = Field(256, ge=0)
    # CPU seconds one item may take to be read and tagged before it is rejected; 0: no limit.
    item_cpu_seconds: float = Field(10.0, ge=0)

    @field_validator("database_url", "meili_url", "read_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Accept the plain postgresql:// form that operators copy from their provider.
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{(self.data_dir / 'chipwatch.db').resolve()}"

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()
