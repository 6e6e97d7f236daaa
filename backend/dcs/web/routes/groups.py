"""Experiment groups: list (readers), create and describe (admins)."""

from bottle import response

from ...auth.models import Group
from ...auth.users import create_group, update_group
from ..fields import Body, Str

NEW_GROUP = Body(name=Str(min_len=1, max_len=64), description=Str(max_len=2000, default=""))
GROUP_CHANGE = Body(description=Str(max_len=2000))


def register(api):
    @api.route("/groups", "GET", perm="read", tag="groups")
    def list_groups():
        """Every group with its members and their roles."""
        return {"ok": True, "groups": [g.to_dict() for g in Group.select().order_by(Group.name)]}

    @api.route("/groups", "POST", perm="users.manage", body=NEW_GROUP, tag="groups")
    def add_group(actor, body):
        """Create a group."""
        response.status = 201
        return {"ok": True, "group": create_group(actor, body["name"], body["description"]).to_dict()}

    @api.route("/groups/<name>", "PATCH", perm="users.manage", body=GROUP_CHANGE, tag="groups")
    def change_group(name, actor, body):
        """Change a group's description."""
        return {"ok": True, "group": update_group(actor, name, body["description"]).to_dict()}
