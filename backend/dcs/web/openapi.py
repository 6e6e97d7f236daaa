"""The OpenAPI 3 document, generated from the route table: path, method, summary, permission, body."""

import re

from .. import __version__
from ..auth.permissions import PERMISSIONS

_WILDCARD = re.compile(r"<(\w+)(?::(\w+)(?::[^>]*)?)?>")
ERROR_SCHEMA = {
    "type": "object",
    "required": ["ok", "error", "status"],
    "properties": {"ok": {"type": "boolean", "enum": [False]}, "error": {"type": "string"},
                   "status": {"type": "integer"},
                   "errors": {"type": "array", "items": {"type": "object", "properties": {
                       "field": {"type": "string"}, "error": {"type": "string"}}}}},
}


def openapi_path(rule):
    """Bottle's /api/users/<username> -> OpenAPI's /api/users/{username}, with the parameters."""
    params = []

    def replace(match):
        name, kind = match.group(1), match.group(2)
        params.append({"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer" if kind == "int" else "string"}})
        return "{" + name + "}"

    return _WILDCARD.sub(replace, rule), params


def document(routes):
    paths = {}
    for route in routes:
        path, params = openapi_path(route.rule)
        perm = PERMISSIONS[route.config["perm"]]
        doc = (route.get_undecorated_callback().__doc__ or route.name or "").strip()
        summary, _, description = doc.partition("\n")
        operation = {
            "operationId": route.get_undecorated_callback().__name__,
            "summary": summary.strip(),
            "tags": [route.config.get("tag", "misc")],
            "x-permission": perm.name,
            "description": (description.strip() + f"\n\nAllowed for {perm.description}.").strip(),
            "parameters": params,
            "responses": {
                "200": {"description": "Success: a JSON object with \"ok\": true."},
                "default": {"description": "An error.", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        }
        if not perm.anonymous:
            operation["security"] = [{"session": []}, {"bearer": []}]
        else:
            operation["security"] = []
        body = route.config.get("body")
        if body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body.schema()}}}
        for name, text in route.config.get("query", ()):
            operation["parameters"].append({"name": name, "in": "query", "required": False,
                                            "description": text, "schema": {"type": "string"}})
        paths.setdefault(path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "DCS portal API", "version": __version__,
                 "description": "Every error is {\"ok\": false, \"error\": sentence, \"status\": code}."},
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "dcs_session",
                            "description": "Browser session; writes also need the X-CSRF-Token header."},
                "bearer": {"type": "http", "scheme": "bearer", "description": "API token (dcs_...)."},
            },
        },
    }
