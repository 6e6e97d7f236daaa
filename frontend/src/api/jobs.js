import { get, post } from './client.js'

const jobPath = (id) => `/jobs/${encodeURIComponent(id)}`

/** Background jobs, newest first. */
export const listJobs = async ({ state, limit = 50 } = {}) => (await get('/jobs', { query: { state, limit } })).jobs ?? []

export const getJob = async (id) => (await get(jobPath(id))).job

export const cancelJob = async (id) => (await post(`${jobPath(id)}/cancel`, {})).job

/**
 * Start generating constants from a run; empty path, workspace and runs are left out. With a file
 * (a File of raw frames) the frames are uploaded instead of read from the run's registered file.
 * Returns the job.
 */
export async function generate({ experiment, run, detname, path, workspace, runs, thresholds, file }) {
  const body = { experiment, run: Number(run), detname }
  if (path && !file) body.path = path
  if (workspace) body.workspace = workspace
  if (runs) body.runs = runs
  if (thresholds) body.thresholds = thresholds
  if (!file) return (await post('/calib/generate', body)).job
  const form = new FormData()
  form.append('metadata', JSON.stringify(body))
  form.append('frames', file)
  return (await post('/calib/generate/upload', form)).job
}

/** Whether a job may still change (and is worth asking about again). */
export const isActive = (job) => job?.state === 'queued' || job?.state === 'running'
