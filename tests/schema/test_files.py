"""Uploads to R2 (moto's S3 server) through presigned URLs, over real HTTP."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from gigsta.integrations.r2 import store_from_settings
from gigsta.resolvers.accounts.sign_in import create_admin
from tests.conftest import PASSWORD
from tests.fixtures_places import TEST_BUCKET
from tests.ids import global_id, raw_id
from tests.schema.places_helpers import REQUEST, booking_input, make_worker
from tests.schema.test_dependencies_down import assert_unavailable, closed_port

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  uploadUrl key expiresAt headers { name value } errors { field code message } } }"""
COMPLETE = """mutation($key: String!) { completeUpload(key: $key) {
  attachment { id key purpose filename contentType sizeBytes url }
  errors { field code message } } }"""
DELETE = """mutation($id: ID!) { deleteAttachment(id: $id) {
  attachment { id } errors { field code message } } }"""
ATTACHMENTS = """query($id: ID!) { booking(id: $id) {
  attachments { id key filename sizeBytes contentType url createdAt } } }"""
PNG = b"\x89PNG\r\n\x1a\n" + b"pixels" * 20


@pytest.fixture
def s3(places_settings):
    return boto3.client(
        "s3",
        endpoint_url=places_settings["R2_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=places_settings["R2_ACCESS_KEY_ID"],
        aws_secret_access_key=places_settings["R2_SECRET_ACCESS_KEY"],
    )


def exists(s3, key: str) -> bool:
    try:
        s3.head_object(Bucket=TEST_BUCKET, Key=key)
    except ClientError:
        return False
    return True


@pytest.fixture
async def booking(gql, addressable_upstream, clock):
    worker_token, worker_id = await make_worker(
        gql,
        addressable_upstream,
        "fw@example.com",
        lat=-36.85,
        lon=174.76,
        radius_km=20,
    )
    customer_token, _ = await gql.sign_up("fc@example.com")
    data = await gql(
        REQUEST, {"input": booking_input(worker_id, clock)}, token=customer_token
    )
    assert data["requestBooking"]["errors"] == []
    return {
        "id": data["requestBooking"]["booking"]["id"],
        "customer": customer_token,
        "worker": worker_token,
        "worker_id": worker_id,
    }


async def create(gql, token, **fields):
    data = await gql(CREATE, {"input": fields}, token=token)
    return data["createUpload"]


def photo_fields(booking_id: str, filename: str) -> dict[str, Any]:
    """`createUpload` input for the PNG as a photo of the booking."""
    return {
        "purpose": "BOOKING_PHOTO",
        "bookingId": booking_id,
        "contentType": "image/png",
        "sizeBytes": len(PNG),
        "filename": filename,
    }


async def put(upload, body: bytes, content_type: str | None = None):
    headers = {h["name"]: h["value"] for h in upload["headers"]}
    if content_type is not None:
        headers["Content-Type"] = content_type
    headers.pop("Content-Length")  # httpx sets it from the body
    async with httpx.AsyncClient() as client:
        response = await client.put(upload["uploadUrl"], content=body, headers=headers)
    assert response.status_code == 200, response.text


async def admin_token(gql, clock):
    await create_admin(email="root@example.com", password=PASSWORD, now=clock.now)
    data = await gql(
        """mutation($i: LogInInput!) { logIn(input: $i) { token errors { code } } }""",
        {"i": {"email": "root@example.com", "password": PASSWORD}},
    )
    return data["logIn"]["token"]


async def test_booking_photo_round_trip(gql, booking, clock, raw_db):
    upload = await create(
        gql,
        booking["customer"],
        purpose="BOOKING_PHOTO",
        bookingId=booking["id"],
        contentType="image/png",
        sizeBytes=len(PNG),
        filename="../../kitchen sink.png",
    )
    assert upload["errors"] == []
    key = upload["key"]
    folder = f"booking-photos/{raw_id(booking['id'])}"
    assert re.fullmatch(rf"{folder}/[0-9a-f]{{32}}\.png", key)
    params = {k: v[0] for k, v in parse_qs(urlparse(upload["uploadUrl"]).query).items()}
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Expires"] == "900"
    assert {"content-length", "content-type"} <= set(
        params["X-Amz-SignedHeaders"].split(";")
    )
    assert upload["expiresAt"].startswith(
        (clock.now + timedelta(minutes=15)).isoformat()[:19]
    )
    assert {h["name"]: h["value"] for h in upload["headers"]} == {
        "Content-Type": "image/png",
        "Content-Length": str(len(PNG)),
    }

    await put(upload, PNG)
    first = (await gql(COMPLETE, {"key": key}, token=booking["customer"]))[
        "completeUpload"
    ]
    assert first["errors"] == []
    attachment = first["attachment"]
    assert (attachment["sizeBytes"], attachment["contentType"]) == (
        len(PNG),
        "image/png",
    )
    assert attachment["filename"] == "../../kitchen sink.png"
    again = (await gql(COMPLETE, {"key": key}, token=booking["customer"]))[
        "completeUpload"
    ]
    assert again["attachment"]["id"] == attachment["id"]
    assert await raw_db["attachments"].count_documents({"key": key}) == 1

    for viewer in ("customer", "worker"):
        data = await gql(ATTACHMENTS, {"id": booking["id"]}, token=booking[viewer])
        (listed,) = data["booking"]["attachments"]
        assert listed["id"] == attachment["id"]
        # At the clock's instant, in the (Auckland) booking's zone.
        assert listed["createdAt"] == "2026-11-02T22:00:00+13:00"
        async with httpx.AsyncClient() as client:
            fetched = await client.get(listed["url"])
        assert fetched.status_code == 200
        assert fetched.content == PNG
    admin = await admin_token(gql, clock)
    data = await gql(ATTACHMENTS, {"id": booking["id"]}, token=admin)
    assert len(data["booking"]["attachments"]) == 1
    stranger, _ = await gql.sign_up("stranger@example.com")
    data = await gql(ATTACHMENTS, {"id": booking["id"]}, token=stranger)
    assert data["booking"] is None


@pytest.mark.parametrize(
    "sent",
    [(PNG + b"extra", "image/png"), (PNG, "image/jpeg")],
    ids=["size", "type"],
)
async def test_a_different_object_is_rejected_and_deleted(
    gql, booking, raw_db, s3, sent
):
    sent_bytes, sent_type = sent
    upload = await create(
        gql,
        booking["customer"],
        purpose="BOOKING_PHOTO",
        bookingId=booking["id"],
        contentType="image/png",
        sizeBytes=len(PNG),
        filename="x.png",
    )
    # moto does not enforce the signed headers (R2 does), so this PUT succeeds.
    await put(upload, sent_bytes, sent_type)
    assert exists(s3, upload["key"])
    data = await gql(COMPLETE, {"key": upload["key"]}, token=booking["customer"])
    payload = data["completeUpload"]
    assert payload["attachment"] is None
    assert [e["code"] for e in payload["errors"]] == ["UPLOAD_MISMATCH"]
    assert not exists(s3, upload["key"])
    assert await raw_db["attachments"].count_documents({"key": upload["key"]}) == 0


async def test_only_the_uploader_completes_and_only_after_the_put(gql, booking):
    upload = await create(
        gql,
        booking["customer"],
        purpose="BOOKING_PHOTO",
        bookingId=booking["id"],
        contentType="image/webp",
        sizeBytes=len(PNG),
        filename="x.webp",
    )
    early = await gql(COMPLETE, {"key": upload["key"]}, token=booking["customer"])
    assert [e["code"] for e in early["completeUpload"]["errors"]] == [
        "UPLOAD_NOT_FOUND"
    ]
    await put(upload, PNG)
    other = await gql(COMPLETE, {"key": upload["key"]}, token=booking["worker"])
    assert [e["code"] for e in other["completeUpload"]["errors"]] == [
        "UPLOAD_NOT_FOUND"
    ]
    ok = await gql(COMPLETE, {"key": upload["key"]}, token=booking["customer"])
    assert ok["completeUpload"]["errors"] == []


async def test_what_may_be_uploaded(gql, booking):
    cases = [
        (
            booking["customer"],
            {
                "purpose": "BOOKING_PHOTO",
                "bookingId": booking["id"],
                "contentType": "image/gif",
                "sizeBytes": 10,
            },
            "UNSUPPORTED_FILE_TYPE",
        ),
        (
            booking["customer"],
            {
                "purpose": "BOOKING_PHOTO",
                "bookingId": booking["id"],
                "contentType": "image/jpeg",
                "sizeBytes": 10 * 1024 * 1024 + 1,
            },
            "FILE_TOO_LARGE",
        ),
        (
            booking["worker"],
            {
                "purpose": "WORKER_AVATAR",
                "contentType": "application/pdf",
                "sizeBytes": 10,
            },
            "UNSUPPORTED_FILE_TYPE",
        ),
        (
            booking["customer"],
            {"purpose": "WORKER_AVATAR", "contentType": "image/png", "sizeBytes": 10},
            "NOT_ALLOWED",
        ),
        (
            booking["worker"],
            {
                "purpose": "BOOKING_PHOTO",
                "bookingId": global_id("Booking", "0" * 24),
                "contentType": "image/png",
                "sizeBytes": 10,
            },
            "NOT_FOUND",
        ),
        (
            booking["worker"],
            {
                "purpose": "BOOKING_PHOTO",
                "bookingId": booking["worker_id"],
                "contentType": "image/png",
                "sizeBytes": 10,
            },
            "INVALID",
        ),
        (
            None,
            {"purpose": "WORKER_AVATAR", "contentType": "image/png", "sizeBytes": 10},
            "UNAUTHENTICATED",
        ),
    ]
    for token, fields, code in cases:
        payload = await create(gql, token, filename="f", **fields)
        assert payload["uploadUrl"] is None, fields
        assert [e["code"] for e in payload["errors"]] == [code], fields


async def test_avatar_is_public_and_documents_are_private(gql, booking, clock):
    worker = booking["worker"]
    avatar = await create(
        gql,
        worker,
        purpose="WORKER_AVATAR",
        contentType="image/jpeg",
        sizeBytes=len(PNG),
        filename="me.jpg",
    )
    assert avatar["key"].startswith(f"worker-avatars/{raw_id(booking['worker_id'])}/")
    await put(avatar, PNG)
    assert (await gql(COMPLETE, {"key": avatar["key"]}, token=worker))[
        "completeUpload"
    ]["errors"] == []
    pdf = b"%PDF-1.7 licence"
    doc = await create(
        gql,
        worker,
        purpose="WORKER_DOCUMENT",
        contentType="application/pdf",
        sizeBytes=len(pdf),
        filename="licence.pdf",
    )
    await put(doc, pdf)
    assert (await gql(COMPLETE, {"key": doc["key"]}, token=worker))["completeUpload"][
        "errors"
    ] == []

    query = """query($id: ID!) { worker(id: $id) {
        avatarUrl documents { filename url } } }"""
    anonymous = (await gql(query, {"id": booking["worker_id"]}))["worker"]
    assert anonymous["documents"] is None
    async with httpx.AsyncClient() as client:
        assert (await client.get(anonymous["avatarUrl"])).content == PNG
        customer = await gql(
            query, {"id": booking["worker_id"]}, token=booking["customer"]
        )
        assert customer["worker"]["documents"] is None
        own = await gql(query, {"id": booking["worker_id"]}, token=worker)
        (mine,) = own["worker"]["documents"]
        assert mine["filename"] == "licence.pdf"
        assert (await client.get(mine["url"])).content == pdf
        admin = await admin_token(gql, clock)
        seen = await gql(query, {"id": booking["worker_id"]}, token=admin)
        assert len(seen["worker"]["documents"]) == 1


async def test_deleting_an_attachment_removes_the_object(gql, booking, s3):
    upload = await create(
        gql,
        booking["customer"],
        purpose="BOOKING_PHOTO",
        bookingId=booking["id"],
        contentType="image/png",
        sizeBytes=len(PNG),
        filename="x.png",
    )
    await put(upload, PNG)
    done = await gql(COMPLETE, {"key": upload["key"]}, token=booking["customer"])
    attachment_id = done["completeUpload"]["attachment"]["id"]

    refused = await gql(DELETE, {"id": attachment_id}, token=booking["worker"])
    assert [e["code"] for e in refused["deleteAttachment"]["errors"]] == ["NOT_ALLOWED"]
    assert exists(s3, upload["key"])

    deleted = await gql(DELETE, {"id": attachment_id}, token=booking["customer"])
    assert deleted["deleteAttachment"]["errors"] == []
    assert not exists(s3, upload["key"])
    data = await gql(ATTACHMENTS, {"id": booking["id"]}, token=booking["customer"])
    assert data["booking"]["attachments"] == []
    again = await gql(DELETE, {"id": attachment_id}, token=booking["customer"])
    assert [e["code"] for e in again["deleteAttachment"]["errors"]] == ["NOT_FOUND"]


async def test_a_new_avatar_replaces_the_old_one(gql, booking, s3, raw_db):
    keys = []
    for body in (PNG, PNG + b"v2"):
        upload = await create(
            gql,
            booking["worker"],
            purpose="WORKER_AVATAR",
            contentType="image/png",
            sizeBytes=len(body),
            filename="me.png",
        )
        await put(upload, body)
        done = await gql(COMPLETE, {"key": upload["key"]}, token=booking["worker"])
        assert done["completeUpload"]["errors"] == []
        keys.append(upload["key"])
    assert not exists(s3, keys[0])
    assert exists(s3, keys[1])
    assert await raw_db["attachments"].count_documents({"key": keys[0]}) == 0
    data = await gql(
        """query($id: ID!) { worker(id: $id) { avatarUrl } }""",
        {"id": booking["worker_id"]},
    )
    async with httpx.AsyncClient() as client:
        avatar = await client.get(data["worker"]["avatarUrl"])
    assert avatar.content == PNG + b"v2"


async def test_booking_attachments_are_loaded_in_one_query(
    gql, booking, clock, command_counter
):
    query = """{ bookings(first: 10) { edges { node { id
        attachments { id url } address { locality } } } } }"""

    async def photo_for(booking_id):
        upload = await create(
            gql,
            booking["customer"],
            purpose="BOOKING_PHOTO",
            bookingId=booking_id,
            contentType="image/png",
            sizeBytes=len(PNG),
            filename="x.png",
        )
        await put(upload, PNG)
        done = await gql(COMPLETE, {"key": upload["key"]}, token=booking["customer"])
        assert done["completeUpload"]["errors"] == []

    await photo_for(booking["id"])
    command_counter.reset()
    one = await gql(query, token=booking["customer"])
    commands_for_one = list(command_counter.commands)
    for _ in range(3):
        # A new slot after the last (two hours long): the same one would be a
        # retry, an overlapping one refused.
        clock.advance(timedelta(hours=2))
        data = await gql(
            REQUEST,
            {"input": booking_input(booking["worker_id"], clock)},
            token=booking["customer"],
        )
        await photo_for(data["requestBooking"]["booking"]["id"])
    command_counter.reset()
    four = await gql(query, token=booking["customer"])
    assert len(one["bookings"]["edges"]) == 1
    edges = four["bookings"]["edges"]
    assert len(edges) == 4
    assert all(len(e["node"]["attachments"]) == 1 for e in edges)
    assert command_counter.commands == commands_for_one


async def test_abandoned_uploads_are_purged(gql, booking, raw_db, clock, settings):
    from gigsta.integrations.r2 import store_from_settings
    from gigsta.resolvers.files.cleanup import purge_abandoned_uploads

    async def started(put_bytes: bool, complete: bool) -> str:
        upload = await create(
            gql,
            booking["customer"],
            purpose="BOOKING_PHOTO",
            bookingId=booking["id"],
            contentType="image/png",
            sizeBytes=len(PNG),
            filename="x.png",
        )
        if put_bytes:
            await put(upload, PNG)
        if complete:
            done = await gql(
                COMPLETE, {"key": upload["key"]}, token=booking["customer"]
            )
            assert done["completeUpload"]["errors"] == []
        return upload["key"]

    abandoned = await started(put_bytes=True, complete=False)
    never_sent = await started(put_bytes=False, complete=False)
    kept = await started(put_bytes=True, complete=True)
    store = store_from_settings(settings)
    await store.start()
    try:
        early = clock.now + timedelta(hours=23)
        assert await purge_abandoned_uploads(store, now=early) == 0
        late = clock.now + timedelta(days=1, seconds=1)
        assert await purge_abandoned_uploads(store, now=late) == 2
        assert await store.head(abandoned) is None
        assert await store.head(kept) is not None
    finally:
        await store.aclose()
    remaining = [a["key"] async for a in raw_db["attachments"].find({})]
    assert remaining == [kept]
    assert never_sent not in remaining


async def test_worker_documents_are_loaded_in_one_query(
    gql, raw_db, clock, command_counter
):
    from datetime import UTC, datetime

    from bson import ObjectId

    now = datetime(2026, 11, 1, tzinfo=UTC)
    worker_ids = [ObjectId() for _ in range(5)]
    await raw_db["workers"].insert_many(
        [
            {
                "_id": wid,
                "user_id": ObjectId(),
                "name": f"W{i}",
                "country": "NZ",
                "services": [],
                "currency": "NZD",
                "bio": "",
                "created_at": now,
                "updated_at": now,
            }
            for i, wid in enumerate(worker_ids)
        ]
    )
    await raw_db["attachments"].insert_many(
        [
            {
                "key": f"worker-documents/{wid}/{n}.pdf",
                "purpose": "WORKER_DOCUMENT",
                "status": "ready",
                "uploader_user_id": ObjectId(),
                "owner_worker_id": wid,
                "content_type": "application/pdf",
                "size_bytes": 10,
                "filename": f"licence-{n}.pdf",
                "created_at": now,
            }
            for wid in worker_ids
            for n in range(2)
        ]
    )
    admin = await admin_token(gql, clock)
    query = """query($n: Int) { workers(first: $n) {
        edges { node { documents { filename } } } } }"""
    commands = {}
    for size in (1, 5):
        command_counter.reset()
        data = await gql(query, {"n": size}, token=admin)
        edges = data["workers"]["edges"]
        assert [len(e["node"]["documents"]) for e in edges] == [2] * size
        commands[size] = list(command_counter.commands)
    # one find for the caller's account (every token is checked against it),
    # one for the page of workers, one batched find for their documents
    assert commands[1] == commands[5] == ["find", "find", "find"]


@contextlib.asynccontextmanager
async def files_down(runtime: Any, settings: Any) -> AsyncIterator[None]:
    """The app's file store pointed at a closed port meanwhile."""
    down = store_from_settings(
        settings.model_copy(update={"r2_endpoint_url": closed_port()})
    )
    assert down is not None
    await down.start()
    saved, runtime.files = runtime.files, down
    try:
        yield
    finally:
        runtime.files = saved
        await down.aclose()


async def test_uploads_while_the_file_store_is_down(runtime, settings, gql, booking):
    upload = await create(
        gql, booking["customer"], **photo_fields(booking["id"], "sink.png")
    )
    await put(upload, PNG)
    async with files_down(runtime, settings):
        data = await gql(COMPLETE, {"key": upload["key"]}, token=booking["customer"])
        payload = data["completeUpload"]
        assert payload["attachment"] is None
        assert_unavailable(payload["errors"], "FILE_STORAGE_UNAVAILABLE")
    # Back up: the same upload completes.
    data = await gql(COMPLETE, {"key": upload["key"]}, token=booking["customer"])
    attachment = data["completeUpload"]["attachment"]
    assert attachment is not None
    async with files_down(runtime, settings):
        data = await gql(DELETE, {"id": attachment["id"]}, token=booking["customer"])
        assert_unavailable(
            data["deleteAttachment"]["errors"], "FILE_STORAGE_UNAVAILABLE"
        )
