"""Constants from a dark run: right numbers, bounded memory, provenance, and bad input that writes nothing."""

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from dcs import jobs
from dcs.calib import darks, provenance
from dcs.calib.models import CalibVersion
from dcs.calib.store import CalibStore
from dcs.errors import DcsError
from dcs.runs import DarkDetector, register_file, tag_dark

from .darkdata import DEAD, HOT, MEMBER, OFFSET, dark_run, write_frames

DET = "andor-0001"


@pytest.fixture
def small(settings):
    """Chunks of 1 KiB of float64 work: even a small file is read in many pieces."""
    return settings.replace(dark_chunk=1024)


def run_to_end(settings, job):
    return jobs.run(settings, jobs.claim(job.id))


def generate(settings, path="dark.h5", **kw):
    job = darks.submit(MEMBER, None, settings, "xpp1", 7, DET, path, **kw)
    return run_to_end(settings, job)


def made(job):
    return [CalibVersion.get_by_id(v["id"]) for v in json.loads(job.result)["versions"]]


def test_pedestals_and_rms_are_the_mean_and_std_of_all_frames(small, people):
    dark_run()
    frames = write_frames(Path(small.data_root) / "dark.h5", DET, frames=37, shape=(6, 8))
    job = generate(small)
    assert job.state == "done", job.message
    pedestals, rms, status = (CalibStore(small.calib_dir).read(v) for v in made(job))
    np.testing.assert_allclose(pedestals, frames.astype(np.float64).mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(rms, frames.astype(np.float64).std(axis=0), rtol=1e-5, atol=1e-4)
    assert status.dtype == np.uint16 and status.shape == (6, 8)


def test_the_planted_bad_pixels_get_their_documented_bits_and_no_good_pixel_does(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET, frames=60, shape=(6, 8))
    status = CalibStore(small.calib_dir).read(made(generate(small))[2])
    assert status[HOT] & darks.STATUS_HIGH_RMS
    assert status[DEAD] & darks.STATUS_LOW_RMS
    assert status[OFFSET] & darks.STATUS_PEDESTAL
    assert np.count_nonzero(status) == 3


def test_panels_of_a_multi_panel_detector_are_judged_against_their_own_medians(small, people):
    dark_run()
    frames = write_frames(Path(small.data_root) / "dark.h5", "jungfrau-0001", frames=30, shape=(2, 512, 1024),
                          noise=3.0)
    frames[:, 1] += 500  # the second module sits higher: not a reason to flag all of it
    with __import__("h5py").File(Path(small.data_root) / "dark.h5", "a") as h5:
        h5["data/jungfrau-0001/frames"][...] = frames
    job = run_to_end(small, darks.submit(MEMBER, None, small, "xpp1", 7, "jungfrau-0001", "dark.h5"))
    status = CalibStore(small.calib_dir).read(made(job)[2])
    assert np.count_nonzero(status[1]) == 0
    assert status[0][HOT] and status[0][DEAD] and status[0][OFFSET]


def test_each_constant_is_a_new_version_valid_from_the_run_begin_in_the_experiment_work_space(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET)
    versions = made(generate(small))
    assert [v.range.ctype for v in versions] == ["pedestals", "pixel_rms", "pixel_status"]
    assert {v.range.file.workspace for v in versions} == {"experiment:xpp1"}
    assert {v.range.name for v in versions} == {"1795168800-end"}
    found = CalibStore(small.calib_dir).lookup(DET, "pedestals", ("xpp1", 7), workspace="experiment:xpp1")
    assert found.id == versions[0].id


def test_provenance_names_the_run_the_file_with_its_checksum_the_parents_and_the_software(small, people):
    dark_run()
    frames = write_frames(Path(small.data_root) / "dark.h5", DET)
    job = generate(small)
    pedestals, rms, status = made(job)
    record = provenance.of(status)
    assert record["runs"] == [{"experiment": "xpp1", "number": 7}]
    assert record["files"][0]["path"] == "dark.h5"
    assert record["files"][0]["sha256"] == hashlib.sha256(frames.astype("<u2").tobytes()).hexdigest()
    assert record["files"][0]["frames"] == 40
    assert record["parents"] == [pedestals.id, rms.id]
    assert record["software"].startswith("dcs ") and record["user"] == "user:maya" and record["job"] == job.id
    assert record["parameters"]["rms_nsigma"] == small.dark_rms_nsigma
    graph = provenance.graph(status)
    kinds = sorted(n["kind"] for n in graph["nodes"])
    assert kinds == ["file", "job", "run", "version", "version", "version"]
    assert {"from": f"version:{pedestals.id}", "to": f"version:{status.id}", "kind": "parent"} in graph["edges"]


def test_the_provenance_is_also_in_the_versions_dictpars_readable_with_plain_h5py(small, people):
    import h5py

    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET)
    version = made(generate(small))[0]
    path = Path(small.calib_dir) / version.range.file.path
    with h5py.File(path, "r") as h5:
        pars = json.loads(h5[f"pedestals/{version.range.name}/{version.name}"].attrs["dictpars"])
    assert pars["provenance"]["files"][0]["path"] == "dark.h5" and pars["run"] == 7


def test_regenerating_adds_versions_and_leaves_the_earlier_ones_as_they_were(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET, seed=1)
    first = made(generate(small))
    store = CalibStore(small.calib_dir)
    before = store.read(first[0]).copy()
    write_frames(Path(small.data_root) / "other.h5", DET, seed=2)
    second = made(generate(small, "other.h5"))
    assert [v.versind for v in second] == [2, 2, 2]
    np.testing.assert_array_equal(store.read(CalibVersion.get_by_id(first[0].id)), before)
    assert provenance.of(second[0])["files"][0]["path"] == "other.h5"


def test_a_sandbox_receives_the_constants_when_asked(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET)
    versions = made(generate(small, workspace="sandbox:xpp1:maya"))
    assert {v.range.file.workspace for v in versions} == {"sandbox:xpp1:maya"}


def test_a_run_range_gives_the_validity(small, people):
    dark_run()
    from dcs.runs import add_run
    add_run(MEMBER, "xpp1", 8, "2026-11-20T11:00:00Z", "2026-11-20T11:30:00Z")
    write_frames(Path(small.data_root) / "dark.h5", DET)
    versions = made(generate(small, runs="7-8"))
    assert versions[0].range.name == "1795168800-1795174200"


def failed_cleanly(settings, path, message, **kw):
    before = CalibVersion.select().count()
    job = generate(settings, path, **kw)
    assert job.state == "failed"
    assert message in job.message, job.message
    assert CalibVersion.select().count() == before
    return job


def test_a_dataset_that_is_not_frames_of_a_detector_fails_the_job(small, people):
    import h5py

    dark_run()
    Path(small.data_root).mkdir(parents=True)
    with h5py.File(Path(small.data_root) / "dark.h5", "w") as h5:
        h5.create_dataset(f"data/{DET}/frames", data=np.zeros(40, "u2"))
    failed_cleanly(small, "dark.h5", "must be frames x detector shape")


def test_fewer_frames_than_the_configured_minimum_fail_the_job(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET, frames=5)
    failed_cleanly(small, "dark.h5", "has 5 frames; at least 10 are needed")


def test_frames_of_another_shape_than_the_detectors_constants_fail_the_job(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET, shape=(6, 8))
    generate(small)
    write_frames(Path(small.data_root) / "wide.h5", DET, shape=(6, 9))
    failed_cleanly(small, "wide.h5", "has frames of shape (6, 9), but andor-0001 constants have shape (6, 8)")


def test_a_cspad_frame_must_have_the_cspad_shape(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", "cspad-0001", shape=(4, 5, 6))
    job = run_to_end(small, darks.submit(MEMBER, None, small, "xpp1", 7, "cspad-0001", "dark.h5"))
    assert job.state == "failed" and "a cspad frame is 32x185x388" in job.message


def test_a_file_that_is_not_hdf5_or_lacks_the_dataset_or_is_gone_fails_the_job(small, people):
    dark_run()
    root = Path(small.data_root)
    root.mkdir(parents=True)
    (root / "garbage.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + os.urandom(4000))
    failed_cleanly(small, "garbage.h5", "cannot be read as HDF5")
    write_frames(root / "other-detector.h5", "pnccd-12345678", shape=(4, 512, 512), frames=12)
    failed_cleanly(small, "other-detector.h5", f"has no dataset /data/{DET}/frames")
    write_frames(root / "vanishing.h5", DET)
    job = darks.submit(MEMBER, None, small, "xpp1", 7, DET, "vanishing.h5")
    (root / "vanishing.h5").unlink()
    ended = run_to_end(small, job)
    assert ended.state == "failed" and "There is no file 'vanishing.h5' under the data root" in ended.message


def test_a_path_outside_the_data_root_is_refused_before_a_job_exists(small, people, tmp_path):
    dark_run()
    write_frames(tmp_path / "outside.h5", DET)
    (Path(small.data_root)).mkdir(parents=True, exist_ok=True)
    (Path(small.data_root) / "escape.h5").symlink_to(tmp_path / "outside.h5")
    for path in ("../outside.h5", str(tmp_path / "outside.h5"), "escape.h5", "dark.txt"):
        with pytest.raises(DcsError) as refused:
            darks.submit(MEMBER, None, small, "xpp1", 7, DET, path)
        assert refused.value.status == 400
    assert jobs.Job.select().count() == 0


def test_a_cancelled_job_writes_nothing(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET, frames=200)
    job = jobs.claim(darks.submit(MEMBER, None, small, "xpp1", 7, DET, "dark.h5").id)
    jobs.Job.update(cancel_requested=1).where(jobs.Job.id == job.id).execute()
    ended = jobs.run(small, job)
    assert ended.state == "cancelled" and CalibVersion.select().count() == 0


def test_a_dark_run_with_its_file_starts_generation_by_itself_for_the_configured_detectors(small, people):
    run = dark_run()
    DarkDetector.create(experiment=run.experiment, detname=DET)
    write_frames(Path(small.data_root) / "dark.h5", DET)
    write_frames(Path(small.data_root) / "cam.h5", "opal-0001")
    register_file(MEMBER, run, DET, "dark.h5", small.data_root)
    register_file(MEMBER, run, "opal-0001", "cam.h5", small.data_root)
    assert darks.auto_generate(MEMBER, small, run) == []  # not dark yet
    tag_dark(MEMBER, run, "power_cycled")
    started = darks.auto_generate(MEMBER, small, run)
    assert [j.parameters["detname"] for j in started] == [DET]  # only the configured one
    assert darks.auto_generate(MEMBER, small, run) == []  # not twice
    assert run_to_end(small, started[0]).state == "done"


def test_the_job_runner_threads_take_queued_jobs_and_record_progress(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET)
    runner = jobs.JobRunner(small, workers=1, poll=0.05).start()
    try:
        job = darks.submit(MEMBER, None, small, "xpp1", 7, DET, "dark.h5")
        for _ in range(400):  # bounded: at most about 20 s
            job = jobs.Job.get_by_id(job.id)
            if job.state in jobs.FINISHED:
                break
            time.sleep(0.05)
    finally:
        runner.stop()
    assert job.state == "done" and job.done == job.total == 40 and job.to_dict()["fraction"] == 1.0


def test_a_job_left_running_by_a_dead_process_is_marked_failed(small, people):
    dark_run()
    write_frames(Path(small.data_root) / "dark.h5", DET)
    job = darks.submit(MEMBER, None, small, "xpp1", 7, DET, "dark.h5")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    jobs.Job.update(state="running", worker=f"{jobs.socket.gethostname()}:{dead.stdout.strip()}") \
        .where(jobs.Job.id == job.id).execute()
    jobs.recover_abandoned()
    assert jobs.Job.get_by_id(job.id).state == "failed"


MEMORY_PROBE = """
import sys
import h5py
from dcs.calib.darks import frame_statistics

def peak_kb():  # this process's own peak (ru_maxrss may carry the parent's across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

with h5py.File(sys.argv[1], "r") as h5:
    before = peak_kb()
    frame_statistics(h5[sys.argv[2]], 32 * 1024**2)
    print(before, peak_kb())
"""


def test_a_file_larger_than_the_memory_it_may_use_streams_through_in_bounded_memory(tmp_path):
    import h5py

    path, frame = tmp_path / "big.h5", (512, 1024)
    with h5py.File(path, "w") as h5:  # 600 frames of 1 MiB: 600 MiB on disk
        dataset = h5.create_dataset("data/jungfrau-0001/frames", shape=(600, *frame), dtype="u2",
                                    chunks=(1, *frame))
        block = np.random.default_rng(1).integers(900, 1100, size=(50, *frame), dtype=np.uint16)
        for start in range(0, 600, 50):
            dataset[start:start + 50] = block
    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(path), "data/jungfrau-0001/frames"],
                         capture_output=True, text=True, check=True)
    before_kb, after_kb = map(int, out.stdout.split())
    assert path.stat().st_size > 600 * 1024**2
    assert (after_kb - before_kb) * 1024 < 200 * 1024**2, "memory grew with the file instead of the chunk"
