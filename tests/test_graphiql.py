"""GraphiQL's page and its files, all served by the API itself."""

from __future__ import annotations

import re

import pytest

from gigsta.graphiql import ASSETS, graphiql_page

HTML = {"Accept": "text/html"}


async def page_references(http):
    page = await http.get("/graphql", headers=HTML)
    assert page.status_code == 200, page.text
    return re.findall(r'(?:src|href)="([^"]+)"', page.text)


async def test_the_page_loads_nothing_from_another_host(http):
    references = await page_references(http)
    assert len(references) == 9  # icon, 3 stylesheets, 5 scripts
    for reference in references:
        assert reference.startswith(("/graphiql/", "data:")), reference


async def test_every_file_the_page_loads_is_served(http):
    for reference in await page_references(http):
        if reference.startswith("data:"):
            continue
        response = await http.get(reference)
        assert response.status_code == 200, reference
        kind = "javascript" if reference.endswith(".js") else "css"
        assert kind in response.headers["content-type"], reference
        assert len(response.content) > 300, reference


async def test_the_files_are_revalidated_not_refetched(http):
    first = await http.get("/graphiql/graphiql.min.js")
    assert first.headers["cache-control"] == "no-cache"
    again = await http.get(
        "/graphiql/graphiql.min.js", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-cache"
    assert again.content == b""


async def test_the_licences_are_served_with_the_code(http):
    for name in [n for n in ASSETS if n.startswith("licenses/")]:
        response = await http.get(f"/graphiql/{name}")
        assert response.status_code == 200, name
        assert "MIT License" in response.text, name


@pytest.mark.parametrize(
    "path",
    [
        "/graphiql/node_modules/graphiql/package.json",
        "/graphiql/package.json",
        "/graphiql/../../pyproject.toml",
        "/graphiql/%2e%2e/%2e%2e/pyproject.toml",
        "/graphiql/graphiql.min.js.map",
        "/graphiql/",
    ],
)
async def test_nothing_but_the_listed_files_is_served(http, path):
    response = await http.get(path)
    assert response.status_code == 404, path


def test_without_its_files_the_page_says_how_to_get_them(tmp_path):
    response = graphiql_page(tmp_path)
    assert response.status_code == 503
    text = bytes(response.body).decode()
    assert "make graphiql" in text
    assert "node_modules/graphiql/graphiql.min.js" in text


async def test_production_serves_no_graphiql_files(production):
    response = await production.get("/graphiql/graphiql.min.js")
    assert response.status_code == 404
