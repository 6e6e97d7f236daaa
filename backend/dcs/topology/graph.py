"""The whole topology in two queries, compact enough for 5,000 devices and 20,000 connections:
devices as rows of COLUMNS and connections as [from index, to index, kind]."""

from ..db import database
from ..timeutil import now_ns

COLUMNS = ("name", "dettype", "subsystem", "group", "experiment")

DEVICES = """SELECT d.id, d.name, t.name, d.subsystem, g.name, p.experiment
FROM devices d JOIN device_types t ON d.type_id = t.id
LEFT JOIN user_groups g ON d.group_id = g.id
LEFT JOIN placements p ON p.device_id = d.id AND p.begin_ns <= {p} AND (p.end_ns IS NULL OR p.end_ns > {p})
{where}ORDER BY d.name"""

CONNECTIONS = """SELECT fp.device_id, tp.device_id, c.kind
FROM connections c JOIN device_ports fp ON c.from_port_id = fp.id JOIN device_ports tp ON c.to_port_id = tp.id
ORDER BY c.id"""


def device_query(subsystem=None, experiment=None, t_ns=None):
    """The SQL and parameters of the device rows (also what the benchmark times on its own)."""
    t_ns = now_ns() if t_ns is None else t_ns
    conditions, params = [], [t_ns, t_ns]
    if subsystem:
        conditions.append("d.subsystem = {p}")
        params.append(subsystem)
    if experiment:
        conditions.append("p.experiment = {p}")
        params.append(experiment)
    where = ("WHERE " + " AND ".join(conditions) + "\n") if conditions else ""
    return DEVICES.format(where=where, p="{p}").format(p=database.param), params


def whole_graph(subsystem=None, experiment=None, t_ns=None):
    sql, params = device_query(subsystem, experiment, t_ns)
    index, devices = {}, []
    for row in database.execute_sql(sql, params):
        index[row[0]] = len(devices)
        devices.append([row[1], row[2], row[3], row[4], row[5]])
    connections, outside = [], 0
    for source, target, kind in database.execute_sql(CONNECTIONS):
        if source in index and target in index:
            connections.append([index[source], index[target], kind])
        elif source in index or target in index:
            outside += 1
    return {"columns": list(COLUMNS), "devices": devices, "connections": connections,
            "outside": outside}
