import { get, post } from './client.js'

const jobPath = (id) => `/jobs/${encodeURIComponent(id)}`

/** Background jobs, newest first. */
export const listJobs = async ({ state, limit = 50 } = {}) => (await get('/jobs', { query: { state, limit } })).jobs ?? []

export const getJob = async (id) => (await get(jobPath(id))).job

export const cancelJob = async (id) => (await post(`${jobPath(id)}/cancel`, {})).job

/** Start generating constants from a run; empty path and workspace are left out. Returns the job. */
export async function generate({ experiment, run, detname, path, workspace, thresholds }) {
  const body = { experiment, run: Number(run), detname }
  if (path) body.path = path
  if (workspace) body.workspace = workspace
  if (thresholds) body.thresholds = thresholds
  return (await post('/calib/generate', body)).job
}

/** Whether a job may still change (and is worth asking about again). */
export const isActive = (job) => job?.state === 'queued' || job?.state === 'running'
