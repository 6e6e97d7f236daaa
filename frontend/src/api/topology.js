import { del, get, patch, post, put } from './client.js'

const typePath = (name) => `/device-types/${encodeURIComponent(name)}`

/**
 * The whole graph, compact: {columns, devices: [[name, dettype, subsystem, group, experiment]...],
 * connections: [[fromIndex, toIndex, kind]...], outside, subsystems, experiments}.
 * subsystem and experiment narrow it on the server (empty: all).
 */
export async function getTopology({ subsystem, experiment, at } = {}) {
  const data = await get('/topology', { query: { subsystem, experiment, at } })
  return {
    columns: data.columns ?? [],
    devices: data.devices ?? [],
    connections: data.connections ?? [],
    outside: data.outside ?? 0,
    subsystems: data.subsystems ?? [],
    experiments: data.experiments ?? [],
  }
}

/** Connect {from: "device:port", to: "device:port", kind, note}; answers with the connection. */
export const connect = async ({ from, to, kind, note = '' }) => (await post('/connections', { from, to, kind, note })).connection

export const disconnect = async (id) => del(`/connections/${encodeURIComponent(id)}`)

/** Name a detector by an alias from begin (to end, if given); answers with the alias period. */
export async function addAlias({ alias, detname, begin, end }) {
  const body = { alias, detname, begin }
  if (end) body.end = end
  return (await post('/aliases', body)).alias
}

export const endAlias = async (id, end) => (await patch(`/aliases/${encodeURIComponent(id)}`, { end })).alias

export const deleteAlias = async (id) => del(`/aliases/${encodeURIComponent(id)}`)

/** Device types [{name, description, group, schema_version, ports, devices}]. */
export const listDeviceTypes = async () => (await get('/device-types')).types ?? []

/** One device type with its JSON Schema and device count. */
export const getDeviceType = async (name) => (await get(typePath(name))).type

export const createDeviceType = async (fields) => (await post('/device-types', fields)).type

export const updateDeviceType = async (name, fields) => (await patch(typePath(name), fields)).type

/**
 * Put a new JSON Schema for a type. A 409 (thrown as ApiError) carries body.failing: the active
 * configurations that would fail it, [{owner, number, problems}]; force saves it anyway.
 * Answers {type, failing}.
 */
export async function putSchema(name, schema, { force = false } = {}) {
  const data = await put(`${typePath(name)}/schema`, { schema, force })
  return { type: data.type, failing: data.failing ?? [] }
}
