"""Runs over HTTP: the DAQ records and tags, members tag and write the e-log, bad input writes nothing."""

from pathlib import Path

import pytest

from dcs.audit import AuditEntry

from ..calib.darkdata import MEMBER, write_frames
from ..conftest import assert_error, snapshot

RUNS = "/api/experiments/xpp1/runs"


@pytest.fixture
def experiment(db, people):
    from dcs.runs import add_experiment

    return add_experiment(MEMBER, "xpp1", "XPP", "ecal")


def test_the_daq_records_a_run_with_a_token_and_tags_it_dark_at_its_start(token_for, experiment):
    daq, _ = token_for("maya", ["read", "write"])
    answer = daq.send("POST", RUNS, {"number": 12, "begin": "2026-11-20T10:00:00Z",
                                     "dark": {"reason": "power_cycled", "notes": "after the HV trip"}})
    assert answer.status_int == 201, answer.body
    run = answer.json["run"]
    assert run["data_type"] == "dark" and run["dark"]["reason_label"] == "Detector power cycled"
    assert run["dark"]["tagged_by"] == "token:maya-token(maya)"
    assert daq.send("PATCH", f"{RUNS}/12", {"end": "2026-11-20T10:20:00Z"}).json["run"]["end"] == \
        "2026-11-20T10:20:00+00:00"


def test_a_member_tags_a_run_afterwards_and_removes_the_tag_with_the_history_kept(login, experiment):
    maya = login("maya")
    maya.post(RUNS, {"number": 3, "begin": 1795168800, "data_type": "calibration"})
    assert_error(maya.put(f"{RUNS}/3/dark", {"reason": "other"}), 400, "other reason")
    tagged = maya.put(f"{RUNS}/3/dark", {"reason": "other", "reason_text": "new firmware", "notes": "see e-log"})
    assert tagged.json["run"]["dark"]["reason_text"] == "new firmware"
    assert maya.get(f"{RUNS}?dark=1").json["total"] == 1
    untagged = maya.delete(f"{RUNS}/3/dark?comment=wrong+run")
    assert untagged.json["run"]["data_type"] == "calibration" and untagged.json["run"]["dark"] is None
    page = maya.get(f"{RUNS}/3").json["run"]
    assert [(h["action"], h["reason"]) for h in page["tag_history"]] == [("tag", "other"), ("untag", "")]
    assert {e.action for e in AuditEntry.select()} >= {"run.tag_dark", "run.untag_dark"}
    assert_error(maya.delete(f"{RUNS}/3/dark"), 409, "not tagged dark")


def test_notes_form_a_small_e_log_per_run(login, experiment):
    maya, erin = login("maya"), login("erin")
    maya.post(RUNS, {"number": 3, "begin": 1795168800})
    maya.post(f"{RUNS}/3/notes", {"text": "pedestal looks shifted on panel 3"})
    erin.post(f"{RUNS}/3/notes", {"text": "  confirmed, power cycled at 10:02  "})
    notes = maya.get(f"{RUNS}/3").json["run"]["notes"]
    assert [(n["author"], n["text"]) for n in notes] == [("user:maya", "pedestal looks shifted on panel 3"),
                                                         ("user:erin", "confirmed, power cycled at 10:02")]
    assert maya.get(RUNS).json["runs"][0]["notes_count"] == 2
    assert_error(maya.post(f"{RUNS}/3/notes", {"text": "   "}), 400)


def test_viewers_and_members_of_other_groups_cannot_write_runs(login, experiment, people):
    from dcs.auth.users import create_group, create_user
    from ..conftest import FAST_COST, PASSWORD, TEST_ACTOR

    create_group(TEST_ACTOR, "amo")
    create_user(TEST_ACTOR, "amy", PASSWORD, FAST_COST, memberships=[{"group": "amo", "role": "member"}])
    login("maya").post(RUNS, {"number": 3, "begin": 1795168800})
    vera, amy = login("vera"), login("amy")
    before = snapshot()
    assert_error(vera.put(f"{RUNS}/3/dark", {"reason": "opportunistic"}), 403)
    assert_error(amy.put(f"{RUNS}/3/dark", {"reason": "opportunistic"}), 403, "ecal")
    assert_error(amy.post(f"{RUNS}/3/notes", {"text": "hi"}), 403)
    assert snapshot() == before


def test_registering_a_file_refuses_paths_that_leave_the_data_root_and_writes_nothing(login, experiment, settings,
                                                                                       tmp_path):
    maya = login("maya")
    maya.post(RUNS, {"number": 3, "begin": 1795168800})
    root = Path(settings.data_root)
    write_frames(root / "xpp1" / "r3.h5", "andor-0001")
    write_frames(tmp_path / "secret.h5", "andor-0001")
    (root / "link.h5").symlink_to(tmp_path / "secret.h5")
    (root / "notes.txt").write_text("x")
    before = snapshot()
    for path, words in [("../secret.h5", "outside the data root"), (str(tmp_path / "secret.h5"), "absolute"),
                        ("link.h5", "outside the data root"), ("notes.txt", "not an HDF5 file"),
                        ("xpp1/missing.h5", "no file"), ("xpp1/r3.h5\u0000.txt", "nul")]:
        answer = maya.post(f"{RUNS}/3/files", {"detname": "andor-0001", "path": path})
        assert_error(answer, 400, words)
    assert_error(maya.post(f"{RUNS}/3/files", {"detname": "../etc", "path": "xpp1/r3.h5"}), 400)
    assert snapshot() == before
    answer = maya.post(f"{RUNS}/3/files", {"detname": "andor-0001", "path": "xpp1/r3.h5"})
    assert answer.status_int == 201 and answer.json["run"]["files"][0]["size"] > 0


def test_a_dark_run_whose_file_arrives_starts_generation_for_configured_detectors(login, experiment, settings):
    maya, erin = login("maya"), login("erin")
    assert_error(maya.put("/api/experiments/xpp1/dark-detectors", {"detectors": ["andor-0001"]}), 403, "experts")
    assert erin.put("/api/experiments/xpp1/dark-detectors", {"detectors": ["andor-0001"]}).json[
        "experiment"]["dark_detectors"] == ["andor-0001"]
    maya.post(RUNS, {"number": 3, "begin": 1795168800, "dark": {"reason": "temperature_changed"}})
    write_frames(Path(settings.data_root) / "r3.h5", "andor-0001")
    answer = maya.post(f"{RUNS}/3/files", {"detname": "andor-0001", "path": "r3.h5"})
    (job,) = answer.json["jobs"]
    assert job["state"] == "queued" and job["params"]["auto"] is True
    assert maya.get(f"{RUNS}/3").json["run"]["jobs"][0]["id"] == job["id"]


def test_run_lists_page_newest_first_and_refuse_bad_paging(login, experiment):
    maya = login("maya")
    for number in range(1, 6):
        maya.post(RUNS, {"number": number, "begin": 1795168800 + number * 600})
    page = maya.get(f"{RUNS}?limit=2&offset=1").json
    assert [r["number"] for r in page["runs"]] == [4, 3] and page["total"] == 5
    assert_error(maya.get(f"{RUNS}?limit=0"), 400, "limit")
    assert_error(maya.get(f"{RUNS}?limit=abc"), 400, "limit")
    assert_error(maya.get("/api/experiments/nope/runs"), 404, "no experiment")


def test_out_of_range_and_hostile_run_input_is_refused(login, experiment):
    maya = login("maya")
    before = snapshot()
    for body in [{"number": -1, "begin": 1}, {"number": 10**9, "begin": 1}, {"number": 1, "begin": "yesterday"},
                 {"number": 1, "begin": 100, "end": 50}, {"number": 1, "begin": 1, "dark": {"reason": "boredom"}},
                 {"number": 1, "begin": 1, "dark": "yes"}, {"number": 1, "begin": 1, "data_type": "<script>"}]:
        assert_error(maya.post(RUNS, body), 400)
    assert snapshot() == before


def test_members_of_a_group_create_its_experiments_and_nobody_else_does(login, db, people):
    answer = login("maya").post("/api/experiments", {"name": "xpp2", "instrument": "XPP", "group": "ecal"})
    assert answer.status_int == 201 and answer.json["experiment"]["group"] == "ecal"
    assert_error(login("vera").post("/api/experiments", {"name": "xpp3", "group": "ecal"}), 403)
    assert_error(login("olaf").post("/api/experiments", {"name": "xpp3", "group": "shift"}), 403, "members of shift")
    assert_error(login("maya").post("/api/experiments", {"name": "xpp2", "group": "ecal"}), 409)
    assert_error(login("maya").post("/api/experiments", {"name": "../x", "group": "ecal"}), 400)
