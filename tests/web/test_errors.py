"""Every /api error has one shape, from Bottle's own 404/405/413 to a crash, and never leaks a traceback."""

import logging

from dcs.db import database

from ..conftest import assert_error


def test_an_unknown_api_address_is_a_json_404_not_the_web_page(client):
    assert_error(client.get("/api/no/such/thing", expect_errors=True), 404)
    assert_error(client.post("/api/no/such/thing", expect_errors=True), 404)
    assert_error(client.get("/api", expect_errors=True), 404, "/api/")


def test_a_wrong_method_is_a_json_405_that_lists_the_right_ones(client):
    response = client.put("/api/groups", expect_errors=True)
    assert_error(response, 405)
    assert set(response.headers["Allow"].split(",")) == {"GET", "POST"}


def test_a_body_over_the_limit_is_a_json_413_and_nothing_is_read(app, client, people, settings):
    big = b'{"username": "' + b"a" * settings.max_body + b'", "password": "x"}'
    response = client.post("/api/auth/login", big, content_type="application/json", expect_errors=True)
    assert_error(response, 413, str(settings.max_body))


def test_a_crash_is_a_json_500_with_a_fixed_sentence_and_the_traceback_only_in_the_log(login, caplog):
    vera = login("vera")
    database.execute_sql("DROP TABLE devices")
    with caplog.at_level(logging.ERROR, logger="dcs.web"):
        response = vera.get("/api/devices")
    body = assert_error(response, 500, "went wrong")
    assert "devices" not in body["error"] and "sqlite" not in response.text.lower()
    assert "no such table: devices" in caplog.text and "Traceback" in caplog.text


def test_api_answers_are_not_cached_and_carry_security_headers(client):
    response = client.get("/api/health")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_real_server_answers_an_oversize_body_with_the_json_413(tmp_path, people):
    import json
    import urllib.error
    import urllib.request

    from ..server import dcs_env, serving

    with serving(dcs_env(tmp_path, DCS_MAX_BODY="64K")) as server:
        body = json.dumps({"username": "x" * 70000, "password": "y"}).encode()
        request = urllib.request.Request(server.base_url + "/api/auth/login", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 413
            answer = json.load(error)
        assert answer == {"ok": False, "status": 413,
                          "error": f"The request body is too large ({len(body)} bytes; at most 65536)."}
