"""GraphiQL from our own origin: its page and every file the page loads.

The third-party files (GraphiQL, React, React DOM, the explorer plugin) come
from npm packages pinned in `web/graphiql/package-lock.json`, which `make`
installs there with `npm ci`; the page (`index.html`), its start script and
its styles are ours, next to them. Only the files named in `ASSETS` are
served, under `/graphiql/`, so the page reaches no other host (its
Content-Security-Policy, in `gigsta.http_guards`, says so to the browser too).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from starlette.responses import Response
    from starlette.types import Scope

log = logging.getLogger(__name__)

ASSETS_PATH = "/graphiql"

# URL name under ASSETS_PATH -> file under the GraphiQL folder.
_VENDOR = "node_modules/"
ASSETS = {
    "start.js": "start.js",
    "page.css": "page.css",
    "react.production.min.js": _VENDOR + "react/umd/react.production.min.js",
    "react-dom.production.min.js": (
        _VENDOR + "react-dom/umd/react-dom.production.min.js"
    ),
    "graphiql.min.js": _VENDOR + "graphiql/graphiql.min.js",
    "graphiql.min.css": _VENDOR + "graphiql/graphiql.min.css",
    "plugin-explorer.umd.js": _VENDOR + "@graphiql/plugin-explorer/dist/index.umd.js",
    "plugin-explorer.css": _VENDOR + "@graphiql/plugin-explorer/dist/style.css",
    # The licences travel with the code they cover (the page links them).
    "licenses/react.txt": _VENDOR + "react/LICENSE",
    "licenses/react-dom.txt": _VENDOR + "react-dom/LICENSE",
    "licenses/graphiql.txt": _VENDOR + "graphiql/LICENSE",
    "licenses/graphiql-explorer.txt": _VENDOR + "graphiql-explorer/LICENSE",
}

_NOT_INSTALLED = """<!doctype html>
<html><head><meta charset="utf-8"><title>GraphiQL is not installed</title></head>
<body><h1>GraphiQL's files are not installed</h1>
<p>Missing: {missing}. They are npm packages pinned in
<code>web/graphiql/package-lock.json</code>: run <code>make graphiql</code>
(<code>npm ci</code> in <code>web/graphiql</code>), then reload.
The API at this address works without them.</p></body></html>
"""


def missing_files(directory: Path) -> list[str]:
    """The GraphiQL files (relative to `directory`) that are not there."""
    wanted = ["index.html", *ASSETS.values()]
    return [name for name in wanted if not (directory / name).is_file()]


def graphiql_page(directory: Path) -> Response:
    """The GraphiQL page, or, without its files, a page that says how to get
    them (503: the server is fine, this tool of it is not installed)."""
    missing = missing_files(directory)
    if missing:
        return HTMLResponse(
            _NOT_INSTALLED.format(missing=", ".join(missing)), status_code=503
        )
    return HTMLResponse((directory / "index.html").read_text(encoding="utf-8"))


def warn_if_not_installed(directory: Path) -> None:
    missing = missing_files(directory)
    if missing:
        log.warning(
            "GraphiQL's files are missing under %s (%s): run `make graphiql`",
            directory,
            ", ".join(missing),
        )


class GraphiQLAssets(StaticFiles):
    """Static files from the GraphiQL folder, only those named in `ASSETS`.

    Browsers revalidate them on each load (`no-cache`, answered 304 while the
    file is unchanged), so an upgrade shows up at once.
    """

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, check_dir=False)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        relative = ASSETS.get(path)
        if relative is None:
            return "", None
        return super().lookup_path(relative)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = "no-cache"
        return response
