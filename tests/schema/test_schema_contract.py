"""The schema as clients see it: documented throughout, published in
`schema.graphql`, and with error codes a client can check."""

from __future__ import annotations

import ast
import difflib
import logging
import subprocess
import sys
from pathlib import Path

import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

import gigsta
from gigsta.domain.core import ErrorCode
from gigsta.domain.core import UserError as UserErrorData
from gigsta.schema import build_schema
from gigsta.schema.core.errors import FALLBACK_CODE, UserError, user_errors
from scripts.schema_check import current_schema


def _schema() -> GraphQLSchema:
    return build_schema()._schema


def undocumented(schema: GraphQLSchema) -> list[str]:
    """Every type, field, argument, enum value and input field of ours with
    no description, as schema coordinates (`Type.field(arg:)`)."""
    missing: list[str] = []
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__"):
            continue  # introspection's own types are documented by the spec
        if not (named.description or "").strip():
            missing.append(name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
                missing.extend(
                    f"{name}.{field_name}({arg_name}:)"
                    for arg_name, arg in field.args.items()
                    if not (arg.description or "").strip()
                )
        elif isinstance(named, GraphQLInputObjectType):
            missing.extend(
                f"{name}.{field_name}"
                for field_name, field in named.fields.items()
                if not (field.description or "").strip()
            )
        elif isinstance(named, GraphQLEnumType):
            missing.extend(
                f"{name}.{value_name}"
                for value_name, value in named.values.items()
                if not (value.description or "").strip()
            )
    return missing


def test_everything_in_the_schema_is_documented():
    missing = undocumented(_schema())
    assert not missing, "Add a description to:\n  " + "\n  ".join(missing)


# --- UserErrorCode ------------------------------------------------------------

PACKAGE = Path(gigsta.__file__).parent
# Lists every code to describe it; a code used only there is returned nowhere.
DESCRIPTIONS = PACKAGE / "schema" / "core" / "errors.py"


def codes_named_in_source() -> dict[str, set[str]]:
    """Each `ErrorCode.NAME` written in the package, with the files it is in."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == DESCRIPTIONS:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "ErrorCode"
            ):
                found.setdefault(node.attr, set()).add(str(path.relative_to(PACKAGE)))
    return found


def test_user_error_code_is_an_enum_of_every_domain_code():
    schema = _schema()
    code = schema.type_map["UserError"].fields["code"].type
    assert str(code) == "UserErrorCode!"
    published = set(schema.type_map["UserErrorCode"].values)
    assert published == {member.name for member in ErrorCode}
    assert all(member.name == member.value for member in ErrorCode)


def test_every_code_the_code_base_returns_is_published():
    published = set(_schema().type_map["UserErrorCode"].values)
    used = codes_named_in_source()
    assert used, "the scan found no codes: it is looking in the wrong place"
    unpublished = {name: files for name, files in used.items() if name not in published}
    assert not unpublished, f"codes missing from UserErrorCode: {unpublished}"


def test_every_published_code_is_returned_somewhere():
    used = codes_named_in_source()
    dead = sorted(m.name for m in ErrorCode if m.name not in used)
    assert not dead, f"published codes nothing returns (remove them): {dead}"


def test_an_unknown_code_is_sent_as_the_fallback_not_as_an_error(caplog):
    """Typed code cannot produce one, but a bad value must cost the client only
    the precision of one code, not the whole payload (UserError.code is
    non-null, so a value the enum cannot serialise would null the mutation)."""

    @strawberry.type
    class Query:
        @strawberry.field
        def errors(self) -> list[UserError]:
            return user_errors(
                [
                    UserErrorData(None, ErrorCode.EMAIL_TAKEN, "Taken."),
                    UserErrorData("email", "NOT_A_CODE", "Something odd."),  # type: ignore[arg-type]
                ]
            )

    with caplog.at_level(logging.ERROR, logger="gigsta.schema.core.errors"):
        result = strawberry.Schema(query=Query).execute_sync(
            "{ errors { field code message } }"
        )
    assert result.errors is None
    assert result.data == {
        "errors": [
            {"field": None, "code": "EMAIL_TAKEN", "message": "Taken."},
            {"field": "email", "code": FALLBACK_CODE.name, "message": "Something odd."},
        ]
    }
    assert ["'NOT_A_CODE'" in r.getMessage() for r in caplog.records] == [True]


# --- The published schema -----------------------------------------------------

PUBLISHED = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_the_published_schema_is_the_code_s():
    current = current_schema()
    published = PUBLISHED.read_text() if PUBLISHED.exists() else ""
    if published != current:
        diff = difflib.unified_diff(
            published.splitlines(),
            current.splitlines(),
            "schema.graphql",
            "the code's schema",
            lineterm="",
        )
        pytest.fail(
            "schema.graphql is not the code's schema: run `make schema` and "
            "commit it.\n" + "\n".join(list(diff)[:80])
        )


def test_strawberry_export_schema_writes_the_same_schema(tmp_path):
    out = tmp_path / "schema.graphql"
    strawberry_cli = Path(sys.executable).parent / "strawberry"
    done = subprocess.run(  # noqa: S603 - the installed CLI, as `make schema` runs it
        [
            str(strawberry_cli),
            "export-schema",
            "gigsta.schema:build_schema",
            "--output",
            str(out),
        ],
        cwd=PUBLISHED.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_text() == current_schema()
