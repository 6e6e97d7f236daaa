"""Users, groups, memberships, browser sessions, API tokens and failed logins."""

import peewee

from ..db import Model
from ..timeutil import iso
from .permissions import ROLE_RANK


class User(Model):
    username = peewee.CharField(max_length=64, unique=True)
    display_name = peewee.CharField(max_length=200, default="")
    email = peewee.CharField(max_length=254, default="")
    password_hash = peewee.CharField(max_length=300)
    is_admin = peewee.BooleanField(default=False)
    disabled = peewee.BooleanField(default=False)
    created_ns = peewee.BigIntegerField()
    password_changed_ns = peewee.BigIntegerField()
    last_login_ns = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "users"

    @classmethod
    def by_name(cls, username):
        return cls.get_or_none(cls.username == username)

    def memberships_list(self):
        rows = (Membership.select(Membership, Group).join(Group)
                .where(Membership.user == self).order_by(Group.name))
        return [{"group": m.group.name, "role": m.role} for m in rows]

    def highest_role(self, memberships=None):
        if self.is_admin:
            return "admin"
        roles = [m["role"] for m in (memberships if memberships is not None else self.memberships_list())]
        return max(roles, key=ROLE_RANK.get) if roles else None

    def to_dict(self):
        memberships = self.memberships_list()
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "is_admin": self.is_admin,
            "disabled": self.disabled,
            "created": iso(self.created_ns),
            "last_login": iso(self.last_login_ns),
            "role": self.highest_role(memberships),
            "memberships": memberships,
        }


class Group(Model):
    label = "group"

    name = peewee.CharField(max_length=64, unique=True)
    description = peewee.TextField(default="")
    created_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "user_groups"

    @classmethod
    def by_name(cls, name):
        return cls.get_or_none(cls.name == name)

    def to_dict(self):
        members = (Membership.select(Membership, User).join(User)
                   .where(Membership.group == self).order_by(User.username))
        return {
            "name": self.name,
            "description": self.description,
            "created": iso(self.created_ns),
            "members": [{"username": m.user.username, "role": m.role} for m in members],
        }


class Membership(Model):
    user = peewee.ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    group = peewee.ForeignKeyField(Group, backref="memberships", on_delete="CASCADE")
    role = peewee.CharField(max_length=16)

    class Meta:
        table_name = "memberships"
        indexes = ((("user", "group"), True),)


class Session(Model):
    key_hash = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_ns = peewee.BigIntegerField()
    last_seen_ns = peewee.BigIntegerField()
    ip = peewee.CharField(max_length=64, default="")
    user_agent = peewee.CharField(max_length=300, default="")

    class Meta:
        table_name = "sessions"


class ApiToken(Model):
    name = peewee.CharField(max_length=100)
    user = peewee.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    key_hash = peewee.CharField(max_length=64, unique=True)
    prefix = peewee.CharField(max_length=16)
    scopes = peewee.CharField(max_length=200)
    created_ns = peewee.BigIntegerField()
    expires_ns = peewee.BigIntegerField(null=True)
    last_used_ns = peewee.BigIntegerField(null=True)
    revoked_ns = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "api_tokens"

    @property
    def scope_list(self):
        return self.scopes.split()

    def to_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "user": self.user.username,
            "prefix": self.prefix,
            "scopes": self.scope_list,
            "created": iso(self.created_ns),
            "expires": iso(self.expires_ns),
            "last_used": iso(self.last_used_ns),
            "revoked": iso(self.revoked_ns),
        }


class LoginFailure(Model):
    username = peewee.CharField(max_length=200)
    ip = peewee.CharField(max_length=64)
    at_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "login_failures"
