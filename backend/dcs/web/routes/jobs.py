"""Background jobs (generation of constants from dark runs): list, follow, cancel, and start one."""

import shutil
from pathlib import Path

from bottle import request, response

from ...calib import darks
from ...calib.access import check_write
from ...calib.workspace import parse_workspace
from ...errors import DcsError, bad_request, forbidden
from ...names import split_detname
from ...runs import get_run
from ...timeutil import now_ns
from ...jobs import STATES, cancel, get_job, list_jobs
from .. import query
from ..body import read_multipart
from ..fields import Body, Dict, Int, Str

GENERATE = Body(
    experiment=Str(min_len=1, max_len=64), run=Int(minimum=0, maximum=10**9 - 1), detname=Str(min_len=3, max_len=200),
    path=Str(min_len=1, max_len=1000, required=False,
             description="Relative to the data root; default: the file registered for the run and detector."),
    workspace=Str(max_len=200, required=False, description="experiment:<exp> (default) or sandbox:<exp>:<user>"),
    runs=Str(max_len=40, required=False, description="Validity as a psana run range (12-34, 56-end); default: "
                                                     "from the run's begin, open."),
    thresholds=Dict(required=False, max_bytes=1024, description="min_frames, rms_nsigma, ped_nsigma"))
UPLOAD = Body(**{k: v for k, v in GENERATE.fields.items() if k != "path"})


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _read_upload(settings):
    """The metadata and the frames part of an upload, checked before anything is kept."""
    body, frames = read_multipart(settings.max_upload, "frames", UPLOAD)
    if frames.file.read(8) != HDF5_SIGNATURE:
        raise bad_request("The frames part is not an HDF5 file.", errors=[{"field": "frames", "error": "Not HDF5."}])
    frames.file.seek(0)
    split_detname(body["detname"])
    get_run(body["experiment"], body["run"])
    return body, frames


def _save_upload(settings, body, frames):
    """Keep an uploaded frames file under the data root (<root>/_uploads/<exp>/run<n>/); returns its path there."""
    relative = f"_uploads/{body['experiment']}/run{body['run']}/{body['detname']}-{now_ns()}.h5"
    target = Path(settings.data_root) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with open(partial, "wb") as out:
        shutil.copyfileobj(frames.file, out, 1024**2)
    partial.rename(target)
    return relative


def register(api):
    @api.route("/jobs", "GET", perm="read", tag="jobs",
               query=(("state", "queued, running, done, failed or cancelled"), ("limit", "at most 500 (default 50)")))
    def jobs():
        """Background jobs, newest first."""
        state, limit = query.text("state"), query.whole("limit", 50, digits=3)
        if state is not None and state not in STATES:
            raise bad_request(f"The state must be one of {', '.join(STATES)}.")
        return {"ok": True, "jobs": [j.to_dict() for j in list_jobs(state, min(max(limit, 1), 500))]}

    @api.route("/jobs/<job_id:int>", "GET", perm="read", tag="jobs")
    def job(job_id):
        """One job with its progress."""
        return {"ok": True, "job": get_job(job_id).to_dict()}

    @api.route("/jobs/<job_id:int>/cancel", "POST", perm="calib.write", tag="jobs")
    def cancel_job(job_id, principal, actor):
        """Cancel a queued or running job (its submitter, or an admin); nothing it was making is written."""
        found = get_job(job_id)
        if found.user_id != principal.user_id and not principal.is_admin:
            raise forbidden(f"Job {job_id} was started by {found.created_by}; only they or an admin may cancel it.")
        return {"ok": True, "job": cancel(actor, found).to_dict()}

    @api.route("/calib/generate", "POST", perm="calib.write", body=GENERATE, tag="calib")
    def generate(principal, actor, body, settings):
        """Generate pedestals, pixel_rms and pixel_status from a dark run's frames, as a background job."""
        job = darks.submit(actor, principal, settings, body["experiment"], body["run"], body["detname"],
                           body.get("path"), body.get("workspace"), body.get("runs"), body.get("thresholds"))
        response.status = 202
        response.set_header("Location", f"/api/jobs/{job.id}")
        return {"ok": True, "job": job.to_dict()}

    @api.route("/calib/generate/upload", "POST", perm="calib.write", tag="calib")
    def generate_upload(principal, actor, settings):
        """Generate from an uploaded frames file: multipart/form-data with a part `metadata` (JSON: experiment,
        run, detname, workspace, runs, thresholds) and a part `frames` (the HDF5 file, at most DCS_MAX_UPLOAD)."""
        if not (request.content_type or "").lower().startswith("multipart/form-data"):
            raise DcsError(415, "Send the frames as multipart/form-data with parts metadata and frames.")
        body, frames = _read_upload(settings)
        check_write(principal, parse_workspace(body.get("workspace") or f"experiment:{body['experiment']}"))
        relative = _save_upload(settings, body, frames)
        job = darks.submit(actor, principal, settings, body["experiment"], body["run"], body["detname"], relative,
                           body.get("workspace"), body.get("runs"), body.get("thresholds"))
        response.status = 202
        response.set_header("Location", f"/api/jobs/{job.id}")
        return {"ok": True, "job": job.to_dict(), "path": relative}
