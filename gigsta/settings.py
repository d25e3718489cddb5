"""Typed settings, read once from the environment (and an optional `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Every setting of the server. Names are the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    host: str = Field("127.0.0.1", validation_alias=_env("GIGSTA_HOST"))
    port: int = Field(8000, validation_alias=_env("GIGSTA_PORT"))
    data_dir: Path = Field(Path(".data"), validation_alias=_env("GIGSTA_DATA_DIR"))
    log_level: str = Field("INFO", validation_alias=_env("GIGSTA_LOG_LEVEL"))

    mongodb_uri: str | None = Field(None, validation_alias=_env("MONGODB_URI"))
    mongodb_db: str = Field("gigsta", validation_alias=_env("MONGODB_DB"))

    jwt_secret: SecretStr | None = Field(
        None, validation_alias=_env("GIGSTA_JWT_SECRET")
    )
    jwt_ttl_seconds: int = Field(
        60 * 60 * 24, validation_alias=_env("GIGSTA_JWT_TTL_SECONDS")
    )

    sweep_interval_seconds: float = Field(
        30.0, validation_alias=_env("GIGSTA_SWEEP_INTERVAL_SECONDS")
    )
    sweeper_enabled: bool = Field(True, validation_alias=_env("GIGSTA_SWEEPER"))

    graphiql: bool = Field(True, validation_alias=_env("GIGSTA_GRAPHIQL"))

    def require_mongodb_uri(self) -> str:
        if not self.mongodb_uri:
            raise RuntimeError(
                "MONGODB_URI is not set. `make run` starts an embedded database "
                "and sets it; in production point it at your MongoDB deployment."
            )
        return self.mongodb_uri

    def require_jwt_secret(self) -> str:
        if self.jwt_secret is None or len(self.jwt_secret.get_secret_value()) < 32:
            raise RuntimeError(
                "GIGSTA_JWT_SECRET must be set to at least 32 characters "
                "(`make run` generates one under GIGSTA_DATA_DIR)."
            )
        return self.jwt_secret.get_secret_value()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
