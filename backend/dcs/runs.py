"""Experiments and runs: what a run number means in time (the calibration store resolves runs by them).

Recording runs from the DAQ, dark-run tags and the e-log build on these tables.
"""

import peewee

from .audit import record
from .auth.models import Group
from .auth.users import get_group
from .db import Model, database
from .errors import bad_request, conflict, not_found
from .names import EXPERIMENT
from .timeutil import iso, now_ns, to_ns

DATA_TYPES = ("physics", "dark", "calibration", "other")


class Experiment(Model):
    name = peewee.CharField(max_length=64, unique=True)
    instrument = peewee.CharField(max_length=32, default="")
    group = peewee.ForeignKeyField(Group, null=True, backref="experiments", column_name="group_id")
    created_ns = peewee.BigIntegerField()

    class Meta:
        table_name = "experiments"


class Run(Model):
    experiment = peewee.ForeignKeyField(Experiment, backref="runs", on_delete="CASCADE")
    number = peewee.IntegerField()
    begin_ns = peewee.BigIntegerField()
    end_ns = peewee.BigIntegerField(null=True)
    data_type = peewee.CharField(max_length=32, default="physics")

    class Meta:
        table_name = "runs"
        indexes = ((("experiment", "number"), True),)

    def to_dict(self):
        return {"experiment": self.experiment.name, "number": self.number, "begin": iso(self.begin_ns),
                "end": iso(self.end_ns), "data_type": self.data_type}


def add_experiment(actor, name, instrument="", group=None):
    """group: the name of the group whose members work in this experiment's work-space."""
    if not isinstance(name, str) or not EXPERIMENT.fullmatch(name):
        raise bad_request(f"The experiment name {name!r} is not valid: letters, digits, '_' or '-'.")
    with database.atomic():
        if Experiment.select().where(Experiment.name == name).exists():
            raise conflict(f"An experiment named {name!r} exists already.")
        owner = get_group(group) if group is not None else None
        experiment = Experiment.create(name=name, instrument=instrument, group=owner, created_ns=now_ns())
        record(actor, "experiment.create", "experiment", name, f"created experiment {name}")
    return experiment


def get_experiment(name):
    experiment = Experiment.get_or_none(Experiment.name == name)
    if experiment is None:
        raise not_found(f"There is no experiment named {name!r}.")
    return experiment


def add_run(actor, experiment_name, number, begin, end=None, data_type="physics"):
    experiment = get_experiment(experiment_name)
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < 10**9:
        raise bad_request(f"A run number is a whole number from 0, not {number!r}.")
    if data_type not in DATA_TYPES:
        raise bad_request(f"The data type must be one of {', '.join(DATA_TYPES)}.")
    begin_ns = to_ns(begin, "run begin time")
    end_ns = None if end is None else to_ns(end, "run end time")
    if end_ns is not None and end_ns < begin_ns:
        raise bad_request("The run ends before it begins.")
    with database.atomic():
        if Run.select().where(Run.experiment == experiment, Run.number == number).exists():
            raise conflict(f"Run {number} of {experiment_name} exists already.")
        run = Run.create(experiment=experiment, number=number, begin_ns=begin_ns, end_ns=end_ns, data_type=data_type)
        record(actor, "run.create", "run", f"{experiment_name}/{number}", f"recorded run {number} of {experiment_name}",
               after=run.to_dict())
    return run


def get_run(experiment_name, number):
    run = (Run.select(Run, Experiment).join(Experiment)
           .where(Experiment.name == experiment_name, Run.number == number).first())
    if run is None:
        raise not_found(f"There is no run {number} of {experiment_name!r}.")
    return run


def runs_of(experiment_name):
    experiment = get_experiment(experiment_name)
    return list(Run.select().where(Run.experiment == experiment).order_by(Run.number))


def time_of(tsp, what="time"):
    """A lookup's time in ns: seconds, ISO 8601, an (experiment, run number) pair (the run's begin), or an
    object with a time (psana's evt.time() -> (sec, nsec))."""
    if isinstance(tsp, (tuple, list)) and len(tsp) == 2 and isinstance(tsp[0], str):
        return get_run(tsp[0], tsp[1]).begin_ns
    if hasattr(tsp, "time"):
        value = tsp.time() if callable(tsp.time) else tsp.time
        if isinstance(value, tuple) and len(value) == 2:
            return int(value[0]) * 10**9 + int(value[1])
        return to_ns(value, what)
    return to_ns(tsp, what)
