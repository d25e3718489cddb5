"""`python -m gigsta create-admin`: the only way to make an ADMIN account.

Run as a real subprocess against the test database, the way an operator runs
it, with the password from `GIGSTA_ADMIN_PASSWORD` or standard input; the
admin then logs in over GraphQL like anyone else.
"""

from __future__ import annotations

import secrets
import sys

import pytest

from tests.conftest import JWT_SECRET, PASSWORD, run_cli

LOG_IN = """mutation($i: LogInInput!) { logIn(input: $i) {
  token viewer { email role } errors { code } } }"""


@pytest.fixture
def create_admin(settings, project_root, raw_db):
    """Run the command; `password` goes in the environment, `stdin` is piped."""

    def run(email, *, password="", stdin=""):
        return run_cli(
            [sys.executable, "-m", "gigsta", "create-admin", "--email", email],
            env={
                "MONGODB_URI": settings.mongodb_uri,
                "MONGODB_DB": settings.mongodb_db,
                "GIGSTA_JWT_SECRET": JWT_SECRET,
                # Empty means "not set": the command then reads standard input.
                "GIGSTA_ADMIN_PASSWORD": password,
            },
            cwd=project_root,
            input=stdin,
        )

    return run


async def log_in(gql, email, password):
    return (await gql(LOG_IN, {"i": {"email": email, "password": password}}))["logIn"]


def an_email():
    return f"ops{secrets.token_hex(3)}@example.nz"


async def test_the_password_from_the_environment(gql, create_admin, raw_db):
    email = an_email()
    result = create_admin(email.upper(), password=PASSWORD)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    user = await raw_db["users"].find_one({"email": email})
    assert line == f"created admin {email} ({user['_id']})"
    assert PASSWORD not in user["password_hash"]

    login = await log_in(gql, email, PASSWORD)
    assert login["errors"] == []
    assert login["viewer"] == {"email": email, "role": "ADMIN"}
    viewer = await gql("{ viewer { email role } }", token=login["token"])
    assert viewer["viewer"] == {"email": email, "role": "ADMIN"}
    # Only an admin may list workers.
    data = await gql("{ workers { edges { node { id } } } }", token=login["token"])
    assert data["workers"] == {"edges": []}


async def test_the_password_from_standard_input(gql, create_admin):
    email = an_email()
    stdin_password = "piped in, " + secrets.token_hex(4)
    result = create_admin(email, stdin=stdin_password + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"created admin {email} (")
    login = await log_in(gql, email, stdin_password)
    assert login["viewer"] == {"email": email, "role": "ADMIN"}
    # The trailing newline is not part of the password.
    assert (await log_in(gql, email, stdin_password + "\n"))["token"] is None


async def test_a_taken_email_is_refused(gql, create_admin, raw_db):
    email = an_email()
    assert create_admin(email, password=PASSWORD).returncode == 0
    again = create_admin(email.title(), password="another long password")
    assert again.returncode == 1
    assert again.stdout == ""
    assert again.stderr.strip().splitlines()[-1] == (
        "email: An account with this email already exists. (EMAIL_TAKEN)"
    )
    assert await raw_db["users"].count_documents({"email": email}) == 1
    assert (await log_in(gql, email, PASSWORD))["viewer"]["role"] == "ADMIN"

    # A customer's email cannot be turned into an admin's either.
    customer_email = an_email()
    await gql.sign_up(customer_email)
    taken = create_admin(customer_email, password=PASSWORD)
    assert taken.returncode == 1
    assert "(EMAIL_TAKEN)" in taken.stderr
    login = await log_in(gql, customer_email, PASSWORD)
    assert login["viewer"]["role"] == "CUSTOMER"


@pytest.mark.parametrize("how", ["environment", "stdin"])
async def test_a_short_password_is_refused(create_admin, raw_db, how):
    email = an_email()
    short = "too short"  # 9 characters
    result = (
        create_admin(email, password=short)
        if how == "environment"
        else create_admin(email, stdin=short + "\n")
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        "password: Use at least 10 characters. (PASSWORD_TOO_SHORT)"
    )
    assert await raw_db["users"].count_documents({"email": email}) == 0
