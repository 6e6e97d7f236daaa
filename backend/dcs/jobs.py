"""Background jobs: long work (generating constants from a dark run) outside the request that asked for it.

A job is a row: queued -> running -> done | failed | cancelled, with progress (done of total) and
a message. `dcs serve` runs a `JobRunner` (threads that claim queued jobs with an atomic UPDATE, so
several processes never run one job twice); the CLI runs a job in its own process with a progress
bar. A job left running by a process that is gone is marked failed when a runner starts on that host.
Handlers are registered per kind; a handler gets the job and a `Reporter` and returns its result.
"""

import json
import logging
import os
import socket
import threading
import time

import peewee

from .audit import record
from .db import Model, database
from .errors import DcsError, conflict, not_found
from .timeutil import iso, now_ns

log = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "failed", "cancelled")
FINISHED = ("done", "failed", "cancelled")
HANDLERS = {}  # kind -> handler(settings, job, reporter) -> result dict
WORKER = f"{socket.gethostname()}:{os.getpid()}"


class Job(Model):
    kind = peewee.CharField(max_length=32)
    subject = peewee.CharField(max_length=200, default="")  # what it works on, e.g. a run: "xpp1/7"
    state = peewee.CharField(max_length=16, default="queued")
    params = peewee.TextField()
    result = peewee.TextField(default="{}")
    message = peewee.TextField(default="")
    done = peewee.BigIntegerField(default=0)
    total = peewee.BigIntegerField(default=0)
    cancel_requested = peewee.IntegerField(default=0)
    created_by = peewee.CharField(max_length=200)
    user_id = peewee.BigIntegerField(null=True)
    created_ns = peewee.BigIntegerField()
    started_ns = peewee.BigIntegerField(null=True)
    finished_ns = peewee.BigIntegerField(null=True)
    worker = peewee.CharField(max_length=200, default="")

    class Meta:
        table_name = "jobs"

    @property
    def parameters(self):
        return json.loads(self.params)

    def to_dict(self):
        return {"id": self.id, "kind": self.kind, "state": self.state, "done": self.done, "total": self.total,
                "fraction": round(self.done / self.total, 4) if self.total else (1.0 if self.state == "done" else 0.0),
                "message": self.message, "params": self.parameters, "result": json.loads(self.result),
                "created_by": self.created_by, "created": iso(self.created_ns), "started": iso(self.started_ns),
                "finished": iso(self.finished_ns), "cancel_requested": bool(self.cancel_requested)}


class Cancelled(Exception):
    """Raised inside a handler when someone asked to cancel its job."""


def handler(kind):
    def register(func):
        HANDLERS[kind] = func
        return func
    return register


def submit(actor, kind, params, subject="", here=False):
    """Queue a job; here: this process runs it at once (it is created running, so no runner takes it)."""
    now = now_ns()
    with database.atomic():
        job = Job.create(kind=kind, subject=subject, params=json.dumps(params), created_by=actor.label,
                         user_id=actor.user_id, created_ns=now,
                         **({"state": "running", "started_ns": now, "worker": WORKER} if here else {}))
        record(actor, "job.submit", "job", str(job.id), f"{'started' if here else 'queued'} a {kind} job",
               after=params)
    if not here:
        wake()
    return job


def get_job(job_id):
    job = Job.get_or_none(Job.id == job_id) if 0 < job_id < 2**62 else None
    if job is None:
        raise not_found(f"There is no job {job_id}.")
    return job


def jobs_of(kind, subject):
    """The jobs of one kind about one subject, newest first."""
    return list(Job.select().where(Job.kind == kind, Job.subject == subject)
                .order_by(Job.created_ns.desc(), Job.id.desc()))


def list_jobs(state=None, limit=50):
    jobs = Job.select().order_by(Job.created_ns.desc(), Job.id.desc())
    if state:
        jobs = jobs.where(Job.state == state)
    return list(jobs.limit(limit))


def cancel(actor, job):
    with database.atomic():
        job = Job.get_by_id(job.id)
        if job.state in FINISHED:
            raise conflict(f"Job {job.id} has already ended ({job.state}).")
        if job.state == "queued":
            job.state, job.finished_ns, job.message = "cancelled", now_ns(), f"cancelled by {actor.label} before it ran"
        job.cancel_requested = 1
        job.save()
        record(actor, "job.cancel", "job", str(job.id), f"asked to cancel job {job.id}")
    return job


class Reporter:
    """What a handler tells about its progress; it also raises Cancelled when the job was cancelled.

    Writes to the database at most every `interval` seconds, whatever the handler's pace."""

    def __init__(self, job, interval=0.5, bar=None):
        self.job_id, self.interval, self.bar = job.id, interval, bar
        self._last = 0.0

    def __call__(self, done, total):
        if self.bar is not None:
            self.bar.update(done, total)
        now = time.monotonic()
        if now - self._last < self.interval and done < total:
            return
        self._last = now
        Job.update(done=done, total=total).where(Job.id == self.job_id).execute()
        if Job.select(Job.cancel_requested).where(Job.id == self.job_id).scalar():
            raise Cancelled()


def claim(job_id=None):
    """Take one queued job (the given one, or the oldest) for this process; None when there is none."""
    candidates = Job.select(Job.id).where(Job.state == "queued").order_by(Job.created_ns, Job.id)
    if job_id is not None:
        candidates = candidates.where(Job.id == job_id)
    for (candidate,) in candidates.limit(5).tuples():
        taken = (Job.update(state="running", started_ns=now_ns(), worker=WORKER)
                 .where(Job.id == candidate, Job.state == "queued").execute())
        if taken:
            return Job.get_by_id(candidate)
    return None


def run(settings, job, bar=None):
    """Run a claimed job to its end, recording the outcome. Returns the job as it ended."""
    func = HANDLERS.get(job.kind)
    try:
        if func is None:
            raise DcsError(500, f"No handler for jobs of kind {job.kind!r}.")
        result = func(settings, job, Reporter(job, bar=bar))
        state, message, result = "done", "", result or {}
    except Cancelled:
        state, message, result = "cancelled", "cancelled while it ran; nothing was written", {}
    except DcsError as error:
        state, message, result = "failed", error.message, {}
    except Exception:  # a job's failure must not take the runner down
        log.exception("job %s failed", job.id)
        state, message, result = "failed", "The job failed unexpectedly; the server log has the details.", {}
    changes = {Job.state: state, Job.finished_ns: now_ns(), Job.result: json.dumps(result), Job.message: message}
    if state == "done":
        changes[Job.done] = Job.total
    Job.update(changes).where(Job.id == job.id).execute()
    return Job.get_by_id(job.id)


def worker_gone(worker):
    """Whether a worker ("host:pid") is a process of this host that has ended (another host's cannot be told)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    return not _alive(int(pid))


def recover_abandoned():
    """Jobs this host's dead processes left running are failed: they will not finish by themselves."""
    for job in Job.select().where(Job.state == "running", Job.worker.startswith(f"{socket.gethostname()}:")):
        if worker_gone(job.worker):
            Job.update(state="failed", finished_ns=now_ns(),
                       message="The process running this job stopped before it ended; submit it again.") \
                .where(Job.id == job.id, Job.state == "running").execute()


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_wakeup = threading.Event()


def wake():
    _wakeup.set()


class JobRunner:
    """Worker threads of `dcs serve`: each waits for queued jobs (woken at once by a submit in this
    process, else polling every `poll` seconds for jobs queued by other processes) and runs them."""

    def __init__(self, settings, workers=1, poll=1.0):
        self.settings, self.workers, self.poll = settings, workers, poll
        self._stop = threading.Event()
        self._threads = []

    def start(self):
        with database.connection_context():
            recover_abandoned()
        for number in range(self.workers):
            thread = threading.Thread(target=self._loop, name=f"dcs-job-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout=5.0):
        self._stop.set()
        wake()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self):
        while not self._stop.is_set():
            try:
                with database.connection_context():
                    job = claim()
                    if job is not None:
                        run(self.settings, job)
                        continue
            except Exception:
                log.exception("the job runner could not take a job")
            _wakeup.wait(self.poll)
            _wakeup.clear()
