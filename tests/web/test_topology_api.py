"""The topology over HTTP: the graph is the same rows the database holds, writes are for experts of the
device's group, and bad input is refused by field with nothing written."""

from dcs.db import database
from dcs.topology.graph import CONNECTIONS, device_query

from ..conftest import assert_error, snapshot
from ..topology.conftest import topology  # noqa: F401 - a fixture


def test_the_whole_graph_is_the_rows_of_the_database(login, topology):
    vera = login("vera")
    graph = vera.get("/api/topology").json
    sql, params = device_query()
    assert [row[1] for row in database.execute_sql(sql, params)] == [d[0] for d in graph["devices"]]
    names = [d[0] for d in graph["devices"]]
    pairs = {(names[a], names[b], kind) for a, b, kind in graph["connections"]}
    ids = {row[0]: row[1] for row in database.execute_sql("SELECT id, name FROM devices")}
    assert pairs == {(ids[a], ids[b], kind) for a, b, kind in database.execute_sql(CONNECTIONS)}
    assert ("sipm-hv01", "bgo-0", "HV") in pairs and graph["subsystems"] == ["ECal"]


def test_the_graph_filters_by_experiment_at_a_time(login, topology):
    erin = login("erin")
    assert erin.post("/api/devices/bgo-0/placements", {"begin": 1000, "end": 2000, "experiment": "xpp1"}).status_int \
        == 201
    assert erin.post("/api/devices/adc-01/placements", {"begin": 1000, "experiment": "xpp1"}).status_int == 201
    during = erin.get("/api/topology?experiment=xpp1&at=1500").json
    assert [d[0] for d in during["devices"]] == ["adc-01", "bgo-0"]
    assert during["connections"] == [[0, 1, "readout"]]  # adc-01:in0 -> bgo-0:signal
    assert during["outside"] == 2 and during["experiments"] == ["xpp1"]
    assert [d[0] for d in erin.get("/api/topology?experiment=xpp1&at=2500").json["devices"]] == ["adc-01"]


def test_behind_a_controller_over_http(login, topology):
    found = login("vera").get("/api/devices/sipm-hv01/behind?kind=HV").json["behind"]
    assert [f["name"] for f in found] == ["bgo-0", "bgo-1"]
    assert_error(login("vera").get("/api/devices/sipm-hv01/behind?kind=steam"), 400, "HV")


def test_only_experts_of_the_devices_group_change_its_topology(login, topology):
    from dcs.auth.users import create_group, set_memberships
    from ..conftest import TEST_ACTOR

    create_group(TEST_ACTOR, "veto", "vetoes")
    set_memberships(TEST_ACTOR, "olaf", [{"group": "veto", "role": "expert"}, {"group": "ecal", "role": "operator"}])
    olaf = login("olaf")
    before = snapshot()
    assert_error(olaf.patch("/api/devices/bgo-0", {"description": "mine"}), 403, "experts of its group, ecal")
    assert_error(olaf.post("/api/devices", {"name": "bgo-7"}), 403, "ecal")
    assert_error(olaf.post("/api/connections", {"from": "sipm-hv01:ch2", "to": "bgo-0:hv", "kind": "HV"}), 403)
    assert snapshot() == before
    assert olaf.post("/api/devices", {"name": "pveto-001", "group": "veto"}).status_int == 201
    erin = login("erin")
    assert_error(erin.patch("/api/devices/bgo-0", {"group": "veto"}), 403, "veto")
    page = erin.patch("/api/devices/bgo-0", {"description": "crystal 0", "firmware": "2"}).json["device"]
    assert (page["description"], page["firmware"], page["can"]["edit"]) == ("crystal 0", "2", True)
    assert login("vera").get("/api/devices/bgo-0").json["device"]["can"] == {"edit": False, "write_config": False,
                                                                             "activate": False}
    assert not any(t["can"]["edit"] for t in login("vera").get("/api/device-types").json["types"])
    assert erin.get("/api/device-types/bgo").json["type"]["can"] == {"edit": True}


def test_the_device_page_gathers_what_is_known_of_a_device(login, topology):
    erin = login("erin")
    erin.post("/api/aliases", {"alias": "Crystal.0", "detname": "bgo-0", "begin": "2026-01-01T00:00:00Z"})
    page = erin.get("/api/devices/bgo-0").json["device"]
    assert [c["from"] for c in page["connections"]] == ["adc-01:in0", "sipm-hv01:ch0"]
    assert page["aliases"][0]["alias"] == "Crystal.0" and page["behind_count"] == 0
    assert erin.get("/api/devices/adc-01").json["device"]["behind_count"] == 2
    assert page["ports"] == [{"name": "hv", "kind": "HV"}, {"name": "signal", "kind": "readout"}]
    assert page["config"]["versions"] == 0 and page["live"] is None and page["calibrations"] == []
    assert_error(erin.get("/api/devices/bgo-99"), 404, "bgo-99")
    assert_error(erin.get("/api/devices/nodash"), 400, "<dettype>-<detid>")


def test_bad_topology_input_is_refused_by_field_and_writes_nothing(login, topology):
    erin = login("erin")
    cases = [
        ("POST", "/api/devices", {"name": "bgo-x", "address": {"ip": "999.1.1.1"}}, 400, "address.ip"),
        ("POST", "/api/devices", {"name": "BGO-1"}, 400, "name"),
        ("POST", "/api/devices", {"name": "bgo-0"}, 409, "name"),
        ("POST", "/api/devices", {"name": "bgo-x", "hw_index": [1] * 17}, 400, "hw_index"),
        ("PATCH", "/api/devices/bgo-1", {"predecessor": "bgo-1"}, 400, "predecessor"),
        ("POST", "/api/connections", {"from": "sipm-hv01:ch9", "to": "bgo-0:hv", "kind": "HV"}, 400, "from"),
        ("POST", "/api/connections", {"from": "sipm-hv01:ch0", "to": "bgo-1:hv", "kind": "HV"}, 409, "from"),
        ("POST", "/api/devices/bgo-0/placements", {"begin": 10, "end": 5, "experiment": "x"}, 400, "end"),
        ("POST", "/api/aliases", {"alias": "cspad-1", "detname": "bgo-0", "begin": 0}, 400, "alias"),
        ("POST", "/api/device-types", {"name": "Bad Type", "group": "ecal"}, 400, "name"),
        ("PUT", "/api/device-types/bgo/schema", {"schema": {"type": "string"}}, 400, "schema"),
        ("DELETE", "/api/devices/sipm-hv01/ports/ch0", None, 409, None),
        ("DELETE", "/api/connections/999", None, 404, None),
    ]
    for method, path, body, status, field in cases:
        before = snapshot()
        answer = assert_error(erin.request(method, path, body), status)
        if field is not None:
            assert field in {p["field"] for p in answer.get("errors", [])}, (path, answer)
        assert snapshot() == before, (method, path)
    erin.post("/api/aliases", {"alias": "Crystal.0", "detname": "bgo-0", "begin": 0})
    before = snapshot()
    assert_error(erin.post("/api/aliases", {"alias": "Crystal.0", "detname": "bgo-1", "begin": 100}), 409, "overlap")
    assert snapshot() == before
