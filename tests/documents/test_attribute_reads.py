"""Documents read their attributes as plain objects do (not through
lazy_model's `__getattribute__`), which is right only while nothing parses
a document lazily."""

from __future__ import annotations

import re

from gigsta.documents import DOCUMENT_MODELS


def test_documents_read_attributes_as_any_object_does():
    for model in DOCUMENT_MODELS:
        assert model.__getattribute__ is object.__getattribute__, model.__name__


def test_nothing_parses_a_document_lazily(project_root):
    lazily = re.compile(r"\blazy_parse\s*=")  # passed to a find
    assert [
        path.name
        for path in (project_root / "gigsta").rglob("*.py")
        if lazily.search(path.read_text())
    ] == []
