import { get, post, put } from './client.js'

const setPath = (name) => `/config-sets/${encodeURIComponent(name)}`

export const listConfigSets = async ({ group, state } = {}) =>
  (await get('/config-sets', { query: { group, state } })).sets ?? []

/** A set with its pins, history, previous_approved, diff and can ({edit, propose, withdraw, approve, reject, revise, apply}). */
export const getConfigSet = async (name) => (await get(setPath(name))).set

/** versions: version ids to pin; snapshot: owners whose active versions to pin. */
export async function createConfigSet({ name, group, description = '', versions = [], snapshot = [] }) {
  return (await post('/config-sets', { name, group, description, versions, snapshot })).set
}

export const changeConfigPins = async (name, { add = [], remove = [] }) =>
  (await put(`${setPath(name)}/pins`, { add, remove })).set

const withComment = (comment) => (comment ? { comment } : {})

export const proposeConfigSet = async (name, comment = '') =>
  (await post(`${setPath(name)}/propose`, withComment(comment))).set

export const withdrawConfigSet = async (name, comment = '') =>
  (await post(`${setPath(name)}/withdraw`, withComment(comment))).set

export const approveConfigSet = async (name, comment = '') =>
  (await post(`${setPath(name)}/approve`, withComment(comment))).set

export const rejectConfigSet = async (name, comment) => (await post(`${setPath(name)}/reject`, { comment })).set

/** A new draft with the same pins, named newName. */
export const reviseConfigSet = async (name, newName) => (await post(`${setPath(name)}/revise`, { name: newName })).set

/** Activate every pinned version: {activated: [{owner, number}], set}. */
export const applyConfigSet = (name, comment = '') => post(`${setPath(name)}/apply`, withComment(comment))
