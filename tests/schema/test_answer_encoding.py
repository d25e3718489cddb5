"""Answers are compact JSON in UTF-8 (encoded by orjson in the view)."""

from __future__ import annotations


async def test_answers_are_compact_utf8_json(gql):
    token, _ = await gql.sign_up("kiri@example.nz", name="Kiri Ngā")
    response = await gql.raw("{ viewer { customer { name } } }", token=token)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "Kiri Ngā".encode() in response.content  # not \\u-escaped
    assert b'{"data":{"viewer":{"customer":{"name":"Kiri Ng' in response.content
    assert response.json()["data"]["viewer"]["customer"]["name"] == "Kiri Ngā"
