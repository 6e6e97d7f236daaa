"""Topology-aware suppression: when a controller is down, the alerts of the devices behind it (following
connections from what serves to what depends on it) are shown as suppressed and not notified, rather than
raised as a flood of alerts with one cause."""

from ..timeutil import NS
from ..topology.connections import behind
from ..topology.models import Device
from . import alerts

def behind_down(down):
    """{device_id: name of the down controller it is behind} for down ({device_id: name}): what the topology's
    `behind` finds for each, the nearest controller first, then passed on to the root cause."""
    if not down:
        return {}
    found, reach = {}, {}  # name -> (depth, controller); controller -> the names behind it
    for device_id, controller in sorted(down.items(), key=lambda item: item[1]):
        rows = behind(Device(id=device_id, name=controller))
        reach[controller] = {row["name"] for row in rows}
        for row in rows:
            if row["name"] not in found or found[row["name"]][0] > row["depth"]:
                found[row["name"]] = (row["depth"], controller)
    down_names = set(down.values())
    # A down controller behind another one is suppressed by it, unless each is behind the other (a loop).
    nearest = {name: controller for name, (_, controller) in found.items()
               if name not in down_names or name not in reach[controller] or controller not in reach[name]}
    for name, controller in nearest.items():  # name the root cause
        seen = set()
        while controller in nearest and controller not in seen:
            seen.add(controller)
            controller = nearest[controller]
        nearest[name] = controller
    ids = dict(Device.select(Device.name, Device.id).where(Device.name.in_(list(nearest))).tuples())
    return {ids[name]: controller for name, controller in nearest.items()}


class Suppression:
    """Which devices are behind a down controller: recomputed when the set of down devices changes, and every
    half minute while any is down (the cabling may have changed)."""

    REFRESH_NS = 30 * NS

    def __init__(self):
        self.down = None
        self.behind = {}
        self.computed_ns = 0

    def update(self, down, now):
        stale = down and now - self.computed_ns > self.REFRESH_NS
        if self.down is None or set(down) != set(self.down) or stale:
            self.down, self.computed_ns = dict(down), now
            self.behind = behind_down(down)
        return self.behind

    def mark(self, open_by_key, now):
        """Set or lift suppression on open alerts: (how many changed, the alerts whose suppression was lifted)."""
        changed, lifted = 0, []
        for alert in open_by_key.values():
            wanted = self.behind.get(alert.device_id, "")
            if alert.suppressed_by != wanted:
                alert.suppressed_by = wanted
                alert.save()
                if wanted:
                    alerts.event(alert, "suppressed", now, comment=f"{wanted} is down; this device is behind it")
                else:
                    alerts.event(alert, "unsuppressed", now, comment="the controller in front of it is back")
                    lifted.append(alert)
                changed += 1
        return changed, lifted
