"""Relay's `node(id:)` and `nodes(ids:)`: every type with an id, refetched by
its global id, shows exactly what the type's own field would show the viewer
(null for the rest), in a constant number of database commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from gigsta.resolvers.accounts.sign_in import create_admin
from tests.conftest import PASSWORD
from tests.ids import global_id, raw_id

NODE = """query($id: ID!) { node(id: $id) { __typename id } }"""
NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"""


@dataclass
class World:
    tokens: dict[str, str | None]  # role name -> token (None: anonymous)
    ids: dict[str, str]  # object name -> global id


def booking_doc(customer: str, worker: str, status: str, minute: int) -> dict:
    at = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minute)
    return {
        "_id": ObjectId(),
        "customer_id": ObjectId(raw_id(customer)),
        "worker_id": ObjectId(raw_id(worker)),
        "service": "cleaning",
        "description": "job",
        "scheduled_start": at + timedelta(days=3),
        "scheduled_end": at + timedelta(days=3, hours=2),
        "status": status,
        "version": 1,
        "history": [],
        "created_at": at,
        "updated_at": at,
        "time_zone": "Pacific/Auckland",
    }


def attachment_doc(user: str, purpose: str, status: str = "ready", **owner) -> dict:
    return {
        "_id": ObjectId(),
        "key": f"k/{ObjectId()}",
        "purpose": purpose,
        "status": status,
        "uploader_user_id": ObjectId(raw_id(user)),
        "content_type": "image/png",
        "size_bytes": 10,
        "filename": "f.png",
        "created_at": datetime(2026, 11, 1, tzinfo=UTC),
        **owner,
    }


@pytest.fixture
async def world(gql, raw_db, clock) -> World:
    """Two customers and two workers; a booking of each pair's (one of them
    still waiting for its card, so hidden from its worker); photos and a
    worker's document."""
    tokens: dict[str, str | None] = {"anonymous": None}
    ids: dict[str, str] = {}
    for name, role in [
        ("kim", "CUSTOMER"),
        ("lee", "CUSTOMER"),
        ("mere", "WORKER"),
        ("sam", "WORKER"),
    ]:
        token, viewer = await gql.sign_up(f"{name}@example.nz", role=role)
        tokens[name] = token
        ids[f"{name}.user"] = viewer["id"]
        profile = viewer["customer"] or viewer["worker"]
        ids[f"{name}.profile"] = profile["id"]
    await create_admin(email="admin@example.nz", password=PASSWORD, now=clock.now)
    login = await gql(
        "mutation($i: LogInInput!) { logIn(input: $i) { token } }",
        {"i": {"email": "admin@example.nz", "password": PASSWORD}},
    )
    tokens["admin"] = login["logIn"]["token"]

    kim, lee = ids["kim.profile"], ids["lee.profile"]
    mere, sam = ids["mere.profile"], ids["sam.profile"]
    bookings = {
        "requested": booking_doc(kim, mere, "requested", 1),
        "unpaid": booking_doc(kim, mere, "pending_payment", 2),
        "other": booking_doc(lee, sam, "accepted", 3),
    }
    await raw_db["bookings"].insert_many(list(bookings.values()))
    for name, doc in bookings.items():
        ids[f"booking.{name}"] = global_id("Booking", doc["_id"])
    files = {
        "photo": attachment_doc(
            ids["kim.user"], "BOOKING_PHOTO", booking_id=bookings["requested"]["_id"]
        ),
        "unpaid_photo": attachment_doc(
            ids["kim.user"], "BOOKING_PHOTO", booking_id=bookings["unpaid"]["_id"]
        ),
        "pending_photo": attachment_doc(
            ids["kim.user"],
            "BOOKING_PHOTO",
            status="pending",
            booking_id=bookings["requested"]["_id"],
        ),
        "document": attachment_doc(
            ids["mere.user"],
            "WORKER_DOCUMENT",
            owner_worker_id=ObjectId(raw_id(mere)),
        ),
    }
    await raw_db["attachments"].insert_many(list(files.values()))
    for name, doc in files.items():
        ids[f"file.{name}"] = global_id("Attachment", doc["_id"])
    return World(tokens, ids)


# Who sees what: the rules of `booking(id:)`, `customer(id:)`, `worker(id:)`,
# `viewer`, `Booking.attachments` and `Worker.documents`.
EVERYONE = {"anonymous", "kim", "lee", "mere", "sam", "admin"}
SEEN_BY = {
    "booking.requested": {"kim", "mere", "admin"},
    "booking.unpaid": {"kim", "admin"},  # its worker waits for the card hold
    "booking.other": {"lee", "sam", "admin"},
    "kim.profile": {"kim", "admin"},
    "lee.profile": {"lee", "admin"},
    "mere.profile": EVERYONE,  # worker profiles are public
    "sam.profile": EVERYONE,
    "kim.user": {"kim", "admin"},
    "mere.user": {"mere", "admin"},
    "file.photo": {"kim", "mere", "admin"},
    "file.unpaid_photo": {"kim", "admin"},
    "file.pending_photo": set(),  # not uploaded yet: listed nowhere
    "file.document": {"mere", "admin"},
}
TYPE_OF = {
    "booking": "Booking",
    "file": "Attachment",
    "user": "User",
    "kim.profile": "Customer",
    "lee.profile": "Customer",
    "mere.profile": "Worker",
    "sam.profile": "Worker",
}


def type_of(name: str) -> str:
    return (
        TYPE_OF.get(name)
        or TYPE_OF.get(name.split(".", maxsplit=1)[0])
        or TYPE_OF["user"]
    )


@pytest.mark.parametrize("role", sorted(EVERYONE))
async def test_node_and_nodes_show_each_type_as_its_own_field_does(gql, world, role):
    token = world.tokens[role]
    names = list(SEEN_BY)
    expected = [
        {"__typename": type_of(n), "id": world.ids[n]} if role in SEEN_BY[n] else None
        for n in names
    ]
    data = await gql(NODES, {"ids": [world.ids[n] for n in names]}, token=token)
    assert dict(zip(names, data["nodes"], strict=True)) == dict(
        zip(names, expected, strict=True)
    )
    for name, one in zip(names, expected, strict=True):
        data = await gql(NODE, {"id": world.ids[name]}, token=token)
        assert data["node"] == one, name


@pytest.mark.parametrize("role", ["kim", "mere", "sam", "admin"])
async def test_node_agrees_with_the_types_own_query(gql, world, role):
    token = world.tokens[role]
    for name, field in [
        ("booking.requested", "booking"),
        ("booking.unpaid", "booking"),
        ("booking.other", "booking"),
        ("kim.profile", "customer"),
        ("mere.profile", "worker"),
    ]:
        gid = world.ids[name]
        own = await gql(
            f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}", {"id": gid}, token=token
        )
        node = await gql(NODE, {"id": gid}, token=token)
        assert (own[field] is None) == (node["node"] is None), (name, role)


async def test_node_fields_resolve_like_the_types_own(gql, world):
    query = """query($ids: [ID!]!) { nodes(ids: $ids) {
      ... on Booking { status customer { id } worker { id name } }
      ... on Worker { name }
      ... on User { email }
      ... on Attachment { filename } } }"""
    ids = [world.ids[n] for n in ("booking.requested", "mere.profile", "kim.user")]
    data = await gql(query, {"ids": ids}, token=world.tokens["kim"])
    booking, worker, user = data["nodes"]
    assert booking["status"] == "REQUESTED"
    assert booking["customer"]["id"] == world.ids["kim.profile"]
    assert booking["worker"]["id"] == world.ids["mere.profile"]
    assert worker == {"name": "Kim"}  # sign_up's default name
    assert user == {"email": "kim@example.nz"}


async def test_nodes_keep_the_order_and_repeats_asked(gql, world):
    order = ["mere.profile", "booking.requested", "mere.profile", "booking.other"]
    data = await gql(
        NODES, {"ids": [world.ids[n] for n in order]}, token=world.tokens["mere"]
    )
    assert [n and n["id"] for n in data["nodes"]] == [
        world.ids["mere.profile"],
        world.ids["booking.requested"],
        world.ids["mere.profile"],
        None,
    ]


async def test_an_unknown_document_of_a_known_type_is_null(gql, world):
    for kind in ("Booking", "Worker", "Customer", "User", "Attachment"):
        data = await gql(
            NODE, {"id": global_id(kind, ObjectId())}, token=world.tokens["admin"]
        )
        assert data["node"] is None, kind


async def errors_of(gql, query, variables, token=None):
    response = await gql.raw(query, variables, token=token)
    assert response.status_code == 200, response.text
    return [e["extensions"]["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(str(ObjectId()), id="raw document id"),
        pytest.param("not an id", id="garbage"),
        pytest.param(global_id("Payment", ObjectId()), id="unknown type"),
        pytest.param(global_id("Booking", "12"), id="not a document id"),
        pytest.param("x" * 5000, id="huge"),
    ],
)
async def test_an_id_we_did_not_make_is_bad_input(gql, world, bad):
    admin = world.tokens["admin"]
    assert await errors_of(gql, NODE, {"id": bad}, admin) == ["BAD_USER_INPUT"]
    ids = [world.ids["mere.profile"], bad]
    assert await errors_of(gql, NODES, {"ids": ids}, admin) == ["BAD_USER_INPUT"]


async def test_an_id_of_another_type_is_refused_where_one_type_is_expected(gql, world):
    admin = world.tokens["admin"]
    worker_id = world.ids["mere.profile"]
    booking_id = world.ids["booking.requested"]
    for field, wrong in [
        ("booking", worker_id),
        ("customer", worker_id),
        ("worker", booking_id),
    ]:
        query = f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}"
        assert await errors_of(gql, query, {"id": wrong}, admin) == ["BAD_USER_INPUT"]
    # A mutation reports it as data, on the field.
    data = await gql(
        """mutation($i: PerformBookingActionInput!) { performBookingAction(input: $i) {
             booking { id } errors { field code message } } }""",
        {"i": {"bookingId": worker_id, "action": "accept", "expectedVersion": 1}},
        token=world.tokens["mere"],
    )
    assert data["performBookingAction"] == {
        "booking": None,
        "errors": [
            {
                "field": "bookingId",
                "code": "INVALID",
                "message": "`bookingId` must be the id of a Booking.",
            }
        ],
    }
    data = await gql(
        "mutation($id: ID!) { deleteAttachment(id: $id) { errors { field code } } }",
        {"id": booking_id},
        token=world.tokens["kim"],
    )
    assert data["deleteAttachment"]["errors"] == [{"field": "id", "code": "INVALID"}]


async def test_at_most_100_ids(gql, world):
    worker = world.ids["mere.profile"]
    data = await gql(NODES, {"ids": [worker] * 100})
    assert len(data["nodes"]) == 100
    assert await errors_of(gql, NODES, {"ids": [worker] * 101}) == ["TOO_LONG"]


async def test_ids_given_back_refetch_the_same_object(gql, world):
    """Ids from lists, from nested fields and from history are all node ids."""
    data = await gql(
        """{ bookings(first: 10) { edges { node { id customer { id } worker { id }
             attachments { id } } } } }""",
        token=world.tokens["admin"],
    )
    found = []
    for edge in data["bookings"]["edges"]:
        node = edge["node"]
        found += [node["id"], node["customer"]["id"], node["worker"]["id"]]
        found += [a["id"] for a in node["attachments"]]
    again = await gql(NODES, {"ids": found}, token=world.tokens["admin"])
    assert [n["id"] for n in again["nodes"]] == found


PAGE_OF_NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { id
  ... on Booking { status customer { name } worker { name } attachments { id } }
  ... on Customer { name }
  ... on Worker { name }
  ... on User { email }
  ... on Attachment { filename } } }"""


async def test_nodes_cost_a_constant_number_of_commands(
    gql, raw_db, world, command_counter
):
    """However many ids, of however many types: one batched query per type."""
    customers = [
        {
            "_id": ObjectId(),
            "user_id": ObjectId(),
            "name": f"C{i}",
            "country": "NZ",
            "created_at": datetime(2026, 11, 1, tzinfo=UTC),
            "updated_at": datetime(2026, 11, 1, tzinfo=UTC),
        }
        for i in range(40)
    ]
    await raw_db["customers"].insert_many(customers)
    bookings = [
        booking_doc(
            global_id("Customer", c["_id"]), world.ids["mere.profile"], "accepted", i
        )
        for i, c in enumerate(customers)
    ]
    await raw_db["bookings"].insert_many(bookings)
    photos = [
        attachment_doc(world.ids["kim.user"], "BOOKING_PHOTO", booking_id=b["_id"])
        for b in bookings
    ]
    await raw_db["attachments"].insert_many(photos)
    groups = [
        [global_id("Booking", b["_id"]) for b in bookings],
        [global_id("Customer", c["_id"]) for c in customers],
        [global_id("Attachment", a["_id"]) for a in photos],
        [world.ids["mere.profile"], world.ids["sam.profile"]],
        [world.ids["kim.user"], world.ids["mere.user"]],
    ]
    counts = {}
    for size in (5, 20, 100):
        # every type at each size, as many of each as fit
        ids = [groups[i % 5][(i // 5) % len(groups[i % 5])] for i in range(size)]
        command_counter.reset()
        data = await gql(PAGE_OF_NODES, {"ids": ids}, token=world.tokens["admin"])
        assert all(data["nodes"]), "the admin sees everything asked for"
        counts[size] = list(command_counter.commands)
    # The account behind the token, then one batched `$in` each: bookings,
    # customers, attachments, workers and users by id (with the bookings'
    # own customers and workers in the same batches), the photos' bookings,
    # and the bookings' photos.
    assert counts[5] == counts[20] == counts[100] == ["find"] * 7
