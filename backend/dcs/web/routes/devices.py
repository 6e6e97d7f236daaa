"""Devices (the topology grows here)."""

from ...topology.devices import list_devices


def register(api):
    @api.route("/devices", "GET", perm="read", tag="devices")
    def devices():
        """Every device, by name."""
        return {"ok": True, "devices": [d.to_dict() for d in list_devices()]}
