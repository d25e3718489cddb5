"""Typed settings, read once from the environment (and an optional `.env`)."""

from __future__ import annotations

import re
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:.]+\]|[^/\s:\[\]]+)(:\d{1,5})?")


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
    # How long a request waits for the database to be reachable, and (when
    # set) for any one answer from it, before it answers DATABASE_UNAVAILABLE
    # (see gigsta/database.py). No default for the answer: legitimate scans
    # on the embedded database can take many seconds.
    mongodb_server_selection_timeout_ms: int = Field(
        1000, ge=1, validation_alias=_env("MONGODB_SERVER_SELECTION_TIMEOUT_MS")
    )
    mongodb_socket_timeout_ms: int | None = Field(
        None, ge=1, validation_alias=_env("MONGODB_SOCKET_TIMEOUT_MS")
    )

    jwt_secret: SecretStr | None = Field(
        None, validation_alias=_env("GIGSTA_JWT_SECRET")
    )
    jwt_ttl_seconds: int = Field(
        60 * 60 * 24, validation_alias=_env("GIGSTA_JWT_TTL_SECONDS")
    )
    # argon2 runs on this many dedicated threads, never on the event loop; a
    # sign-in that would wait behind more than `password_hash_queue` others is
    # refused at once instead (each hash takes ~64 MiB and tens of ms of CPU).
    password_hash_threads: int = Field(
        2, ge=1, le=64, validation_alias=_env("GIGSTA_PASSWORD_HASH_THREADS")
    )
    password_hash_queue: int = Field(
        64, ge=0, validation_alias=_env("GIGSTA_PASSWORD_HASH_QUEUE")
    )
    # Failed sign-ins per client address in each 15-minute window, whatever the
    # emails (each email also has its own limit of 10).
    sign_in_failures_per_client: int = Field(
        30, ge=1, validation_alias=_env("GIGSTA_SIGN_IN_FAILURES_PER_CLIENT")
    )
    # Peers whose `X-Forwarded-For` is believed (comma-separated addresses or
    # CIDR networks: the load balancers). Empty: the socket peer is the client.
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = Field(
        (), validation_alias=_env("GIGSTA_TRUSTED_PROXIES")
    )

    # Browser origins (`scheme://host[:port]`, comma-separated) whose pages may
    # call the API (CORS). Empty: none; `make run` allows the Vite dev server.
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), validation_alias=_env("GIGSTA_CORS_ORIGINS")
    )
    # GraphiQL's page and the npm packages it loads (see web/graphiql/).
    graphiql_dir: Path = Field(
        Path(__file__).resolve().parent.parent / "web" / "graphiql",
        validation_alias=_env("GIGSTA_GRAPHIQL_DIR"),
    )

    sweep_interval_seconds: float = Field(
        30.0, validation_alias=_env("GIGSTA_SWEEP_INTERVAL_SECONDS")
    )
    sweeper_enabled: bool = Field(True, validation_alias=_env("GIGSTA_SWEEPER"))

    # `production` turns GraphiQL and introspection off (unless set
    # explicitly below) and adds Strict-Transport-Security to every response.
    env: Literal["development", "production"] = Field(
        "development", validation_alias=_env("GIGSTA_ENV")
    )
    graphiql: bool | None = Field(None, validation_alias=_env("GIGSTA_GRAPHIQL"))
    introspection: bool | None = Field(
        None, validation_alias=_env("GIGSTA_INTROSPECTION")
    )
    # One GraphQL operation's time budget: past it the work is cancelled and
    # the client gets `TIMEOUT` (money-moving steps still run to their end).
    request_timeout_seconds: float = Field(
        10.0, gt=0, validation_alias=_env("GIGSTA_REQUEST_TIMEOUT_SECONDS")
    )
    # Request bodies (GraphQL and Stripe webhooks) larger than this get 413.
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, validation_alias=_env("GIGSTA_MAX_BODY_BYTES")
    )
    # After SIGTERM: how long in-flight requests may finish before they are
    # cancelled and the process stops.
    shutdown_timeout_seconds: int = Field(
        15, ge=1, validation_alias=_env("GIGSTA_SHUTDOWN_TIMEOUT_SECONDS")
    )

    # Places and files (Addressable, R2)
    addressable_api_key: SecretStr | None = Field(
        None, validation_alias=_env("ADDRESSABLE_API_KEY")
    )
    addressable_base_url: str = Field(
        "https://api.addressable.dev", validation_alias=_env("ADDRESSABLE_BASE_URL")
    )
    addressable_timeout_seconds: float = Field(
        2.0, validation_alias=_env("ADDRESSABLE_TIMEOUT_SECONDS")
    )
    addressable_retries: int = Field(1, validation_alias=_env("ADDRESSABLE_RETRIES"))
    addressable_cache_seconds: float = Field(
        600.0, validation_alias=_env("ADDRESSABLE_CACHE_SECONDS")
    )
    addressable_cache_size: int = Field(
        1000, validation_alias=_env("ADDRESSABLE_CACHE_SIZE")
    )
    # Per signed-in user, or per client address when anonymous, every instance
    # counting together: protects the Addressable quota from one noisy client.
    address_lookups_per_minute: int = Field(
        30, ge=1, validation_alias=_env("GIGSTA_ADDRESS_LOOKUPS_PER_MINUTE")
    )
    # Signs the address tokens; falls back to GIGSTA_JWT_SECRET (domain-separated).
    address_token_secret: SecretStr | None = Field(
        None, validation_alias=_env("GIGSTA_ADDRESS_TOKEN_SECRET")
    )
    r2_endpoint_url: str | None = Field(None, validation_alias=_env("R2_ENDPOINT_URL"))
    r2_bucket: str | None = Field(None, validation_alias=_env("R2_BUCKET"))
    r2_access_key_id: str | None = Field(
        None, validation_alias=_env("R2_ACCESS_KEY_ID")
    )
    r2_secret_access_key: SecretStr | None = Field(
        None, validation_alias=_env("R2_SECRET_ACCESS_KEY")
    )
    r2_region: str = Field("auto", validation_alias=_env("R2_REGION"))
    upload_url_ttl_seconds: int = Field(
        15 * 60, validation_alias=_env("GIGSTA_UPLOAD_URL_TTL_SECONDS")
    )
    download_url_ttl_seconds: int = Field(
        5 * 60, validation_alias=_env("GIGSTA_DOWNLOAD_URL_TTL_SECONDS")
    )
    upload_max_image_bytes: int = Field(
        10 * 1024 * 1024, validation_alias=_env("GIGSTA_UPLOAD_MAX_IMAGE_BYTES")
    )
    upload_max_document_bytes: int = Field(
        20 * 1024 * 1024, validation_alias=_env("GIGSTA_UPLOAD_MAX_DOCUMENT_BYTES")
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(
                ip_network(part.strip(), strict=False)
                for part in value.split(",")
                if part.strip()
            )
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        for origin in value if isinstance(value, tuple | list) else ():
            # A browser's Origin has no path, not even "/": such an entry
            # would silently never match.
            if not isinstance(origin, str) or not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin like https://app.example.com"
                    " or http://localhost:5173 (scheme, host, optional port)"
                )
        return value

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def graphiql_enabled(self) -> bool:
        return not self.production if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        if self.introspection is None:
            return not self.production
        return self.introspection

    def address_token_key(self) -> str:
        if self.address_token_secret is not None:
            return self.address_token_secret.get_secret_value()
        return self.require_jwt_secret()

    def r2_configured(self) -> bool:
        return bool(
            self.r2_endpoint_url
            and self.r2_bucket
            and self.r2_access_key_id
            and self.r2_secret_access_key
        )

    # Payments (Stripe)
    stripe_secret_key: SecretStr | None = Field(
        None, validation_alias=_env("STRIPE_SECRET_KEY")
    )
    stripe_webhook_secret: SecretStr | None = Field(
        None, validation_alias=_env("STRIPE_WEBHOOK_SECRET")
    )
    # None: real Stripe. `make run` and the tests point it at localstripe.
    stripe_api_base: str | None = Field(None, validation_alias=_env("STRIPE_API_BASE"))
    # Where Connect calls (/v1/accounts, /v1/account_links, /v1/transfers) go;
    # None: the same place as every other call.
    stripe_connect_api_base: str | None = Field(
        None, validation_alias=_env("STRIPE_CONNECT_API_BASE")
    )
    stripe_max_network_retries: int = Field(
        2, ge=0, validation_alias=_env("STRIPE_MAX_NETWORK_RETRIES")
    )
    stripe_timeout_seconds: float = Field(
        20.0, validation_alias=_env("STRIPE_TIMEOUT_SECONDS")
    )
    # Rates in basis points (1 bp = 0.01 %). The fee is added to the labour;
    # the commission and the late-cancellation fee are shares of the labour.
    booking_fee_bps: int = Field(
        500, ge=0, le=10_000, validation_alias=_env("GIGSTA_BOOKING_FEE_BPS")
    )
    commission_bps: int = Field(
        1500, ge=0, le=10_000, validation_alias=_env("GIGSTA_COMMISSION_BPS")
    )
    late_cancellation_bps: int = Field(
        5000, ge=0, le=10_000, validation_alias=_env("GIGSTA_LATE_CANCELLATION_BPS")
    )
    # Connect onboarding links send the worker back to the web app.
    payout_onboarding_return_url: str = Field(
        "http://localhost:5173/payouts/done",
        validation_alias=_env("GIGSTA_PAYOUT_RETURN_URL"),
    )
    payout_onboarding_refresh_url: str = Field(
        "http://localhost:5173/payouts/retry",
        validation_alias=_env("GIGSTA_PAYOUT_REFRESH_URL"),
    )

    def require_mongodb_uri(self) -> str:
        if not self.mongodb_uri:
            raise RuntimeError(
                "MONGODB_URI is not set. `make run` starts an embedded database "
                "and sets it; in production point it at your MongoDB deployment."
            )
        return self.mongodb_uri

    def require_stripe_secret_key(self) -> str:
        if self.stripe_secret_key is None:
            raise RuntimeError(
                "STRIPE_SECRET_KEY is not set. `make run` starts localstripe and "
                "sets it; in production use your Stripe secret key."
            )
        return self.stripe_secret_key.get_secret_value()

    def require_stripe_webhook_secret(self) -> str:
        if self.stripe_webhook_secret is None:
            raise RuntimeError("STRIPE_WEBHOOK_SECRET is not set.")
        return self.stripe_webhook_secret.get_secret_value()

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
