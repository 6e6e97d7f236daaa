"""The single page app is served for every page path, its assets from static/, never for /api."""

import pytest
import webtest

from dcs.web.app import create_app

from ..conftest import assert_error, make_settings


@pytest.fixture
def spa(tmp_path, db):
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>DCS</title><div id=app></div>")
    (static / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "secret.txt").write_text("do not serve me")
    app = create_app(make_settings(tmp_path, static_dir=str(static)))
    return webtest.TestApp(app)


@pytest.mark.parametrize("path", ["/", "/devices", "/admin/users", "/audit?action=user."])
def test_every_page_path_gets_the_app_so_reloading_works(spa, path):
    response = spa.get(path)
    assert response.content_type == "text/html"
    assert "<div id=app>" in response.text
    assert response.headers["Cache-Control"] == "no-cache"


def test_hashed_assets_are_served_with_a_long_immutable_cache(spa):
    response = spa.get("/assets/index-abc123.js")
    assert "console.log" in response.text
    assert "immutable" in response.headers["Cache-Control"]


def test_a_missing_file_is_a_404_not_the_app(spa):
    assert_error(spa.get("/assets/missing.js", expect_errors=True), 404)


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
                                  "/assets/%2e%2e/%2e%2e/secret.txt"])
def test_paths_outside_static_are_never_served(spa, path):
    response = spa.get(path, expect_errors=True)
    assert "do not serve me" not in response.text


def test_an_unbuilt_app_says_how_to_build_it(tmp_path, db):
    app = webtest.TestApp(create_app(make_settings(tmp_path, static_dir=str(tmp_path / "nothing"))))
    assert_error(app.get("/devices", expect_errors=True), 503, "make run")
