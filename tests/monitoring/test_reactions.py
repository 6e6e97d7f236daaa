"""Reactions to alerts: rules made by experts, offered to operators as a button that asks for confirmation or run
automatically after a delay (not when the alert was acknowledged in time); each runs once per alert, really
applies its recipe, and is kept in the alert's history and the audit log, failures included."""

import pytest

from dcs.configs.recipes import create_recipe
from dcs.configs.versions import owner_of, save_version, set_schema
from dcs.monitoring import reactions
from dcs.timeutil import NS, now_ns
from dcs.topology.devices import get_type

from ..conftest import assert_error, refusal, snapshot
from .conftest import ACTOR, limits, read

SCHEMA = {"type": "object", "additionalProperties": False,
          "properties": {"hv": {"type": "number", "minimum": 0, "maximum": 60}}}
MESSAGE = "sipm-hv01 temp is 45 C, above its alarm high limit of 40 C"


@pytest.fixture
def safe_state(plant):
    """sipm-hv01 runs at 38 V; the recipe ecal-safe takes it to 0 V. Returns the safe version's number."""
    set_schema(ACTOR, get_type("sipm"), SCHEMA)
    board = owner_of("sipm-hv01")
    save_version(ACTOR, board, {"hv": 38.0}, "physics", activate=True)
    safe = save_version(ACTOR, board, {"hv": 0.0}, "HV off")
    create_recipe(ACTOR, "ecal-safe", "COSMICS", "ECal HV to zero", "ecal", [safe])
    return safe.number


def active_config(login):
    return login("vera").get("/api/configs/devices/sipm-hv01").json["config"]["active"]


def rule(**body):
    values = {"name": "ecal-safe-hv", "group": "ecal", "action": "config.apply-recipe",
              "arguments": {"recipe": "ecal-safe"}, "mode": "offer", "subsystem": "ECal", "parameter": "temp",
              "confirm": "Ramp the ECal HV to zero?"}
    values.update(body)
    return values


def make(login, **body):
    response = login("erin").post("/api/reactions", rule(**body))
    assert response.status_int == 200, response.body
    return response.json["reaction"]


def raise_alert(engine, login, at=None):
    """The board's temperature above its alarm limit, judged by the engine at `at`; the alert's id."""
    at = at or now_ns()
    temp = limits("sipm-hv01", warn_high=35.0, alarm_high=40.0)
    read(temp, 45.0, start_ns=at)
    engine.tick(at)
    (alert,) = login("vera").get("/api/alerts").json["alerts"]
    assert alert["message"] == MESSAGE
    return alert["id"]


def page(login, alert_id, who="olaf"):
    return login(who).get(f"/api/alerts/{alert_id}").json["alert"]


def press(browser, alert_id, name="ecal-safe-hv", confirm=True):
    return browser.post(f"/api/alerts/{alert_id}/reactions/{name}", {"confirm": confirm})


# --- rules -----------------------------------------------------------------------------------------------

def test_an_expert_makes_a_reaction_rule_and_everyone_may_read_it(safe_state, login):
    made = make(login)
    assert (made["name"], made["mode"], made["action"], made["arguments"], made["created_by"]) == (
        "ecal-safe-hv", "offer", "config.apply-recipe", {"recipe": "ecal-safe"}, "user:erin")
    listed = login("vera").get("/api/reactions").json
    assert [r["name"] for r in listed["reactions"]] == ["ecal-safe-hv"]
    assert {"config.apply-recipe", "heartbeat.pause"} <= {a["name"] for a in listed["actions"]}
    entries = login("ada").get("/api/audit?action=reaction.create").json["entries"]
    assert [(e["actor"], e["object_id"]) for e in entries] == [("user:erin", "ecal-safe-hv")]


def test_an_offered_reaction_gets_its_confirmation_question_by_default(safe_state, login):
    assert make(login, confirm="")["confirm"] == "Run config.apply-recipe now?"


@pytest.mark.parametrize("who", ["maya", "olaf", "vera", "nobody"])
def test_only_experts_make_reaction_rules(safe_state, login, who):
    browser = login(who)
    before = snapshot()
    assert_error(browser.post("/api/reactions", rule()), 403)
    assert snapshot() == before


def test_a_reaction_name_is_taken_once(safe_state, login):
    make(login)
    erin = login("erin")
    before = snapshot()
    assert_error(erin.post("/api/reactions", rule(mode="auto")), 409, "exists already")
    assert snapshot() == before


BAD_RULES = {
    "an unknown action": ({"action": "config.explode"}, 400, ["no action named 'config.explode'",
                                                             "config.apply-recipe"]),
    "a missing argument": ({"arguments": {}}, 400, ["missing: recipe"]),
    "an unknown argument": ({"arguments": {"recipe": "ecal-safe", "force": "yes"}}, 400, ["unknown: force"]),
    "an argument that is not text": ({"arguments": {"recipe": 5}}, 400, ["text of 1 to 200"]),
    "an empty argument": ({"arguments": {"recipe": ""}}, 400, ["text of 1 to 200"]),
    "arguments that are not an object": ({"arguments": "ecal-safe"}, 400, ["arguments"]),
    "an unknown mode": ({"mode": "sometimes"}, 400, ["mode"]),
    "a delay over an hour": ({"mode": "auto", "delay_s": 3601}, 400, ["delay_s"]),
    "a negative delay": ({"mode": "auto", "delay_s": -1}, 400, ["delay_s"]),
    "a delay that is not a number": ({"mode": "auto", "delay_s": "soon"}, 400, ["delay_s"]),
    "an unknown kind": ({"kind": "smoke"}, 400, ["kind"]),
    "an unknown severity": ({"min_severity": "panic"}, 400, ["min_severity"]),
    "a name that is not a name": ({"name": "safe hv!"}, 400, []),
    "an unknown group": ({"group": "veto"}, 404, ["veto"]),
    "an unknown device": ({"device": "sipm-hv99"}, 404, ["sipm-hv99"]),
}


@pytest.mark.parametrize("case", list(BAD_RULES))
def test_a_bad_reaction_rule_is_refused_and_nothing_is_written(safe_state, login, case):
    body, status, words = BAD_RULES[case]
    erin = login("erin")
    before = snapshot()
    assert_error(erin.post("/api/reactions", rule(**body)), status, *words)
    assert snapshot() == before


# --- offered reactions -----------------------------------------------------------------------------------

def test_an_offered_reaction_shows_on_the_alert_it_matches_and_not_on_others(safe_state, engine, login):
    make(login)
    make(login, name="hv-band", parameter="hv_mean")
    make(login, name="critical-only", min_severity="critical")
    make(login, name="daq-only", subsystem="DAQ")
    make(login, name="heartbeats-only", kind="heartbeat")
    make(login, name="automatic", mode="auto", delay_s=600)
    alert_id = raise_alert(engine, login)
    shown = page(login, alert_id)
    assert [(o["name"], o["confirm"]) for o in shown["offers"]] == [("ecal-safe-hv", "Ramp the ECal HV to zero?")]
    assert shown["can"]["operate"] is True and shown["runs"] == []
    assert page(login, alert_id, "vera")["can"]["operate"] is False


@pytest.mark.parametrize("body", [{}, {"confirm": False}])
def test_an_offered_reaction_runs_only_when_confirmed(safe_state, engine, login, body):
    make(login)
    alert_id = raise_alert(engine, login)
    olaf = login("olaf")
    before = snapshot()
    response = olaf.post(f"/api/alerts/{alert_id}/reactions/ecal-safe-hv", body)
    assert_error(response, 400, "Confirm first: Ramp the ECal HV to zero?")
    assert response.json["errors"] == [{"field": "confirm", "error": "is required"}]
    assert snapshot() == before and active_config(login) == safe_state - 1


def test_an_operator_runs_an_offered_reaction_which_applies_the_recipe(safe_state, engine, login):
    make(login)
    alert_id = raise_alert(engine, login)
    assert active_config(login) == safe_state - 1
    response = press(login("olaf"), alert_id)
    assert response.status_int == 200 and response.json["ok"] is True
    run = response.json["run"]
    assert (run["reaction"], run["how"], run["actor"], run["state"]) == ("ecal-safe-hv", "button", "user:olaf",
                                                                          "done")
    assert run["result"] == "applied the recipe ecal-safe (COSMICS): 1 configuration(s) activated"
    assert active_config(login) == safe_state
    assert response.json["alert"]["runs"] == [run]


def test_an_offered_reaction_runs_once_per_alert(safe_state, engine, login):
    make(login)
    alert_id = raise_alert(engine, login)
    assert press(login("olaf"), alert_id).status_int == 200
    erin = login("erin")
    before = snapshot()
    assert_error(press(erin, alert_id), 409, "has run for alert", "already")
    assert snapshot() == before
    assert len(page(login, alert_id)["runs"]) == 1


@pytest.mark.parametrize("who", ["vera", "maya", "nobody"])
def test_viewers_and_members_may_not_run_a_reaction(safe_state, engine, login, who):
    make(login)
    alert_id = raise_alert(engine, login)
    browser = login(who)
    before = snapshot()
    assert_error(browser.post(f"/api/alerts/{alert_id}/reactions/ecal-safe-hv", {"confirm": True}), 403)
    assert snapshot() == before and active_config(login) == safe_state - 1


def test_a_reaction_that_is_not_offered_for_the_alert_cannot_be_pressed(safe_state, engine, login):
    make(login, name="hv-band", parameter="hv_mean")
    make(login, name="automatic", mode="auto", delay_s=600)
    alert_id = raise_alert(engine, login)
    olaf = login("olaf")
    before = snapshot()
    assert_error(press(olaf, alert_id, "hv-band"), 400, "not offered")
    assert_error(press(olaf, alert_id, "automatic"), 400, "not offered")
    assert_error(olaf.post(f"/api/alerts/{alert_id}/reactions/no-such-rule", {"confirm": True}), 404,
                 "no reaction named")
    assert_error(olaf.post("/api/alerts/999/reactions/hv-band", {"confirm": True}), 404)
    assert snapshot() == before


def test_a_run_is_in_the_alerts_history_and_the_audit_log(safe_state, engine, login):
    make(login)
    alert_id = raise_alert(engine, login)
    press(login("olaf"), alert_id)
    history = page(login, alert_id)["history"]
    assert [e["event"] for e in history] == ["raised", "action"]
    action = history[-1]
    assert action["actor"] == "user:olaf"
    assert action["comment"] == ("ecal-safe-hv (button): done: applied the recipe ecal-safe (COSMICS): 1 "
                                 "configuration(s) activated")
    entries = login("ada").get("/api/audit?action=reaction.run").json["entries"]
    assert [(e["actor"], e["object_type"], e["object_id"]) for e in entries] == [("user:olaf", "alert",
                                                                                  str(alert_id))]
    assert entries[0]["summary"] == f"button reaction ecal-safe-hv on alert {alert_id} (sipm-hv01): done"
    applied = login("ada").get("/api/audit?action=recipe.apply").json["entries"]
    assert [e["actor"] for e in applied] == ["user:olaf"]


def test_a_disabled_reaction_is_neither_offered_nor_run(safe_state, engine, login):
    make(login)
    make(login, name="automatic", mode="auto", delay_s=0)
    maya = login("maya")
    before = snapshot()
    assert_error(maya.patch("/api/reactions/automatic", {"enabled": False}), 403)
    assert snapshot() == before
    erin = login("erin")
    for name in ("ecal-safe-hv", "automatic"):
        switched = erin.patch(f"/api/reactions/{name}", {"enabled": False})
        assert switched.status_int == 200 and switched.json["reaction"]["enabled"] is False
    alert_id = raise_alert(engine, login)  # the tick would run "automatic" at once
    assert page(login, alert_id)["offers"] == [] and page(login, alert_id)["runs"] == []
    assert_error(press(login("olaf"), alert_id), 400, "not offered")
    assert reactions.run_due(now_ns() + 3600 * NS) == 0
    assert active_config(login) == safe_state - 1
    assert erin.patch("/api/reactions/automatic", {"enabled": True}).status_int == 200
    assert reactions.run_due(now_ns()) == 1 and active_config(login) == safe_state


# --- automatic reactions ---------------------------------------------------------------------------------

def test_an_automatic_reaction_runs_once_after_its_delay_and_not_before(safe_state, engine, login):
    make(login, name="auto-safe", mode="auto", delay_s=60)
    t0 = now_ns()
    alert_id = raise_alert(engine, login, t0)
    assert reactions.run_due(t0 + 59 * NS) == 0
    engine.tick(t0 + 59 * NS)
    assert page(login, alert_id)["runs"] == [] and active_config(login) == safe_state - 1
    engine.tick(t0 + 60 * NS)
    (run,) = page(login, alert_id)["runs"]
    assert (run["reaction"], run["how"], run["actor"], run["state"]) == ("auto-safe", "auto",
                                                                          "engine:reaction auto-safe", "done")
    assert active_config(login) == safe_state
    engine.tick(t0 + 600 * NS)
    assert reactions.run_due(t0 + 3600 * NS) == 0 and len(page(login, alert_id)["runs"]) == 1
    entries = login("ada").get("/api/audit?action=reaction.run").json["entries"]
    assert [e["actor"] for e in entries] == ["engine:reaction auto-safe"]
    assert page(login, alert_id)["history"][-1]["event"] == "action"


def test_an_automatic_reaction_does_not_run_when_the_alert_is_acknowledged_within_its_delay(safe_state, engine,
                                                                                           login):
    make(login, name="auto-safe", mode="auto", delay_s=300)
    t0 = now_ns()
    alert_id = raise_alert(engine, login, t0)
    acked = login("olaf").post("/api/alerts/acknowledge", {"ids": [alert_id], "comment": "looking at the fans"})
    assert acked.status_int == 200
    assert reactions.run_due(t0 + 301 * NS) == 0
    engine.tick(t0 + 3600 * NS)
    assert page(login, alert_id)["runs"] == [] and active_config(login) == safe_state - 1


def test_an_automatic_reaction_does_not_run_for_an_alert_that_returned_to_normal(safe_state, engine, login):
    make(login, name="auto-safe", mode="auto", delay_s=300)
    t0 = now_ns()
    alert_id = raise_alert(engine, login, t0)
    read(limits("sipm-hv01"), 30.0, start_ns=t0 + 10 * NS)
    engine.tick(t0 + 10 * NS)
    assert page(login, alert_id)["state"] == "returned"
    assert reactions.run_due(t0 + 301 * NS) == 0 and active_config(login) == safe_state - 1


def break_the_recipe():
    """The type's schema changes so that the recipe's version (0 V) no longer passes it: applying fails."""
    set_schema(ACTOR, get_type("sipm"), {**SCHEMA, "properties": {"hv": {"type": "number", "minimum": 10}}},
               force=True)


def test_a_failing_action_is_recorded_as_failed_and_the_engine_goes_on(safe_state, engine, login):
    make(login, name="auto-safe", mode="auto", delay_s=0)
    break_the_recipe()
    t0 = now_ns()
    alert_id = raise_alert(engine, login, t0)  # raised and run in the same tick, which ends as usual
    (run,) = page(login, alert_id)["runs"]
    assert run["state"] == "failed" and "hv must be at least 10 (it is 0.0)" in run["result"]
    action = page(login, alert_id)["history"][-1]
    assert action["event"] == "action" and action["comment"] == f"auto-safe (auto): failed: {run['result']}"
    entries = login("ada").get("/api/audit?action=reaction.run").json["entries"]
    assert entries[0]["summary"] == f"auto reaction auto-safe on alert {alert_id} (sipm-hv01): failed"
    assert active_config(login) == safe_state - 1  # all or nothing: still the physics version
    read(limits("sipm-hv01"), 30.0, start_ns=t0 + NS)
    engine.tick(t0 + NS)  # the engine still judges readings
    assert page(login, alert_id)["state"] == "returned"
    assert len(page(login, alert_id)["runs"]) == 1  # a failed run is not tried again on every tick


def test_a_failing_offered_action_is_answered_with_the_failed_run(safe_state, engine, login):
    make(login)
    break_the_recipe()
    alert_id = raise_alert(engine, login)
    response = press(login("olaf"), alert_id)
    assert response.status_int == 200 and response.json["ok"] is True  # the press was taken; the run failed
    run = response.json["run"]
    assert run["state"] == "failed" and "hv must be at least 10" in run["result"]
    assert response.json["alert"]["runs"] == [run] and active_config(login) == safe_state - 1
    assert_error(press(login("olaf"), alert_id), 409, "has run")


@pytest.fixture
def shift_recipe(safe_state):
    """A tracker board of the shift group, where erin has no role and olaf is only a viewer, with a recipe."""
    from dcs.topology.devices import add_device, add_type

    add_type(ACTOR, "trk", "tracker board", "shift")
    set_schema(ACTOR, get_type("trk"), SCHEMA)
    add_device(ACTOR, "trk-01", subsystem="Tracker", group="shift")
    save_version(ACTOR, owner_of("trk-01"), {"hv": 50.0}, activate=True)
    off = save_version(ACTOR, owner_of("trk-01"), {"hv": 0.0})
    create_recipe(ACTOR, "shift-off", "COSMICS", "tracker HV off", "shift", [off])


def test_an_expert_may_not_make_a_reaction_that_applies_another_groups_recipe(shift_recipe, login):
    olaf = login("olaf")
    assert_error(olaf.post("/api/recipes/shift-off/apply", {}), 403)  # not his to apply
    erin = login("erin")
    before = snapshot()
    response = erin.post("/api/reactions", rule(arguments={"recipe": "shift-off"}))
    assert response.status_int == 403, (
        "an expert of ecal made a reaction that applies the recipe of the shift group, where she has no role; "
        "any operator of ecal (or the engine) could then switch the tracker off with it: "
        + response.body.decode()[:300])
    assert_error(response, 403, "shift")
    assert snapshot() == before


def test_a_rule_reacts_only_to_its_own_groups_devices(engine):
    from dcs.monitoring import reactions as rules
    from dcs.monitoring.models import ReactionRun
    from dcs.topology.devices import add_device

    from .conftest import ACTOR, beat, later, principal, watch

    add_device(ACTOR, "sipm-shift01", subsystem="ECal", group="shift")
    erin = principal("erin")
    refused = refusal(lambda: rules.create(ACTOR, erin, "pause-theirs", "ecal", "heartbeat.pause",
                                           {"minutes": "60"}, "auto", device="sipm-shift01"))
    assert refused.status == 400 and "not a device of ecal" in refused.message
    rules.create(ACTOR, erin, "pause-any", "ecal", "heartbeat.pause", {"minutes": "60"}, "auto", kind="heartbeat")
    watch("sipm-shift01", period_s=10, grace_s=5)
    beat("sipm-shift01", who="ada")
    engine.tick(later(20))
    engine.tick(later(21))
    assert ReactionRun.select().count() == 0
