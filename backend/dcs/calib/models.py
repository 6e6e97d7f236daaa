"""The calibration index: what the HDF5 files hold, in tables a lookup can search in O(log n).

The files are the truth; `reindex` rebuilds these rows from them alone.
"""

import json

import peewee

from ..approval import Approvable
from ..db import Model
from ..runs import Experiment
from ..timeutil import NS, iso


class CalibFile(Model):
    workspace = peewee.CharField(max_length=200)
    detname = peewee.CharField(max_length=200)
    dettype = peewee.CharField(max_length=32)
    path = peewee.CharField(max_length=500)  # relative to the calibration directory
    created_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "calib_files"
        indexes = ((("workspace", "detname"), True),)


class CalibRange(Model):
    file = peewee.ForeignKeyField(CalibFile, backref="ranges", on_delete="CASCADE")
    ctype = peewee.CharField(max_length=64)
    name = peewee.CharField(max_length=64)
    begin_ns = peewee.BigIntegerField()
    end_ns = peewee.BigIntegerField(null=True)  # None: open to the end

    class Meta:
        table_name = "calib_ranges"

    def to_dict(self):
        return {"ctype": self.ctype, "name": self.name, "begin": iso(self.begin_ns), "end": iso(self.end_ns),
                "begin_s": self.begin_ns // NS, "end_s": None if self.end_ns is None else self.end_ns // NS}


class CalibVersion(Model):
    range = peewee.ForeignKeyField(CalibRange, backref="versions", on_delete="CASCADE")
    versind = peewee.IntegerField()
    name = peewee.CharField(max_length=64)
    tsprod_ns = peewee.BigIntegerField()
    created_ns = peewee.BigIntegerField()
    dtype = peewee.CharField(max_length=32)
    shape = peewee.CharField(max_length=200)  # JSON list
    nbytes = peewee.BigIntegerField()
    data_offset = peewee.BigIntegerField(null=True)  # where the raw bytes start in the file, if contiguous
    sha256 = peewee.CharField(max_length=64)
    deprecated_ns = peewee.BigIntegerField(null=True)
    author = peewee.CharField(max_length=200, default="")
    comment = peewee.TextField(default="")

    via_set = None  # not a column: the set whose pin a lookup took, if any (resolve sets it)

    class Meta:
        table_name = "calib_versions"

    @classmethod
    def with_file(cls):
        """Versions with their range and file, in one query."""
        return cls.select(cls, CalibRange, CalibFile).join(CalibRange).join(CalibFile)

    @classmethod
    def find(cls, version_id):
        """The version with this id (its range and file attached), or None."""
        return cls.with_file().where(cls.id == version_id).first() if 0 < version_id < 2**62 else None

    @property
    def shape_tuple(self):
        return tuple(json.loads(self.shape))

    def to_dict(self):
        return {"id": self.id, "versind": self.versind, "name": self.name, "tsprod": iso(self.tsprod_ns),
                "created": iso(self.created_ns), "dtype": self.dtype, "shape": list(self.shape_tuple),
                "nbytes": self.nbytes, "sha256": self.sha256, "deprecated": iso(self.deprecated_ns),
                "author": self.author, "comment": self.comment}


class CalibDefault(Model):
    """Each change of a range's default version, so time travel sees the default as it was."""

    range = peewee.ForeignKeyField(CalibRange, backref="defaults", on_delete="CASCADE")
    versind = peewee.IntegerField()
    set_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "calib_defaults"


class CalibSet(Approvable):
    """A named snapshot of which version applies per (detector, ctype, range): the seed's calib-version,
    like a global tag. It goes through the approval workflow; approved sets are frozen."""

    name = peewee.CharField(max_length=100, unique=True)
    description = peewee.TextField(default="")
    created_ns = peewee.BigIntegerField()
    experiment = peewee.ForeignKeyField(Experiment, null=True, backref="calib_sets", column_name="experiment_id")
    revised_from = peewee.CharField(max_length=100, null=True)

    approval_kind = "calib_set"
    label = "calibration set"

    class Meta:
        table_name = "calib_sets"

    def approver_group_id(self):
        return self.experiment.group_id if self.experiment_id else None

    def same_scope(self):
        return CalibSet.select().where(CalibSet.experiment == self.experiment_id) if self.experiment_id else None

    def to_dict(self):
        return {"name": self.name, "experiment": self.experiment.name if self.experiment_id else None,
                "description": self.description, "created": iso(self.created_ns), "revised_from": self.revised_from,
                "pins_count": self.pins.count(), **self.approval_dict()}


class CalibSetPin(Model):
    set = peewee.ForeignKeyField(CalibSet, backref="pins", on_delete="CASCADE")
    version = peewee.ForeignKeyField(CalibVersion, backref="pins")

    class Meta:
        table_name = "calib_set_pins"
