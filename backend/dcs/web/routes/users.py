"""Users: list, create, read, change, set memberships (admins)."""

from bottle import response

from ...auth.models import User
from ...auth.passwords import MAX_LENGTH
from ...auth.permissions import GROUP_ROLES
from ...auth.users import create_user, get_user, set_memberships, update_user
from ..fields import Body, Bool, List, Str

MEMBERSHIP = Body(group=Str(min_len=1, max_len=64), role=Str(choices=GROUP_ROLES))
NEW_USER = Body(
    username=Str(min_len=1, max_len=64, description="2-64 lower-case letters, digits, '.', '_' or '-'"),
    password=Str(min_len=1, max_len=MAX_LENGTH, description="At least 10 characters."),
    display_name=Str(max_len=200, default=""),
    email=Str(max_len=254, default="", pattern=r"(|[^@\s]+@[^@\s]+)"),
    is_admin=Bool(default=False),
    memberships=List(MEMBERSHIP, max_items=100, default=[]),
)
USER_CHANGE = Body(
    display_name=Str(max_len=200, required=False),
    email=Str(max_len=254, pattern=r"(|[^@\s]+@[^@\s]+)", required=False),
    is_admin=Bool(required=False),
    disabled=Bool(required=False),
    password=Str(min_len=1, max_len=MAX_LENGTH, required=False),
)
MEMBERSHIPS = Body(memberships=List(MEMBERSHIP, max_items=100))


def register(api):
    @api.route("/users", "GET", perm="users.manage", tag="users")
    def list_users():
        """Every user with memberships."""
        return {"ok": True, "users": [u.to_dict() for u in User.select().order_by(User.username)]}

    @api.route("/users", "POST", perm="users.manage", body=NEW_USER, tag="users")
    def add_user(settings, actor, body):
        """Create a user."""
        user = create_user(actor, cost=settings.password_cost, **body)
        response.status = 201
        return {"ok": True, "user": user.to_dict()}

    @api.route("/users/<username>", "GET", perm="users.manage", tag="users")
    def read_user(username):
        """One user."""
        return {"ok": True, "user": get_user(username).to_dict()}

    @api.route("/users/<username>", "PATCH", perm="users.manage", body=USER_CHANGE, tag="users")
    def change_user(username, settings, actor, body):
        """Change a user's name, e-mail, admin flag, disabled flag or password (sessions end on the last two)."""
        return {"ok": True, "user": update_user(actor, username, cost=settings.password_cost, **body).to_dict()}

    @api.route("/users/<username>/memberships", "PUT", perm="users.manage", body=MEMBERSHIPS, tag="users")
    def put_memberships(username, actor, body):
        """Replace a user's group memberships (group and role for each)."""
        return {"ok": True, "user": set_memberships(actor, username, body["memberships"]).to_dict()}
