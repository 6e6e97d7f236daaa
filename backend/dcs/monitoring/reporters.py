"""Who may report for a device: its group's members and up, or their device tokens with the heartbeat scope.
Devices and roles are remembered for a few seconds, as device controllers report several times a second."""

from ..auth.users import at_least, group_role
from ..errors import forbidden, not_found
from ..topology.models import Device
from ..ttlcache import MISSING, TtlCache, generation

_DEVICES = TtlCache(5)
_ROLES = TtlCache(5)


def devices_named(names):
    """{name: (id, group_id)} for the named devices; a 404 naming the first unknown one."""
    found, wanted, since = {}, [], generation()
    for name in dict.fromkeys(names):
        known = _DEVICES.get(name)
        if known is MISSING:
            wanted.append(name)
        else:
            found[name] = known
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for name, device_id, group_id in (Device.select(Device.name, Device.id, Device.group)
                                          .where(Device.name.in_(chunk)).tuples()):
            found[name] = _DEVICES.put(name, (device_id, group_id), since)
    for name in wanted:
        if name not in found:
            raise not_found(f"There is no device named {name!r}; a heartbeat must name a device of the topology.")
    return found


def require_reporter(principal, devices, role="member"):
    """Refuse unless the principal may report for every device ({name: (id, group_id)})."""
    for name, (_, group_id) in devices.items():
        key = (principal.user_id, principal.is_admin, group_id)
        found = _ROLES.get(key)
        if found is MISSING:
            since = generation()
            found = _ROLES.put(key, group_role(principal, group_id), since)
        if not at_least(found, role):
            raise forbidden(f"Reporting for {name} is for {role}s of its group (or their device tokens), and "
                            f"{principal.username} is not one.")
