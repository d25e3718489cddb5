"""A local stand-in for the Stripe Connect endpoints localstripe lacks.

It speaks the request and response shapes of `POST /v1/accounts`,
`GET /v1/accounts/{id}`, `POST /v1/account_links` and `POST /v1/transfers`
(form-encoded parameters, JSON objects, Stripe's error envelope), rejects
parameters Stripe would not accept, honours `Idempotency-Key` like Stripe
does (same key and parameters: the first answer again; same key, different
parameters: an `idempotency_error`), and records every request so tests can
assert what GigSta sent. Transfers to an account that has not finished
onboarding are refused, as Stripe refuses them without the `transfers`
capability.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.integrations.threaded_server import ThreadedServer

ACCOUNT_PARAMS = {"type", "country", "capabilities[transfers][requested]"}
LINK_PARAMS = {"account", "type", "refresh_url", "return_url"}
TRANSFER_PARAMS = {"amount", "currency", "destination", "transfer_group"}


def _error(
    status: int, message: str, kind: str = "invalid_request_error"
) -> web.Response:
    return web.json_response(
        {"error": {"type": kind, "message": message}}, status=status
    )


def _check_params(params: dict[str, str], allowed: set[str]) -> str | None:
    for key in params:
        if key not in allowed and not key.startswith("metadata["):
            return f"Received unknown parameter: {key}"
    return None


@dataclass
class ConnectRequest:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None


@dataclass
class ConnectStandIn:
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[ConnectRequest] = field(default_factory=list)
    _replies: dict[str, tuple[dict[str, str], int, dict[str, Any]]] = field(
        default_factory=dict
    )
    _lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadedServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def start(self) -> ConnectStandIn:
        app = web.Application()
        app.router.add_post("/v1/accounts", self._create_account)
        app.router.add_get("/v1/accounts/{id}", self._get_account)
        app.router.add_post("/v1/account_links", self._create_link)
        app.router.add_post("/v1/transfers", self._create_transfer)
        self.server = ThreadedServer(app).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def reset(self) -> None:
        with self._lock:
            self.accounts.clear()
            self.transfers.clear()
            self.requests.clear()
            self._replies.clear()

    def finish_onboarding(self, account_id: str) -> dict[str, Any]:
        """What Stripe does when the worker completes onboarding."""
        with self._lock:
            account = self.accounts[account_id]
            account.update(
                payouts_enabled=True, charges_enabled=True, details_submitted=True
            )
            account["capabilities"] = {"transfers": "active"}
            return dict(account)

    def calls(self, path: str) -> list[ConnectRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path and r.method == "POST"]

    async def _read(self, request: web.Request) -> tuple[dict[str, str], str | None]:
        if not request.headers.get("Authorization", "").startswith("Bearer sk_"):
            raise web.HTTPUnauthorized
        params = dict(parse_qsl((await request.read()).decode()))
        key = request.headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append(
                ConnectRequest(request.method, request.path, params, key)
            )
        return params, key

    def _replay(self, key: str | None, params: dict[str, str]) -> web.Response | None:
        if key is None or key not in self._replies:
            return None
        sent, status, body = self._replies[key]
        if sent != params:
            return _error(
                400,
                "Keys for idempotent requests can only be used with the same "
                "parameters they were first used with.",
                "idempotency_error",
            )
        return web.json_response(body, status=status)

    def _remember(
        self, key: str | None, params: dict[str, str], body: dict[str, Any]
    ) -> web.Response:
        if key is not None:
            self._replies[key] = (params, 200, body)
        return web.json_response(body)

    async def _create_account(self, request: web.Request) -> web.Response:
        params, key = await self._read(request)
        with self._lock:
            if (replay := self._replay(key, params)) is not None:
                return replay
            if problem := _check_params(params, ACCOUNT_PARAMS):
                return _error(400, problem)
            if params.get("type") != "express":
                return _error(400, "GigSta should create Express accounts.")
            account = {
                "id": "acct_" + secrets.token_hex(8),
                "object": "account",
                "type": "express",
                "country": params.get("country"),
                "charges_enabled": False,
                "payouts_enabled": False,
                "details_submitted": False,
                "capabilities": {"transfers": "inactive"},
                "metadata": {
                    k[len("metadata[") : -1]: v
                    for k, v in params.items()
                    if k.startswith("metadata[")
                },
                "created": int(time.time()),
            }
            self.accounts[account["id"]] = account
            return self._remember(key, params, account)

    async def _get_account(self, request: web.Request) -> web.Response:
        with self._lock:
            account = self.accounts.get(request.match_info["id"])
            if account is None:
                return _error(404, "No such account")
            return web.json_response(account)

    async def _create_link(self, request: web.Request) -> web.Response:
        params, key = await self._read(request)
        with self._lock:
            if (replay := self._replay(key, params)) is not None:
                return replay
            if problem := _check_params(params, LINK_PARAMS):
                return _error(400, problem)
            if params.get("account") not in self.accounts:
                return _error(404, "No such account")
            if params.get("type") != "account_onboarding":
                return _error(400, "Invalid type")
            if not params.get("refresh_url") or not params.get("return_url"):
                return _error(400, "refresh_url and return_url are required")
            now = int(time.time())
            link = {
                "object": "account_link",
                "created": now,
                "expires_at": now + 300,
                "url": f"https://connect.stripe.test/setup/e/{params['account']}/"
                + secrets.token_hex(6),
            }
            return self._remember(key, params, link)

    async def _create_transfer(self, request: web.Request) -> web.Response:
        params, key = await self._read(request)
        with self._lock:
            if (replay := self._replay(key, params)) is not None:
                return replay
            if problem := _check_params(params, TRANSFER_PARAMS):
                return _error(400, problem)
            account = self.accounts.get(params.get("destination", ""))
            if account is None:
                return _error(404, "No such destination account")
            if not account["payouts_enabled"]:
                return _error(
                    400,
                    "Your destination account needs to have at least one of the "
                    "following capabilities enabled: transfers, crypto_transfers, "
                    "legacy_payments",
                )
            if not params.get("amount", "").isdigit() or int(params["amount"]) <= 0:
                return _error(400, "Invalid positive integer")
            transfer = {
                "id": "tr_" + secrets.token_hex(8),
                "object": "transfer",
                "amount": int(params["amount"]),
                "currency": params.get("currency"),
                "destination": params["destination"],
                "transfer_group": params.get("transfer_group"),
                "created": int(time.time()),
            }
            self.transfers[transfer["id"]] = transfer
            return self._remember(key, params, transfer)
