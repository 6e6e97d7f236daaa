"""Bad input on every route that takes a body: a clear 4xx in the error shape, and nothing written."""

import json

import pytest

from dcs.web.fields import Body, Bool, Dict, Int, List, Number, Str, Time

from ..conftest import assert_error, fill, snapshot

WRONG = {Str: 12345, Int: "12", Bool: "true", List: "not a list", Dict: ["not", "an", "object"], Body: "text",
         Time: {"not": "a time"}, Number: "12"}


def body_routes(app):
    return [r for r in app.config["dcs.api"].routes if r.config.get("body") is not None]


@pytest.fixture
def admin(login):
    return login("ada")


def each_body_route(app, admin):
    for route in body_routes(app):
        yield route, fill(route.rule), route.config["body"]


def test_malformed_json_is_refused_everywhere(app, admin):
    for route, path, _ in each_body_route(app, admin):
        for raw in (b"{", b"[1, 2", b"{'single': 'quotes'}", b"\xff\xfe{}", b"{\"a\": NaN}", b"", b"   "):
            before = snapshot()
            response = admin.request(route.method, path, raw=raw)
            assert_error(response, 400)
            assert snapshot() == before, f"{route.method} {path} wrote something for {raw!r}"


def test_a_body_that_is_not_an_object_is_refused(app, admin):
    for route, path, _ in each_body_route(app, admin):
        for value in ([], "text", 42, None, True):
            assert_error(admin.request(route.method, path, value), 400, "JSON object")


def test_wrong_content_types_are_refused(app, admin):
    for route, path, _ in each_body_route(app, admin):
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
            response = admin.request(route.method, path, raw=b"{}", content_type=content_type)
            assert_error(response, 415, "application/json")


def test_unknown_fields_are_named_in_the_error(app, admin):
    for route, path, _ in each_body_route(app, admin):
        before = snapshot()
        body = assert_error(admin.request(route.method, path, {"is_superuser": True}), 400, "is_superuser")
        assert {"field": "is_superuser", "error": "is not a known field"} in body["errors"]
        assert snapshot() == before


def test_missing_required_fields_are_each_named(app, admin):
    for route, path, schema in each_body_route(app, admin):
        required = [name for name, field in schema.fields.items() if field.required]
        if not required:
            continue
        body = assert_error(admin.request(route.method, path, {}), 400)
        assert {p["field"] for p in body["errors"] if p["error"] == "is required"} == set(required)


def test_every_field_refuses_a_value_of_the_wrong_type(app, admin):
    for route, path, schema in each_body_route(app, admin):
        for name, field in schema.fields.items():
            before = snapshot()
            wrong = WRONG[type(field)]
            body = assert_error(admin.request(route.method, path, {name: wrong}), 400, name)
            assert any(p["field"] == name and p["error"].startswith("must") for p in body["errors"]), body
            assert snapshot() == before


def test_text_fields_refuse_nul_characters_and_oversize_values(app, admin):
    for route, path, schema in each_body_route(app, admin):
        for name, field in schema.fields.items():
            if not isinstance(field, Str):
                continue
            for hostile in ("bad\x00value", "x" * (field.max_len + 1)):
                body = assert_error(admin.request(route.method, path, {name: hostile}), 400, name)
                assert any(p["field"] == name for p in body["errors"])


def test_a_deeply_nested_body_is_refused_cleanly(admin):
    deep = b"[" * 100000 + b"]" * 100000
    assert_error(admin.request("POST", "/api/groups", raw=deep), 400)


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(admin, settings):
    payload = json.dumps({"name": "big", "description": "x" * settings.max_body}).encode()
    before = snapshot()
    assert_error(admin.request("POST", "/api/groups", raw=payload), 413, "too large")
    assert snapshot() == before


@pytest.mark.parametrize("username", ["../../etc/passwd", "Admin", "a", "x" * 65, "rob ert", "<script>", "1abc",
                                      "ró bert", "a/b", ".hidden", "bob\n"])
def test_hostile_user_names_are_refused(admin, username):
    before = snapshot()
    response = admin.post("/api/users", {"username": username, "password": "long-enough-password"})
    assert_error(response, 400, "user")
    assert snapshot() == before


@pytest.mark.parametrize("name", ["../calib", "ECAL", "e", "has space", "x" * 65])
def test_hostile_group_names_are_refused(admin, name):
    before = snapshot()
    assert_error(admin.post("/api/groups", {"name": name}), 400)
    assert snapshot() == before


def test_memberships_in_unknown_groups_or_with_unknown_roles_write_nothing(admin):
    before = snapshot()
    assert_error(admin.post("/api/users", {"username": "newbie", "password": "long-enough-password",
                                           "memberships": [{"group": "nope", "role": "viewer"}]}), 404, "nope")
    assert_error(admin.put("/api/users/vera/memberships",
                           {"memberships": [{"group": "ecal", "role": "emperor"}]}), 400, "role")
    assert_error(admin.put("/api/users/vera/memberships",
                           {"memberships": [{"group": "ecal", "role": "viewer"}, {"group": "ecal", "role": "expert"}]}),
                 400, "twice")
    assert snapshot() == before


def test_out_of_range_numbers_are_refused(admin):
    for days in (0, -1, 3651, 10**30):
        assert_error(admin.post("/api/tokens", {"name": "t", "scopes": ["read"], "expires_in_days": days}), 400)


@pytest.mark.parametrize("path", ["/api/users/..%2f..%2fetc%2fpasswd", "/api/users/%00", "/api/tokens/abc",
                                  "/api/tokens/99999999999999999999999", "/api/groups/..%2fsecret"])
def test_hostile_addresses_are_clean_404s(admin, path):
    if "groups" in path:
        response = admin.patch(path, {"description": "x"})
    else:
        response = admin.delete(path) if "tokens" in path else admin.get(path)
    assert_error(response, 404)


def test_hostile_query_parameters_are_refused_clearly(login):
    erin = login("erin")
    assert_error(erin.get("/api/audit?limit=abc"), 400, "limit")
    assert_error(erin.get("/api/audit?limit=100000"), 400, "limit")
    assert_error(erin.get("/api/audit?since=yesterday-ish"), 400, "since")
    assert_error(erin.get("/api/audit?before_id=-5"), 400, "before_id")
    assert erin.get("/api/audit?actor=%27%3B%20DROP%20TABLE%20users%3B--").json["entries"] == []
