from __future__ import annotations


async def test_health_and_ready(http):
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "up"}


async def test_sign_up_then_viewer(gql):
    token, viewer = await gql.sign_up("kim@example.com")
    data = await gql("{ viewer { email role customer { name country } } }", token=token)
    assert data["viewer"] == {
        "email": "kim@example.com",
        "role": "CUSTOMER",
        "customer": {"name": "Kim", "country": "NZ"},
    }
