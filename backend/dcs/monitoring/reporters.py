"""Who may report for a device: its group's members and up, or their device tokens with the heartbeat scope."""

from ..auth.users import at_least, group_role
from ..errors import forbidden, not_found
from ..topology.models import Device


def devices_named(names):
    """{name: (id, group_id)} for the named devices; a 404 naming the first unknown one."""
    found = {}
    unique = list(dict.fromkeys(names))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        for name, device_id, group_id in (Device.select(Device.name, Device.id, Device.group)
                                          .where(Device.name.in_(chunk)).tuples()):
            found[name] = (device_id, group_id)
    for name in unique:
        if name not in found:
            raise not_found(f"There is no device named {name!r}; a heartbeat must name a device of the topology.")
    return found


def require_reporter(principal, devices, role="member"):
    """Refuse unless the principal may report for every device ({name: (id, group_id)})."""
    roles = {}
    for name, (_, group_id) in devices.items():
        if group_id not in roles:
            roles[group_id] = group_role(principal, group_id)
        if not at_least(roles[group_id], role):
            raise forbidden(f"Reporting for {name} is for {role}s of its group (or their device tokens), and "
                            f"{principal.username} is not one.")
