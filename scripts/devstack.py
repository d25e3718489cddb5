"""`make run`: the embedded defaults, for a developer's machine.

Starts each local stand-in the environment does not configure as a child
process (SecantusDB for MONGODB_URI, localstripe for STRIPE_SECRET_KEY, the
SMTP stand-in for SMTP_HOST; for R2 and Addressable see
`start_places_standins`), waits for it, applies migrations, seeds the demo
data, then serves the API. Ctrl-C stops the server
first and the children after it. Nothing under `gigsta/` imports any stand-in.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from pathlib import Path

from scripts.processes import Process, stop_process
from scripts.standins.addressable import DEMO_API_KEY, start_addressable
from scripts.standins.mongo import start_mongo
from scripts.standins.s3 import (
    LOCAL_ACCESS_KEY_ID,
    LOCAL_BUCKET,
    LOCAL_SECRET_ACCESS_KEY,
    create_bucket,
    start_s3,
)
from scripts.standins.smtp import start_smtp
from scripts.standins.stripe import start_embedded_stripe

# The web app's dev server (Vite) may call the API unless GIGSTA_CORS_ORIGINS
# says otherwise.
VITE_DEV_ORIGINS = "http://localhost:5173,http://127.0.0.1:5173"


def jwt_secret(data_dir: Path) -> str:
    """The embedded default's signing secret, generated once and kept."""
    path = data_dir / "jwt-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def start_places_standins(data_dir: Path) -> list[Process]:
    """moto's S3 for R2 and the demo address lookup, unless configured."""
    started = []
    if not os.environ.get("R2_ENDPOINT_URL"):
        proc, endpoint = start_s3(data_dir / "logs" / "moto-s3.log")
        started.append(proc)
        create_bucket(endpoint, LOCAL_BUCKET)
        os.environ.update(
            R2_ENDPOINT_URL=endpoint,
            R2_BUCKET=LOCAL_BUCKET,
            R2_ACCESS_KEY_ID=LOCAL_ACCESS_KEY_ID,
            R2_SECRET_ACCESS_KEY=LOCAL_SECRET_ACCESS_KEY,
        )
        print(f"local S3 for R2 (moto, in memory) at {endpoint}")
    if not os.environ.get("ADDRESSABLE_API_KEY"):
        proc, base_url = start_addressable(data_dir / "logs" / "addressable.log")
        started.append(proc)
        os.environ.update(
            ADDRESSABLE_API_KEY=DEMO_API_KEY, ADDRESSABLE_BASE_URL=base_url
        )
        print(f"address lookup: DEMO DATA stand-in at {base_url} (a few NZ/AU streets)")
    return started


def start_mail_standin(data_dir: Path) -> list[Process]:
    """The SMTP stand-in, keeping mail under `data_dir/mail`, unless SMTP_HOST
    points at a real server."""
    if os.environ.get("SMTP_HOST"):
        return []
    store = data_dir / "mail"
    proc, port = start_smtp(store, data_dir / "logs" / "smtp.log")
    os.environ.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SECURITY="none")
    print(
        f"email: SMTP stand-in on port {port}, keeping mail in {store} "
        "(list it: python -m scripts.standins.smtp list)"
    )
    return [proc]


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    from gigsta.settings import get_settings  # noqa: PLC0415 - after env is set

    # SIGTERM (a process manager, `kill`) must run the `finally` below too, so the
    # children stop with us; uvicorn restores this handler and re-raises the
    # signal after its own graceful shutdown.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)

    data_dir = Path(os.environ.get("GIGSTA_DATA_DIR", ".data")).resolve()
    children: list[Process] = []
    os.environ.setdefault("GIGSTA_JWT_SECRET", jwt_secret(data_dir))
    os.environ.setdefault("GIGSTA_CORS_ORIGINS", VITE_DEV_ORIGINS)
    # Local webhook receivers (a script on this machine) are on loopback.
    os.environ.setdefault("GIGSTA_WEBHOOKS_ALLOW_PRIVATE", "true")
    try:
        if not os.environ.get("MONGODB_URI"):
            print("starting the embedded database (SecantusDB) ...", flush=True)
            proc, uri = start_mongo(
                str(data_dir / "mongo"), data_dir / "logs" / "secantusd.log"
            )
            children.append(proc)
            os.environ["MONGODB_URI"] = uri
            print(f"embedded database at {uri} (data in {data_dir / 'mongo'})")
        children += start_places_standins(data_dir)
        children += start_mail_standin(data_dir)
        if not os.environ.get("STRIPE_SECRET_KEY"):
            children.append(start_embedded_stripe(data_dir))
        get_settings.cache_clear()
        settings = get_settings()

        from scripts.migrate.__main__ import main as migrate_main  # noqa: PLC0415
        from scripts.seed_demo import seed  # noqa: PLC0415

        migrate_main(["up"])
        asyncio.run(seed(settings))
        print(
            f"\nGigSta is at http://{settings.host}:{settings.port}/graphql "
            "(GraphiQL in a browser). Pages from "
            f"{', '.join(settings.cors_origins) or 'no other origin'} may call it. "
            "Ctrl-C stops it.\n",
            flush=True,
        )
        from gigsta.__main__ import serve  # noqa: PLC0415

        serve()
    finally:
        for proc in reversed(children):
            stop_process(proc)
        if children:
            print("embedded services stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
