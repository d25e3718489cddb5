"""Typed settings, read once from the environment (and an optional `.env`)."""

from __future__ import annotations

import re
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:.]+\]|[^/\s:\[\]]+)(:\d{1,5})?")


def _from_env(name: str, default: Any, **constraints: Any) -> Any:
    """A setting read from the environment variable `name` (or `.env`), with
    pydantic's bounds (`ge`, `le`, `gt`) as `constraints`."""
    return Field(default, validation_alias=AliasChoices(name), **constraints)


class Settings(BaseSettings):
    """Every setting of the server. Names are the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    host: str = _from_env("GIGSTA_HOST", "127.0.0.1")
    port: int = _from_env("GIGSTA_PORT", 8000)
    data_dir: Path = _from_env("GIGSTA_DATA_DIR", Path(".data"))
    log_level: str = _from_env("GIGSTA_LOG_LEVEL", "INFO")

    mongodb_uri: str | None = _from_env("MONGODB_URI", None)
    mongodb_db: str = _from_env("MONGODB_DB", "gigsta")
    # How long a request waits for the database to be reachable, and (when
    # set) for any one answer from it, before it answers DATABASE_UNAVAILABLE
    # (see gigsta/database.py). No default for the answer: legitimate scans
    # on the embedded database can take many seconds.
    mongodb_server_selection_timeout_ms: int = _from_env(
        "MONGODB_SERVER_SELECTION_TIMEOUT_MS", 1000, ge=1
    )
    mongodb_socket_timeout_ms: int | None = _from_env(
        "MONGODB_SOCKET_TIMEOUT_MS", None, ge=1
    )

    jwt_secret: SecretStr | None = _from_env("GIGSTA_JWT_SECRET", None)
    jwt_ttl_seconds: int = _from_env("GIGSTA_JWT_TTL_SECONDS", 60 * 60 * 24)
    # argon2 runs on this many dedicated threads, never on the event loop; a
    # sign-in that would wait behind more than `password_hash_queue` others is
    # refused at once instead (each hash takes ~64 MiB and tens of ms of CPU).
    password_hash_threads: int = _from_env(
        "GIGSTA_PASSWORD_HASH_THREADS", 2, ge=1, le=64
    )
    password_hash_queue: int = _from_env("GIGSTA_PASSWORD_HASH_QUEUE", 64, ge=0)
    # Failed sign-ins per client address in each 15-minute window, whatever the
    # emails (each email also has its own limit of 10).
    sign_in_failures_per_client: int = _from_env(
        "GIGSTA_SIGN_IN_FAILURES_PER_CLIENT", 30, ge=1
    )
    # Query-cost points each caller's bucket (10,000) gets back a second.
    query_cost_restore_rate: int = _from_env(
        "GIGSTA_QUERY_COST_RESTORE_RATE", 1_000, ge=1
    )
    # Peers whose `X-Forwarded-For` is believed (comma-separated addresses or
    # CIDR networks: the load balancers). Empty: the socket peer is the client.
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = (
        _from_env("GIGSTA_TRUSTED_PROXIES", ())
    )

    # Browser origins (`scheme://host[:port]`, comma-separated) whose pages may
    # call the API (CORS). Empty: none; `make run` allows the Vite dev server.
    cors_origins: Annotated[tuple[str, ...], NoDecode] = _from_env(
        "GIGSTA_CORS_ORIGINS", ()
    )
    # GraphiQL's page and the npm packages it loads (see web/graphiql/).
    graphiql_dir: Path = _from_env(
        "GIGSTA_GRAPHIQL_DIR",
        Path(__file__).resolve().parent.parent / "web" / "graphiql",
    )

    sweep_interval_seconds: float = _from_env("GIGSTA_SWEEP_INTERVAL_SECONDS", 30.0)
    sweeper_enabled: bool = _from_env("GIGSTA_SWEEPER", True)

    # `production` turns GraphiQL and introspection off (unless set
    # explicitly below) and adds Strict-Transport-Security to every response.
    env: Literal["development", "production"] = _from_env("GIGSTA_ENV", "development")
    graphiql: bool | None = _from_env("GIGSTA_GRAPHIQL", None)
    introspection: bool | None = _from_env("GIGSTA_INTROSPECTION", None)
    # One GraphQL operation's time budget: past it the work is cancelled and
    # the client gets `TIMEOUT` (money-moving steps still run to their end).
    request_timeout_seconds: float = _from_env(
        "GIGSTA_REQUEST_TIMEOUT_SECONDS", 10.0, gt=0
    )
    # Request bodies (GraphQL and Stripe webhooks) larger than this get 413.
    max_body_bytes: int = _from_env("GIGSTA_MAX_BODY_BYTES", 1024 * 1024, ge=1024)
    # After SIGTERM: how long in-flight requests may finish before they are
    # cancelled and the process stops.
    shutdown_timeout_seconds: int = _from_env(
        "GIGSTA_SHUTDOWN_TIMEOUT_SECONDS", 15, ge=1
    )
    # Automatic persisted queries: the documents one process keeps in memory
    # (characters, 0: none), and how many the shared collection may hold.
    persisted_query_cache_bytes: int = _from_env(
        "GIGSTA_PERSISTED_QUERY_CACHE_BYTES", 8 * 1024 * 1024, ge=0
    )
    persisted_queries_max: int = _from_env("GIGSTA_PERSISTED_QUERIES_MAX", 10_000, ge=0)

    # Places and files (Addressable, R2)
    addressable_api_key: SecretStr | None = _from_env("ADDRESSABLE_API_KEY", None)
    addressable_base_url: str = _from_env(
        "ADDRESSABLE_BASE_URL", "https://api.addressable.dev"
    )
    addressable_timeout_seconds: float = _from_env("ADDRESSABLE_TIMEOUT_SECONDS", 2.0)
    addressable_retries: int = _from_env("ADDRESSABLE_RETRIES", 1)
    addressable_cache_seconds: float = _from_env("ADDRESSABLE_CACHE_SECONDS", 600.0)
    addressable_cache_size: int = _from_env("ADDRESSABLE_CACHE_SIZE", 1000)
    # Per signed-in user, or per client address when anonymous, every instance
    # counting together: protects the Addressable quota from one noisy client.
    address_lookups_per_minute: int = _from_env(
        "GIGSTA_ADDRESS_LOOKUPS_PER_MINUTE", 30, ge=1
    )
    # Signs the address tokens; falls back to GIGSTA_JWT_SECRET (domain-separated).
    address_token_secret: SecretStr | None = _from_env(
        "GIGSTA_ADDRESS_TOKEN_SECRET", None
    )
    r2_endpoint_url: str | None = _from_env("R2_ENDPOINT_URL", None)
    r2_bucket: str | None = _from_env("R2_BUCKET", None)
    r2_access_key_id: str | None = _from_env("R2_ACCESS_KEY_ID", None)
    r2_secret_access_key: SecretStr | None = _from_env("R2_SECRET_ACCESS_KEY", None)
    r2_region: str = _from_env("R2_REGION", "auto")
    upload_url_ttl_seconds: int = _from_env("GIGSTA_UPLOAD_URL_TTL_SECONDS", 15 * 60)
    download_url_ttl_seconds: int = _from_env("GIGSTA_DOWNLOAD_URL_TTL_SECONDS", 5 * 60)
    upload_max_image_bytes: int = _from_env(
        "GIGSTA_UPLOAD_MAX_IMAGE_BYTES", 10 * 1024 * 1024
    )
    upload_max_document_bytes: int = _from_env(
        "GIGSTA_UPLOAD_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024
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
    stripe_secret_key: SecretStr | None = _from_env("STRIPE_SECRET_KEY", None)
    stripe_webhook_secret: SecretStr | None = _from_env("STRIPE_WEBHOOK_SECRET", None)
    # None: real Stripe. `make run` and the tests point it at localstripe.
    stripe_api_base: str | None = _from_env("STRIPE_API_BASE", None)
    # Where Connect calls (/v1/accounts, /v1/account_links, /v1/transfers) go;
    # None: the same place as every other call.
    stripe_connect_api_base: str | None = _from_env("STRIPE_CONNECT_API_BASE", None)
    stripe_max_network_retries: int = _from_env("STRIPE_MAX_NETWORK_RETRIES", 2, ge=0)
    stripe_timeout_seconds: float = _from_env("STRIPE_TIMEOUT_SECONDS", 20.0)
    # Rates in basis points (1 bp = 0.01 %). The fee is added to the labour;
    # the commission and the late-cancellation fee are shares of the labour.
    booking_fee_bps: int = _from_env("GIGSTA_BOOKING_FEE_BPS", 500, ge=0, le=10_000)
    commission_bps: int = _from_env("GIGSTA_COMMISSION_BPS", 1500, ge=0, le=10_000)
    late_cancellation_bps: int = _from_env(
        "GIGSTA_LATE_CANCELLATION_BPS", 5000, ge=0, le=10_000
    )
    # Connect onboarding links send the worker back to the web app.
    payout_onboarding_return_url: str = _from_env(
        "GIGSTA_PAYOUT_RETURN_URL", "http://localhost:5173/payouts/done"
    )
    payout_onboarding_refresh_url: str = _from_env(
        "GIGSTA_PAYOUT_REFRESH_URL", "http://localhost:5173/payouts/retry"
    )

    # Email (SMTP). No SMTP_HOST: no email is sent and domain events wait in
    # the outbox. `make run` points it at the local stand-in.
    smtp_host: str | None = _from_env("SMTP_HOST", None)
    smtp_port: int = _from_env("SMTP_PORT", 587, ge=1, le=65535)
    smtp_username: str | None = _from_env("SMTP_USERNAME", None)
    smtp_password: SecretStr | None = _from_env("SMTP_PASSWORD", None)
    # `starttls` (port 587), `tls` (implicit TLS, port 465) or `none` (only
    # for a local stand-in).
    smtp_security: Literal["starttls", "tls", "none"] = _from_env(
        "SMTP_SECURITY", "starttls"
    )
    smtp_timeout_seconds: float = _from_env("SMTP_TIMEOUT_SECONDS", 30.0, gt=0)
    email_from: str = _from_env("GIGSTA_EMAIL_FROM", "GigSta <bookings@gigsta.nz>")
    # How long a dispatcher holds an event or delivery it works on before
    # another may take it over; must exceed SMTP_TIMEOUT_SECONDS.
    outbox_lease_seconds: float = _from_env("GIGSTA_OUTBOX_LEASE_SECONDS", 120.0, gt=0)
    # Partner webhooks: receivers may be at private or loopback addresses and
    # on plain http only when this is on (development and tests); the
    # timeout of one POST (under the outbox lease).
    webhooks_allow_private: bool = _from_env("GIGSTA_WEBHOOKS_ALLOW_PRIVATE", False)
    webhook_timeout_seconds: float = _from_env(
        "GIGSTA_WEBHOOK_TIMEOUT_SECONDS", 10.0, gt=0
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
