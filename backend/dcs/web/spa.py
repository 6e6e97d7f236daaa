"""Serving the built single page app: real files from static/, index.html for every other page path.

History-mode routes (/devices, /admin/users ...) therefore work on reload. Paths under /api never
reach here (the route excludes them), so an unknown API address is a JSON 404, not a page.
"""

from pathlib import Path

from bottle import HTTPResponse, static_file

from .errors import error_response

INDEX = "index.html"


def register(app, static_dir):
    root = Path(static_dir).resolve()

    def page(path=""):
        candidate = (root / path).resolve() if path else root / INDEX
        if path and candidate.is_file() and root in candidate.parents:
            response = static_file(str(candidate.relative_to(root)), root=str(root))
            if path.startswith("assets/"):
                response.set_header("Cache-Control", "public, max-age=31536000, immutable")
            return response
        if not (root / INDEX).is_file():
            return error_response(503, "The web interface is not built yet: run `make run` (or `npm run build`).")
        if "." in path.rsplit("/", 1)[-1]:
            return error_response(404, f"There is no file /{path}.")
        response = static_file(INDEX, root=str(root))
        if isinstance(response, HTTPResponse):
            response.set_header("Cache-Control", "no-cache")
        return response

    app.route("/", "GET", page)
    app.route("/<path:re:(?!api(/|$)).+>", "GET", page)
