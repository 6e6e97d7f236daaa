import { del, get, post, put } from './client.js'

const experimentPath = (name) => `/experiments/${encodeURIComponent(name)}`
const runPath = (experiment, number) => `${experimentPath(experiment)}/runs/${encodeURIComponent(number)}`

export const listExperiments = async () => (await get('/experiments')).experiments ?? []

export const getExperiment = async (name) => (await get(experimentPath(name))).experiment

export const setDarkDetectors = async (name, detectors) =>
  (await put(`${experimentPath(name)}/dark-detectors`, { detectors })).experiment

/** Runs of an experiment, newest first: { runs, total }. dark: only runs tagged as dark. */
export async function listRuns(experiment, { dark = false, limit = 50, offset = 0 } = {}) {
  const data = await get(`${experimentPath(experiment)}/runs`, {
    query: { dark: dark ? 1 : undefined, limit, offset },
  })
  return { runs: data.runs ?? [], total: data.total ?? 0 }
}

/** One run with its notes, tag_history and jobs. */
export const getRun = async (experiment, number) => (await get(runPath(experiment, number))).run

/** Tag a run as dark; reasonText is sent only for the reason "other". Returns the run. */
export async function tagDark(experiment, number, { reason, reasonText = '', notes = '' }) {
  const body = { reason, notes }
  if (reason === 'other') body.reason_text = reasonText
  return (await put(`${runPath(experiment, number)}/dark`, body)).run
}

export const untagDark = async (experiment, number, comment = '') =>
  (await del(`${runPath(experiment, number)}/dark`, { query: { comment } })).run

export const addNote = async (experiment, number, text) =>
  (await post(`${runPath(experiment, number)}/notes`, { text })).note

/** Register a data file of the run. Returns { run, jobs } (jobs: generations started by it). */
export async function registerFile(experiment, number, { detname, path }) {
  const data = await post(`${runPath(experiment, number)}/files`, { detname, path })
  return { run: data.run, jobs: data.jobs ?? [] }
}

/** [{value, label}] */
export const listDarkReasons = async () => (await get('/dark-reasons')).reasons ?? []
