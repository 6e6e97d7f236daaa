"""Calibration constants over HTTP: lookups, immutable version URLs, uploads by work-space, bad input."""

import dataclasses
import io

import h5py
import numpy as np
import pytest
from dcs.web.app import create_app

from ..conftest import Browser, assert_error, snapshot

ARRAY = np.random.default_rng(5).normal(1500, 4, size=(32, 185, 388)).astype("f4")


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def upload(client, detname="cspad-0001", ctype="pedestals", array=ARRAY, query="begin=1000", **kw):
    return client.request("POST", f"/api/calib/{detname}/{ctype}?{query}", raw=npy(array) if array is not None
                          else kw.pop("raw"), content_type=kw.pop("content_type", "application/x-npy"), **kw)


def test_an_expert_uploads_and_anyone_reading_gets_the_same_bits(login):
    erin = login("erin")
    created = upload(erin, query="begin=2016-10-27T14:05:00%2B02:00&comment=dark%20run%2012")
    assert created.status_int == 201, created.text
    meta = created.json
    assert meta["version"]["versind"] == 1 and meta["range"]["name"] == "1477569900-end"
    assert created.headers["Location"] == meta["url"]
    vera = login("vera")
    found = vera.get("/api/calib/cspad-0001/pedestals?t=1477570000").json
    assert found["version"]["sha256"] == meta["version"]["sha256"] and found["version"]["comment"] == "dark run 12"
    as_npy = vera.get("/api/calib/cspad-0001/pedestals?t=1477570000&format=npy")
    assert as_npy.headers["ETag"] == f'"{meta["version"]["sha256"]}"' and as_npy.headers["Cache-Control"] == "no-cache"
    assert np.load(io.BytesIO(as_npy.body)).tobytes() == ARRAY.tobytes()
    by_accept = vera.get("/api/calib/cspad-0001/pedestals?t=1477570000", headers={"Accept": "application/octet-stream"})
    assert by_accept.body == as_npy.body


def test_version_urls_are_immutable_with_a_strong_etag_and_answer_304(login, token_for):
    url = upload(login("erin")).json["url"]
    reader, _ = token_for("vera", ["read"])
    first = reader.get(url)
    assert first.status_int == 200 and "immutable" in first.headers["Cache-Control"]
    again = reader.app.get(url, headers={**reader.headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_int == 304 and again.body == b""
    wrong = url.replace(url.split("/")[-1][:8], "00000000")
    assert_error(reader.get(wrong), 404)


def test_one_version_downloads_as_a_self_contained_hdf5_file(login):
    meta = upload(login("erin")).json
    body = login("vera").get(meta["h5_url"]).body
    with h5py.File(io.BytesIO(body), "r") as f:
        (version,) = f["pedestals/1000-end"].values()
        assert version["calib"][()].tobytes() == ARRAY.tobytes()
        assert version.attrs["sha256"] == meta["version"]["sha256"]


def test_browse_lists_detectors_and_one_detectors_tree(login):
    erin = login("erin")
    upload(erin)
    upload(erin, query="begin=5000&end=6000")
    vera = login("vera")
    assert vera.get("/api/calib").json["detectors"] == [
        {"detname": "cspad-0001", "workspace": "repository", "ctypes": ["pedestals"]}]
    tree = vera.get("/api/calib/cspad-0001").json["workspaces"]["repository"]["pedestals"]
    assert [r["name"] for r in tree] == ["1000-end", "5000-6000"]
    assert_error(vera.get("/api/calib/pnccd-0001"), 404, "no constants")


def test_members_write_only_where_their_role_allows(login):
    from dcs.audit import Actor
    from dcs.runs import add_experiment

    add_experiment(Actor("test"), "xpp1", "XPP", group="ecal")
    add_experiment(Actor("test"), "cxi2", "CXI", group="shift")
    maya = login("maya")
    before = snapshot()
    assert_error(upload(maya), 403, "repository is for experts")
    assert_error(upload(maya, query="begin=1000&workspace=sandbox:xpp1:erin"), 403, "belongs to erin")
    assert snapshot() == before
    assert upload(maya, query="begin=1000&workspace=sandbox:xpp1:maya").status_int == 201
    assert upload(maya, query="begin=1000&workspace=experiment:xpp1").status_int == 201
    assert_error(upload(maya, query="begin=1000&workspace=experiment:cxi2"), 403, "members of its group, shift")
    assert_error(upload(maya, query="begin=1000&workspace=experiment:nope"), 404, "no experiment named 'nope'")
    assert_error(upload(login("vera"), query="begin=1000&workspace=experiment:xpp1"), 403, "members and up")
    assert_error(upload(login("vera"), query="begin=1000&workspace=sandbox:xpp1:vera"), 403)


@pytest.mark.parametrize("raw, content_type, status, words", [
    (b"not numpy", "application/x-npy", 400, "not a valid .npy"),
    (b"\x93NUMPY\x01\x00{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }" + b" " * 60 + b"\n\x00",
     "application/x-npy", 400, "not a valid .npy"),
    (b"{}", "application/json", 415, ".npy"),
])
def test_a_body_that_is_not_a_valid_npy_is_refused_and_nothing_written(login, raw, content_type, status, words):
    erin = login("erin")
    before = snapshot()
    assert_error(upload(erin, array=None, raw=raw, content_type=content_type), status, words)
    assert snapshot() == before


def test_a_pickled_array_is_refused(login):
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    response = login("erin").request("POST", "/api/calib/cspad-0001/pedestals?begin=1000", raw=buffer.getvalue(),
                                     content_type="application/x-npy")
    assert_error(response, 400, "pickle")


@pytest.mark.parametrize("path, status, words", [
    ("/api/calib/cspad-0001/pedestals", 400, "t (Unix seconds"),
    ("/api/calib/cspad-0001/pedestals?t=999", 404, "No pedestals constants"),
    ("/api/calib/cspad-0001/pedestals?t=5000&set=nope", 404, "nope"),
    ("/api/calib/cspad-0001/pedestals?t=5000&format=xml", 400, "json or npy"),
    ("/api/calib/cspad-0001/pedestal?t=5000", 400, "not known"),
    ("/api/calib/..%2f..%2fetc-x/pedestals?t=5000", 404, "nothing at this address"),
    ("/api/calib/..-x/pedestals?t=5000", 400, "detector type"),
    ("/api/calib/cspad-0001/pedestals?t=5000&versind=-1", 400, "versind"),
    ("/api/calib/cspad-0001/pedestals?t=5000&workspace=../../x", 400, "work-space"),
    ("/api/calib/cspad-0001/pedestals?t=tomorrow", 400, "time"),
])
def test_bad_lookups_get_clear_errors(login, path, status, words):
    upload(login("erin"))
    assert_error(login("vera").get(path), status, words)


def test_an_upload_over_the_limit_is_a_413(settings, people):
    erin = Browser(create_app(dataclasses.replace(settings, max_upload=4096)), "erin")
    before = snapshot()
    assert_error(upload(erin), 413, "too large")
    assert snapshot() == before


def test_a_read_token_reads_constants_but_cannot_write(login, token_for):
    upload(login("erin"))
    reader, _ = token_for("erin", ["read"])
    assert reader.get("/api/calib/cspad-0001/pedestals?t=5000").status_int == 200
    response = reader.app.request("/api/calib/cspad-0001/pedestals?begin=2000", method="POST", body=npy(ARRAY),
                                  headers=reader.headers, content_type="application/x-npy", expect_errors=True)
    assert_error(response, 403, "scope")


def test_missing_begin_is_refused(login):
    assert_error(upload(login("erin"), query="end=5000"), 400, "begin")


def test_a_lookup_by_run_uses_the_runs_begin_time(login):
    from dcs.audit import Actor
    from dcs.runs import add_experiment, add_run

    add_experiment(Actor("test"), "xpp12345")
    add_run(Actor("test"), "xpp12345", 17, 5000)
    upload(login("erin"), query="begin=4000")
    vera = login("vera")
    assert vera.get("/api/calib/cspad-0001/pedestals?run=17&experiment=xpp12345").json["range"]["name"] == "4000-end"
    assert_error(vera.get("/api/calib/cspad-0001/pedestals?run=18&experiment=xpp12345"), 404, "no run 18")
    assert_error(vera.get("/api/calib/cspad-0001/pedestals?run=17"), 400, "together with experiment")
    assert_error(vera.get("/api/calib/cspad-0001/pedestals?run=17&experiment=xpp12345&t=5"), 400, "either t")


def multipart(client, metadata, array_bytes, detname="cspad-0001", ctype="pedestals"):
    boundary = "dcs-boundary-7f3a"
    meta = metadata if isinstance(metadata, bytes) else __import__("json").dumps(metadata).encode()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
            "Content-Type: application/json\r\n\r\n").encode() + meta + (
        f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"array\"; filename=\"a.npy\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n").encode() + array_bytes + f"\r\n--{boundary}--\r\n".encode()
    return client.request("POST", f"/api/calib/{detname}/{ctype}", raw=body,
                          content_type=f"multipart/form-data; boundary={boundary}")


def test_a_multipart_upload_carries_json_metadata_with_the_array(login):
    erin = login("erin")
    created = multipart(erin, {"begin": "2016-10-27T14:05:00+02:00", "comment": "dark run 12",
                               "pars": {"experiment": "xpp12345", "run": 12}}, npy(ARRAY))
    assert created.status_int == 201, created.text
    assert created.json["version"]["comment"] == "dark run 12"
    stored = login("vera").get(created.json["url"])
    assert np.load(io.BytesIO(stored.body)).tobytes() == ARRAY.tobytes()


@pytest.mark.parametrize("metadata, array_bytes, words", [
    (b"{not json", npy(ARRAY[:1]), "not valid JSON"),
    ({"comment": "no begin"}, npy(ARRAY[:1]), "begin is required"),
    ({"begin": "1000", "sneaky": True}, npy(ARRAY[:1]), "sneaky"),
    ({"begin": "1000"}, b"garbage", "not a valid .npy"),
    ({"begin": "1000", "pars": "not an object"}, npy(ARRAY[:1]), "pars"),
])
def test_bad_multipart_uploads_write_nothing(login, metadata, array_bytes, words):
    erin = login("erin")
    before = snapshot()
    assert_error(multipart(erin, metadata, array_bytes), 400, words)
    assert snapshot() == before


def test_the_history_of_a_file_and_of_a_range(login):
    upload(login("erin"), query="begin=1000&comment=first")
    vera = login("vera")
    whole = vera.get("/api/calib/cspad-0001/history").json
    assert whole["path"] == "/" and "created the file" in whole["history"][0]["record"]
    rng = vera.get("/api/calib/cspad-0001/history?ctype=pedestals&range=1000-end").json["history"]
    assert [h["record"] for h in rng] == ["created validity range 1000-end", rng[1]["record"]]
    assert rng[1]["record"].startswith("added version 1")
    assert_error(vera.get("/api/calib/cspad-0001/history?ctype=pixel_rms"), 404, "holds no pixel_rms")
    assert_error(vera.get("/api/calib/pnccd-0001/history"), 404, "no file")
