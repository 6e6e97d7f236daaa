"""The calibration workflow over HTTP: generate from a dark run, follow the job, provenance, compare, sets."""

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from dcs import jobs
from dcs.calib.store import CalibStore

from ..calib.darkdata import MEMBER, dark_run, write_frames
from ..conftest import assert_error, snapshot

DET = "andor-0001"


@pytest.fixture
def run(db, people):
    return dark_run()


def run_queued(settings):
    while (job := jobs.claim()) is not None:
        jobs.run(settings, job)


def generated(maya, settings, **extra):
    write_frames(Path(settings.data_root) / "r7.h5", DET)
    answer = maya.post("/api/calib/generate", {"experiment": "xpp1", "run": 7, "detname": DET, "path": "r7.h5",
                                               **extra})
    assert answer.status_int == 202, answer.body
    assert answer.headers["Location"] == f"/api/jobs/{answer.json['job']['id']}"
    run_queued(settings)
    return maya.get(answer.headers["Location"]).json["job"]


def test_generation_runs_as_a_job_whose_result_links_the_new_versions(login, run, settings):
    job = generated(login("maya"), settings)
    assert job["state"] == "done" and job["fraction"] == 1.0 and job["done"] == job["total"] == 40
    assert [v["ctype"] for v in job["result"]["versions"]] == ["pedestals", "pixel_rms", "pixel_status"]
    array = np.load(io.BytesIO(login("vera").get(job["result"]["versions"][0]["url"]).body))
    assert array.shape == (6, 8) and 990 < np.median(array) < 1010


def test_a_version_page_shows_its_provenance_and_the_graph_leads_back_to_the_run_and_file(login, run, settings):
    job = generated(login("maya"), settings)
    status_id = job["result"]["versions"][2]["id"]
    vera = login("vera")
    page = vera.get(f"/api/calib/versions/{status_id}").json
    assert page["ctype"] == "pixel_status" and page["provenance"]["runs"] == [{"experiment": "xpp1", "number": 7}]
    assert page["predecessor"] is None and len(page["provenance"]["files"][0]["sha256"]) == 64
    graph = vera.get(f"/api/calib/versions/{status_id}/provenance").json
    ids = {n["id"] for n in graph["nodes"]}
    assert {f"version:{status_id}", "run:xpp1/7", "file:r7.h5", f"job:{job['id']}"} <= ids
    assert graph["root"] == f"version:{status_id}" and not graph["truncated"]
    assert_error(vera.get("/api/calib/versions/999999"), 404, "no calibration version")


def test_generation_input_is_checked_before_a_job_is_queued(login, run, settings):
    maya, vera = login("maya"), login("vera")
    before = snapshot()
    assert_error(vera.post("/api/calib/generate", {"experiment": "xpp1", "run": 7, "detname": DET}), 403)
    for body, status, words in [
        ({"experiment": "xpp1", "run": 7, "detname": DET}, 400, "no file registered"),
        ({"experiment": "xpp1", "run": 8, "detname": DET, "path": "r7.h5"}, 404, "no run 8"),
        ({"experiment": "xpp1", "run": 7, "detname": "../../etc", "path": "r7.h5"}, 400, "<dettype>-<detid>"),
        ({"experiment": "xpp1", "run": 7, "detname": DET, "path": "/etc/passwd"}, 400, "absolute"),
        ({"experiment": "xpp1", "run": 7, "detname": DET, "path": "r7.h5", "workspace": "repository"}, 403,
         "experts"),
        ({"experiment": "xpp1", "run": 7, "detname": DET, "path": "r7.h5", "workspace": "sandbox:xpp1:erin"}, 403,
         "belongs to erin"),
        ({"experiment": "xpp1", "run": 7, "detname": DET, "path": "r7.h5", "thresholds": {"rms_nsigma": -1}}, 400,
         "rms_nsigma"),
        ({"experiment": "xpp1", "run": 7, "detname": DET, "path": "r7.h5", "runs": "7-3"}, 400, "ends before"),
    ]:
        if "r7.h5" in json.dumps(body) and not (Path(settings.data_root) / "r7.h5").exists():
            write_frames(Path(settings.data_root) / "r7.h5", DET)
        assert_error(maya.post("/api/calib/generate", body), status, words)
    assert {k: v for k, v in snapshot().items() if k != "users"} == {k: v for k, v in before.items() if k != "users"}


def test_a_job_is_cancelled_by_its_submitter_or_an_admin_only(login, run, settings):
    maya, erin, ada = login("maya"), login("erin"), login("ada")
    write_frames(Path(settings.data_root) / "r7.h5", DET)
    job = maya.post("/api/calib/generate", {"experiment": "xpp1", "run": 7, "detname": DET, "path": "r7.h5"}).json
    assert_error(erin.post(f"/api/jobs/{job['job']['id']}/cancel"), 403, "only they or an admin")
    assert maya.post(f"/api/jobs/{job['job']['id']}/cancel").json["job"]["state"] == "cancelled"
    assert_error(ada.post(f"/api/jobs/{job['job']['id']}/cancel"), 409, "already ended")
    assert jobs.claim() is None


def put(store, value, versind_comment=""):
    return store.put(MEMBER, "cspad-0001", "pedestals", value, "2026-11-20T10:00:00Z", workspace="experiment:xpp1",
                     comment=versind_comment, force=True)


def test_comparing_two_versions_gives_statistics_per_panel_and_histograms(login, run, settings):
    store = CalibStore(settings.calib_dir)
    base = np.random.default_rng(3).normal(1000, 2, size=(32, 185, 388)).astype("f4")
    changed = base.copy()
    changed[5, :10, :10] += 25  # 100 pixels of panel 5 moved
    a, b = put(store, base), put(store, changed)
    answer = login("vera").get(f"/api/calib/compare?a={a.id}&b={b.id}&threshold=1&bins=20").json
    assert answer["shape"] == [32, 185, 388] and answer["panels"] == 32
    assert answer["overall"]["changed"] == 100 and answer["overall"]["max"] == pytest.approx(25, abs=1e-3)
    assert [p["changed"] for p in answer["per_panel"]] == [100 if i == 5 else 0 for i in range(32)]
    assert len(answer["histograms"]["diff"]["counts"]) == 20 and sum(answer["histograms"]["b"]["counts"]) == base.size
    alone = login("vera").get(f"/api/calib/compare?a={b.id}&threshold=1").json  # against its predecessor
    assert alone["a"]["version"]["id"] == a.id and alone["overall"]["changed"] == 100
    diff = np.load(io.BytesIO(login("vera").get(f"/api/calib/compare/diff.npy?a={a.id}&b={b.id}").body))
    assert diff.dtype == np.float32 and diff[5, 0, 0] == pytest.approx(25, abs=1e-3) and diff[4].max() == 0


def test_comparisons_that_cannot_be_made_say_why(login, run, settings):
    store = CalibStore(settings.calib_dir)
    a = put(store, np.ones((4, 4), "f4"))
    b = put(store, np.ones((4, 5), "f4"))
    vera = login("vera")
    assert_error(vera.get(f"/api/calib/compare?a={a.id}&b={b.id}"), 400, "different shapes")
    assert_error(vera.get(f"/api/calib/compare?a={a.id}"), 400, "no predecessor")
    assert_error(vera.get(f"/api/calib/compare?a={a.id}&b={b.id}&threshold=abc"), 400, "number")
    assert_error(vera.get(f"/api/calib/compare?a={a.id}&b={b.id}&threshold=-1"), 400, "0 or more")
    assert_error(vera.get(f"/api/calib/compare?a={a.id}&b={b.id}&bins=100000"), 400, "bins")
    assert_error(vera.get("/api/calib/compare"), 400, "required")


def test_the_set_pages_say_what_each_person_may_do_and_the_api_holds_to_it(login, run, settings):
    store = CalibStore(settings.calib_dir)
    version = put(store, np.ones((4, 4), "f4"))
    maya, erin, vera = login("maya"), login("erin"), login("vera")
    created = maya.post("/api/calib/sets", {"name": "good-1", "experiment": "xpp1", "versions": [version.id]})
    assert created.status_int == 201 and created.json["set"]["can"]["propose"]
    assert maya.post("/api/calib/sets/good-1/propose", {}).json["set"]["state"] == "proposed"
    assert maya.get("/api/calib/sets/good-1").json["set"]["can"]["approve"] is False  # the proposer
    assert erin.get("/api/calib/sets/good-1").json["set"]["can"]["approve"] is True
    assert not any(vera.get("/api/calib/sets/good-1").json["set"]["can"].values())
    before = snapshot()
    assert_error(vera.post("/api/calib/sets/good-1/approve", {}), 403)
    assert_error(maya.post("/api/calib/sets/good-1/approve", {}), 403)
    assert_error(erin.post("/api/calib/sets/good-1/reject", {}), 400, "comment")
    assert snapshot() == before
    approved = erin.post("/api/calib/sets/good-1/approve", {"comment": "ok"}).json["set"]
    assert approved["state"] == "approved" and approved["decided_by"] == "erin"
    lookup = vera.get("/api/calib/cspad-0001/pedestals?experiment=xpp1&run=7&workspace=experiment:xpp1").json
    assert lookup["set"] == "good-1"
    assert_error(maya.put("/api/calib/sets/good-1/pins", {"add": [version.id]}), 409, "only a draft")


def test_a_set_made_from_a_snapshot_diffs_against_the_approved_one(login, run, settings):
    store = CalibStore(settings.calib_dir)
    first = put(store, np.ones((4, 4), "f4"))
    maya, erin = login("maya"), login("erin")
    maya.post("/api/calib/sets", {"name": "good-1", "experiment": "xpp1", "snapshot": {"detectors": ["cspad-0001"]}})
    maya.post("/api/calib/sets/good-1/propose", {})
    erin.post("/api/calib/sets/good-1/approve", {})
    second = put(store, np.full((4, 4), 2, "f4"))
    draft = maya.post("/api/calib/sets", {"name": "good-2", "experiment": "xpp1",
                                          "snapshot": {"detectors": ["cspad-0001"]}}).json["set"]
    assert draft["previous_approved"] == "good-1"
    (change,) = draft["diff"]["changed"]
    assert (change["from"]["version_id"], change["to"]["version_id"]) == (first.id, second.id)
    assert_error(maya.post("/api/calib/sets", {"name": "good-1", "experiment": "xpp1"}), 409, "exists already")
    assert_error(maya.post("/api/calib/sets", {"name": "../x", "experiment": "xpp1"}), 400, "not valid")
    assert_error(maya.post("/api/calib/sets", {"name": "g", "experiment": "xpp1", "versions": [424242]}), 404)


def test_an_approved_set_downloads_as_an_hdf5_bundle_and_a_psana_tree(login, run, settings):
    store = CalibStore(settings.calib_dir)
    (Path(settings.calib_dir) / "cspad").mkdir(parents=True)
    (Path(settings.calib_dir) / "cspad" / "sources.als").write_text("XppGon.0:Cspad.0 cspad-0001\n")
    version = put(store, np.ones((32, 185, 388), "f4"))
    maya, erin, vera = login("maya"), login("erin"), login("vera")
    maya.post("/api/calib/sets", {"name": "good-1", "experiment": "xpp1", "versions": [version.id]})
    assert_error(vera.get("/api/calib/sets/good-1/bundle.h5"), 400, "only approved sets")
    maya.post("/api/calib/sets/good-1/propose", {})
    erin.post("/api/calib/sets/good-1/approve", {})
    h5 = vera.get("/api/calib/sets/good-1/bundle.h5")
    assert h5.status_int == 200 and h5.body[:8] == b"\x89HDF\r\n\x1a\n"
    tree = vera.get("/api/calib/sets/good-1/psana.tar.gz")
    names = tarfile.open(fileobj=io.BytesIO(tree.body)).getnames()
    assert names == ["calib/CsPad::CalibV1/XppGon.0:Cspad.0/pedestals/7-end.data"]


def test_frames_can_be_uploaded_instead_of_referenced(login, run, settings, tmp_path):
    maya, vera = login("maya"), login("vera")
    write_frames(tmp_path / "upload.h5", DET)
    meta = json.dumps({"experiment": "xpp1", "run": 7, "detname": DET})
    files = [("frames", "upload.h5", (tmp_path / "upload.h5").read_bytes())]
    answer = maya.app.post("/api/calib/generate/upload", {"metadata": meta}, upload_files=files,
                           headers={"X-CSRF-Token": maya.csrf}, expect_errors=True)
    assert answer.status_int == 202, answer.body
    assert answer.json["path"].startswith("_uploads/xpp1/run7/")
    run_queued(settings)
    assert maya.get(answer.headers["Location"]).json["job"]["state"] == "done"
    before = snapshot()
    refused = vera.app.post("/api/calib/generate/upload", {"metadata": meta}, upload_files=files,
                            headers={"X-CSRF-Token": vera.csrf}, expect_errors=True)
    assert_error(refused, 403)
    not_hdf5 = maya.app.post("/api/calib/generate/upload", {"metadata": meta},
                             upload_files=[("frames", "x.h5", b"GIF89a" + b"\0" * 100)],
                             headers={"X-CSRF-Token": maya.csrf}, expect_errors=True)
    assert_error(not_hdf5, 400, "not an HDF5 file")
    assert_error(maya.post("/api/calib/generate/upload", {}), 415, "multipart")
    assert {k: v for k, v in snapshot().items() if k != "users"} == {k: v for k, v in before.items() if k != "users"}


def test_the_same_detector_in_two_sets_is_compared_by_naming_the_sets(login, run, settings):
    store = CalibStore(settings.calib_dir)
    first, second = put(store, np.ones((4, 4), "f4")), put(store, np.full((4, 4), 3, "f4"))
    maya, vera = login("maya"), login("vera")
    maya.post("/api/calib/sets", {"name": "one", "experiment": "xpp1", "versions": [first.id]})
    maya.post("/api/calib/sets", {"name": "two", "experiment": "xpp1", "versions": [second.id]})
    query = "a_set=one&b_set=two&detname=cspad-0001&ctype=pedestals&t=2026-11-20T10:30:00Z&threshold=1"
    answer = vera.get(f"/api/calib/compare?{query}").json
    assert (answer["a"]["version"]["id"], answer["b"]["version"]["id"]) == (first.id, second.id)
    assert answer["overall"]["changed"] == 16 and answer["overall"]["mean"] == 2
    assert_error(vera.get("/api/calib/compare?a_set=one&b_set=two"), 400, "needs a_set, b_set, detname, ctype and t")
    assert_error(vera.get(f"/api/calib/compare?{query.replace('two', 'three')}"), 404, "no calibration set")
