"""Managing users, groups and memberships. The CLI and the API both call these functions."""

from ..audit import changes, record
from ..db import database
from ..errors import bad_request, conflict, forbidden, not_found
from ..names import account_name
from ..timeutil import now_ns
from ..ttlcache import forget_all
from .models import Group, Membership, Session, User
from .passwords import hash_password, password_problem
from .permissions import GROUP_ROLES, ROLE_RANK


def get_user(username):
    user = User.by_name(username) if isinstance(username, str) else None
    if user is None:
        raise not_found(f"There is no user named {username!r}.")
    return user


get_group = Group.named


def _check_password(password):
    problem = password_problem(password)
    if problem:
        raise bad_request(problem, errors=[{"field": "password", "error": problem}])


def _resolve_memberships(memberships):
    """[{"group", "role"}] -> [(Group, role)], every group existing and every role known, no group twice."""
    resolved, seen = [], set()
    for item in memberships:
        role = item["role"]
        if role not in GROUP_ROLES:
            raise bad_request(f"The role {role!r} is not a group role; use one of {', '.join(GROUP_ROLES)}.")
        if item["group"] in seen:
            raise bad_request(f"The group {item['group']!r} is named twice.")
        seen.add(item["group"])
        resolved.append((get_group(item["group"]), role))
    return resolved


def create_user(actor, username, password, cost, display_name="", email="", is_admin=False, memberships=()):
    account_name(username)
    _check_password(password)
    with database.atomic():
        if User.by_name(username):
            raise conflict(f"A user named {username!r} exists already.")
        groups = _resolve_memberships(memberships)
        now = now_ns()
        user = User.create(username=username, display_name=display_name, email=email, is_admin=is_admin,
                           password_hash=hash_password(password, cost), created_ns=now, password_changed_ns=now)
        for group, role in groups:
            Membership.create(user=user, group=group, role=role)
        record(actor, "user.create", "user", username, f"created user {username}", after=_public(user))
    return user


def _public(user):
    data = user.to_dict()
    for key in ("id", "created", "last_login"):
        data.pop(key)
    return data


def update_user(actor, username, cost=None, keep_session=None, **fields):
    """Change display_name, email, is_admin, disabled and/or password.

    A new password or disabling ends the user's sessions (but keep_session, the one asking)."""
    with database.atomic():
        user = get_user(username)
        before = _public(user)
        new_password = "password" in fields
        if new_password:
            password = fields.pop("password")
            _check_password(password)
            user.password_hash = hash_password(password, cost)
            user.password_changed_ns = now_ns()
        for key, value in fields.items():
            setattr(user, key, value)
        if (before["is_admin"] and not user.is_admin) or (user.is_admin and user.disabled):
            _keep_one_admin(user)
        user.save()
        if new_password or user.disabled:
            ended = Session.delete().where(Session.user == user)
            if keep_session is not None:
                ended = ended.where(Session.id != keep_session)
            ended.execute()
        old, new = changes(before, _public(user))
        parts = [f"changed {', '.join(sorted(new))}"] if new else []
        parts += ["set a new password"] if new_password else []
        record(actor, "user.update", "user", username, f"user {username}: {'; '.join(parts) or 'nothing changed'}",
               before=old, after=new)
    forget_all()
    return user


def _keep_one_admin(user):
    others = (User.select().where(User.is_admin == True, User.disabled == False, User.id != user.id)  # noqa: E712
              .count())
    if others == 0:
        raise conflict(f"{user.username!r} is the last active admin; make another admin first.")


def set_memberships(actor, username, memberships):
    with database.atomic():
        user = get_user(username)
        before = user.memberships_list()
        groups = _resolve_memberships(memberships)
        Membership.delete().where(Membership.user == user).execute()
        for group, role in groups:
            Membership.create(user=user, group=group, role=role)
        after = user.memberships_list()
        record(actor, "user.memberships", "user", username, f"set the memberships of {username}",
               before={"memberships": before}, after={"memberships": after})
    forget_all()
    return user


def create_group(actor, name, description=""):
    account_name(name, "group name")
    with database.atomic():
        if Group.by_name(name):
            raise conflict(f"A group named {name!r} exists already.")
        group = Group.create(name=name, description=description, created_ns=now_ns())
        record(actor, "group.create", "group", name, f"created group {name}", after={"description": description})
    return group


def update_group(actor, name, description):
    with database.atomic():
        group = get_group(name)
        before = group.description
        group.description = description
        group.save()
        record(actor, "group.update", "group", name, f"changed the description of group {name}",
               before={"description": before}, after={"description": description})
    return group


def group_role(principal, group_id):
    """The principal's role in a group: "admin" for admins, the membership's role, or None."""
    if principal is None:
        return None
    if principal.is_admin:
        return "admin"
    if group_id is None:
        return None
    membership = Membership.get_or_none(Membership.user == principal.user_id, Membership.group == group_id)
    return membership.role if membership else None


def at_least(role, wanted):
    """Whether a group role (or "admin") reaches the wanted one."""
    return role == "admin" or (role is not None and ROLE_RANK[role] >= ROLE_RANK[wanted])


def require_role(principal, group, wanted, subject):
    """Refuse with a 403 saying who may, unless the principal is at least `wanted` in group (a Group or
    None; admins always may). subject names what is written, e.g. "the device ecal-0001"."""
    if at_least(group_role(principal, group.id if group is not None else None), wanted):
        return
    if group is None:
        raise forbidden(f"{subject[0].upper()}{subject[1:]} belongs to no group yet; an admin must assign one.")
    raise forbidden(f"Writing for {subject} is for {wanted}s of its group, {group.name}, and those above them.")
