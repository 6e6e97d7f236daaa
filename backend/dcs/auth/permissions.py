"""The one permission table: which role and which token scope each permission needs.

Every API route names one of these permissions; the app refuses to start when a route names none or
an unknown one. Roles rank viewer < member < operator < expert; admin is global and may do
everything. A user's role for a global permission is the highest role of any membership. A token acts
for its user and only within its scopes.
"""

from dataclasses import dataclass

ROLES = {
    "admin": "Everything, everywhere: users, groups, tokens and all the work of the other roles.",
    "expert": "Approves the \"good\" calibration and configuration sets of its groups; reads the audit log.",
    "operator": "Acknowledges alerts and runs commands on devices; everything a member may do.",
    "member": "Writes in its groups' work-spaces (dark-run tags, sandboxes, proposed sets).",
    "viewer": "Reads: devices, configurations, calibrations, monitoring, alerts.",
}
GROUP_ROLES = ("viewer", "member", "operator", "expert")
ROLE_RANK = {role: rank for rank, role in enumerate(GROUP_ROLES)}

SCOPES = {
    "read": "Read anything the user may read.",
    "write": "Change what the user may change (and manage the user's own tokens).",
    "heartbeat": "Send heartbeats and readings for devices (device controllers).",
    "admin": "Administer users, groups and everyone's tokens (the user must be an admin).",
}


@dataclass(frozen=True)
class Permission:
    name: str
    description: str  # who may: "experts and admins"
    anonymous: bool = False  # no login needed at all
    min_role: str = None  # None: any logged-in user, even one without memberships
    admin_only: bool = False
    scope: str = None  # the token scope it needs; None: any valid token

    def allows(self, principal):
        if self.anonymous:
            return True
        if principal is None:
            return False
        if principal.token_scopes is not None and self.scope and self.scope not in principal.token_scopes:
            return False
        if principal.is_admin:
            return True
        if self.admin_only:
            return False
        if self.min_role is None:
            return True
        return principal.role is not None and ROLE_RANK[principal.role] >= ROLE_RANK[self.min_role]


PERMISSIONS = {p.name: p for p in [
    Permission("public", "anyone, without logging in", anonymous=True),
    Permission("authenticated", "any logged-in user or valid token"),
    Permission("tokens.own", "any logged-in user, for their own API tokens", scope="write"),
    Permission("read", "viewers and up", min_role="viewer", scope="read"),
    Permission("calib.write", "members and up (the work-space decides further)", min_role="member", scope="write"),
    Permission("runs.write", "members and up (of the experiment's group, which the route checks)", min_role="member",
               scope="write"),
    Permission("calib.approve", "experts and up (of the set's group, which the route checks)", min_role="expert",
               scope="write"),
    Permission("topology.write", "experts and up (of the device's or type's group, which the route checks)",
               min_role="expert", scope="write"),
    Permission("configs.write", "members and up (of the owner's group, which the route checks)", min_role="member",
               scope="write"),
    Permission("configs.activate", "operators and up (of the owner's group, which the route checks)",
               min_role="operator", scope="write"),
    Permission("configs.approve", "experts and up (of the set's group, which the route checks)", min_role="expert",
               scope="write"),
    Permission("devices.report", "device controllers: members and up, or their tokens with the heartbeat scope",
               min_role="member", scope="heartbeat"),
    Permission("monitoring.operate", "operators and up (of the device's group, which the route checks): "
               "acknowledge and shelve alerts, pause heartbeat watches, run offered reactions", min_role="operator",
               scope="write"),
    Permission("monitoring.write", "experts and up (of the device's or rule's group, which the route checks): "
               "parameters, limits, heartbeat periods, reaction rules", min_role="expert", scope="write"),
    Permission("subscriptions.own", "viewers and up, for their own alert subscriptions", min_role="viewer",
               scope="write"),
    Permission("xmlrpc", "legacy device controllers over XML-RPC; every call carries a heartbeat-scope token as "
               "its first argument", anonymous=True),
    Permission("commands.run", "viewers and up; each command names the role it needs in the device's group, which "
               "the route checks", min_role="viewer", scope="write"),
    Permission("audit.read", "experts and admins", min_role="expert", scope="read"),
    Permission("users.manage", "admins", admin_only=True, scope="admin"),
]}


def permission(name):
    try:
        return PERMISSIONS[name]
    except KeyError:
        raise KeyError(f"unknown permission {name!r}; known: {', '.join(sorted(PERMISSIONS))}") from None


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a user through a browser session or through an API token."""

    user_id: int
    username: str
    is_admin: bool
    role: str  # highest group role, "admin" for admins, or None
    token_id: int = None
    token_name: str = None
    token_scopes: tuple = None  # None for a browser session
    session_id: int = None

    @property
    def label(self):
        """How the audit log names this principal."""
        if self.token_id is not None:
            return f"token:{self.token_name}({self.username})"
        return f"user:{self.username}"

    def can(self, name):
        return permission(name).allows(self)

    def permissions(self):
        return sorted(name for name, p in PERMISSIONS.items() if p.allows(self))
