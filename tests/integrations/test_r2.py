"""The R2 client against moto's S3 server, over real HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from gigsta.integrations.r2 import ObjectStore
from tests.fixtures_places import TEST_BUCKET


@pytest.fixture
async def store(places_settings):
    s = ObjectStore(
        endpoint_url=places_settings["R2_ENDPOINT_URL"],
        bucket=TEST_BUCKET,
        access_key_id=places_settings["R2_ACCESS_KEY_ID"],
        secret_access_key=places_settings["R2_SECRET_ACCESS_KEY"],
        region="auto",
    )
    await s.start()
    yield s
    await s.aclose()


async def test_presigned_put_is_sigv4_for_region_auto_with_type_and_length_signed(
    store,
):
    url = await store.presign_put(
        "t/a.png", content_type="image/png", size_bytes=5, expires_in=900
    )
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Credential"].split("/")[2:] == ["auto", "s3", "aws4_request"]
    assert params["X-Amz-Expires"] == "900"
    signed = params["X-Amz-SignedHeaders"].split(";")
    assert "content-length" in signed
    assert "content-type" in signed
    assert "Signature" not in params  # not the old (SigV2) query scheme


async def test_put_head_get_delete_round_trip(store):
    body = b"\x89PNG fake image bytes"
    url = await store.presign_put(
        "t/round-trip.png",
        content_type="image/png",
        size_bytes=len(body),
        expires_in=900,
    )
    async with httpx.AsyncClient() as http:
        put = await http.put(url, content=body, headers={"Content-Type": "image/png"})
        assert put.status_code == 200
        info = await store.head("t/round-trip.png")
        assert info is not None
        assert (info.size, info.content_type) == (len(body), "image/png")
        get_url = await store.presign_get("t/round-trip.png", expires_in=60)
        assert "X-Amz-Signature=" in get_url
        assert (await http.get(get_url)).content == body
    await store.delete("t/round-trip.png")
    assert await store.head("t/round-trip.png") is None


async def test_head_of_a_missing_object_is_none(store):
    assert await store.head("t/never-uploaded.png") is None
