"""The OpenAPI document is generated from the route table and lists every route."""

from dcs.web.openapi import openapi_path


def test_every_route_is_in_the_openapi_document_with_its_permission(app, client):
    document = client.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.")
    routes = app.config["dcs.api"].routes
    assert routes
    for route in routes:
        path, _ = openapi_path(route.rule)
        operation = document["paths"][path][route.method.lower()]
        assert operation["x-permission"] == route.config["perm"]
        assert operation["summary"], f"{route.method} {route.rule} has no summary (docstring)"
    operations = sum(len(methods) for methods in document["paths"].values())
    assert operations == len(routes)


def test_request_bodies_are_described_with_their_fields(client):
    document = client.get("/api/openapi.json").json
    schema = document["paths"]["/api/users"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"username", "password"}
    assert schema["properties"]["memberships"]["items"]["properties"]["role"]["enum"] == [
        "viewer", "member", "operator", "expert"]


def test_path_parameters_are_converted_and_typed():
    assert openapi_path("/api/tokens/<token_id:int>") == (
        "/api/tokens/{token_id}", [{"name": "token_id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}])
