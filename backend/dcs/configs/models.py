"""Configuration versions, their activations, live values read from devices, run-mode recipes and
approved configuration sets.

An owner is what a configuration belongs to: `type:<dettype>` (the type's default) or
`device:<name>` (the device's own, laid over its type's default).
"""

import json

import peewee

from ..approval import Approvable
from ..auth.models import Group
from ..db import Model
from ..timeutil import iso
from ..topology.models import Device

MODES = ("PHYSICS", "COSMICS", "CALIBRATION")


class ConfigVersion(Model):
    owner = peewee.CharField(max_length=210)
    number = peewee.IntegerField()
    document = peewee.TextField()
    sha256 = peewee.CharField(max_length=64)
    schema_version = peewee.IntegerField()
    author = peewee.CharField(max_length=200)
    comment = peewee.TextField(default="")
    created_ns = peewee.BigIntegerField()
    copied_from = peewee.IntegerField(null=True)  # a rollback copies this number

    class Meta:
        table_name = "config_versions"
        indexes = ((("owner", "number"), True),)

    @property
    def config(self):
        return json.loads(self.document)

    def summary(self):
        return {"id": self.id, "owner": self.owner, "number": self.number, "author": self.author,
                "comment": self.comment, "created": iso(self.created_ns), "sha256": self.sha256,
                "schema_version": self.schema_version, "copied_from": self.copied_from}

    def to_dict(self):
        return {**self.summary(), "config": self.config}


class ConfigActivation(Model):
    owner = peewee.CharField(max_length=210)
    version = peewee.ForeignKeyField(ConfigVersion, column_name="version_id")
    at_ns = peewee.BigIntegerField()
    actor = peewee.CharField(max_length=200)
    comment = peewee.TextField(default="")
    via = peewee.CharField(max_length=120, default="")  # "recipe PHYSICS-2026", "set ecal-good-3", "rollback"

    class Meta:
        table_name = "config_activations"

    def to_dict(self):
        return {"number": self.version.number, "version_id": self.version_id, "time": iso(self.at_ns),
                "actor": self.actor, "comment": self.comment, "via": self.via}


class LiveConfig(Model):
    device = peewee.ForeignKeyField(Device, unique=True, on_delete="CASCADE")
    document = peewee.TextField()
    read_ns = peewee.BigIntegerField()
    source = peewee.CharField(max_length=200)

    class Meta:
        table_name = "live_configs"


class Recipe(Model):
    """A run mode's recipe: which configuration version each owner takes in that mode."""

    label = "recipe"

    name = peewee.CharField(max_length=100, unique=True)
    mode = peewee.CharField(max_length=16)
    description = peewee.TextField(default="")
    group = peewee.ForeignKeyField(Group, null=True, column_name="group_id")
    created_by = peewee.CharField(max_length=200)
    created_ns = peewee.BigIntegerField()
    applied_by = peewee.CharField(max_length=200, null=True)
    applied_ns = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "recipes"

    def to_dict(self):
        return {"name": self.name, "mode": self.mode, "description": self.description,
                "group": self.group.name if self.group_id else None, "created_by": self.created_by,
                "created": iso(self.created_ns), "applied_by": self.applied_by, "applied": iso(self.applied_ns),
                "entries_count": self.entries.count()}


class RecipeEntry(Model):
    recipe = peewee.ForeignKeyField(Recipe, backref="entries", on_delete="CASCADE")
    owner = peewee.CharField(max_length=210)
    version = peewee.ForeignKeyField(ConfigVersion, column_name="version_id")

    class Meta:
        table_name = "recipe_entries"


class ConfigSet(Approvable):
    """A "good" configuration set: one version per owner, approved by experts of its group."""

    name = peewee.CharField(max_length=100, unique=True)
    description = peewee.TextField(default="")
    group = peewee.ForeignKeyField(Group, null=True, column_name="group_id")
    created_ns = peewee.BigIntegerField()
    revised_from = peewee.CharField(max_length=100, null=True)

    approval_kind = "config_set"
    label = "configuration set"

    class Meta:
        table_name = "config_sets"

    def approver_group_id(self):
        return self.group_id

    def same_scope(self):
        return ConfigSet.select().where(ConfigSet.group == self.group_id) if self.group_id else None

    def to_dict(self):
        return {"name": self.name, "group": self.group.name if self.group_id else None,
                "description": self.description, "created": iso(self.created_ns), "revised_from": self.revised_from,
                "pins_count": self.pins.count(), **self.approval_dict()}


class ConfigSetPin(Model):
    set = peewee.ForeignKeyField(ConfigSet, backref="pins", on_delete="CASCADE")
    owner = peewee.CharField(max_length=210)
    version = peewee.ForeignKeyField(ConfigVersion, column_name="version_id")

    class Meta:
        table_name = "config_set_pins"
