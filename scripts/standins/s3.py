"""moto's S3 server as the local stand-in for Cloudflare R2.

Started by `make run` when R2 is not configured, and by the test fixtures.
moto keeps objects in memory (they are gone after a restart) and does not
verify presigned signatures; real R2 does both.
"""

from __future__ import annotations

from pathlib import Path

import boto3

from scripts.processes import (
    Process,
    executable,
    free_port,
    http_answers,
    start_ready,
)

LOCAL_ACCESS_KEY_ID = "local-r2-access-key"
LOCAL_SECRET_ACCESS_KEY = "local-r2-secret-key"  # moto accepts any key
LOCAL_BUCKET = "gigsta-local"


def start_s3(log_path: Path, *, port: int | None = None) -> tuple[Process, str]:
    """Start `moto_server` on `port` (default: a free loopback port); return it
    and its URL."""
    port = port or free_port()
    endpoint = f"http://127.0.0.1:{port}"
    proc = start_ready(
        [executable("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        log_path,
        http_answers(endpoint),
        what="moto_server",
    )
    return proc, endpoint


def create_bucket(
    endpoint: str,
    bucket: str,
    access_key_id: str = LOCAL_ACCESS_KEY_ID,
    secret_access_key: str = LOCAL_SECRET_ACCESS_KEY,
) -> None:
    """Create the bucket if missing. moto refuses region `auto` (R2's), so this
    one admin call uses a plain AWS region; the app itself signs for `auto`."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
    )
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
