import { get, post, put } from './client.js'

const setPath = (name) => `/calib/sets/${encodeURIComponent(name)}`

export const SET_STATES = ['draft', 'proposed', 'approved', 'rejected', 'superseded']

export const listSets = async ({ experiment, state } = {}) =>
  (await get('/calib/sets', { query: { experiment, state } })).sets ?? []

/** A set with its pins, history, previous_approved, diff and can ({edit, propose, approve, reject, revise}). */
export const getSet = async (name) => (await get(setPath(name))).set

/** snapshotDetectors: start the set with the current constants of these detectors. */
export async function createSet({ name, experiment, description = '', snapshotDetectors = [] }) {
  const body = { name, experiment, description }
  if (snapshotDetectors.length) body.snapshot = { detectors: snapshotDetectors }
  return (await post('/calib/sets', body)).set
}

export const changePins = async (name, { add = [], remove = [] }) =>
  (await put(`${setPath(name)}/pins`, { add, remove })).set

const withComment = (comment) => (comment ? { comment } : {})

export const proposeSet = async (name, comment = '') => (await post(`${setPath(name)}/propose`, withComment(comment))).set

export const approveSet = async (name, comment = '') => (await post(`${setPath(name)}/approve`, withComment(comment))).set

export const rejectSet = async (name, comment) => (await post(`${setPath(name)}/reject`, { comment })).set

/** A new draft with the same pins, named newName. */
export const reviseSet = async (name, newName) => (await post(`${setPath(name)}/revise`, { name: newName })).set

export const diffSets = async (name, against) => (await get(`${setPath(name)}/diff`, { query: { against } })).diff

/** Download addresses of an approved set (plain links, not JSON). */
export const exportUrls = (name) => ({
  bundle: `/api${setPath(name)}/bundle.h5`,
  psana: `/api${setPath(name)}/psana.tar.gz`,
})
