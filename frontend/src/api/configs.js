import { get, post } from './client.js'

// Configurations of device types (their defaults) and of devices. kind is 'types' or 'devices'.
export const CONFIG_FORMATS = ['json', 'yaml']

const ownerPath = (kind, name) => `/configs/${kind}/${encodeURIComponent(name)}`

/**
 * An owner's page: schema, versions (newest first), active (a number), latest (with its config),
 * activations, can {write, activate}; for a device also effective and type_default.
 */
export const getConfig = async (kind, name) => (await get(ownerPath(kind, name))).config

/** One version with its document (config). */
export const getVersion = async (kind, name, number) => (await get(`${ownerPath(kind, name)}/versions/${number}`)).version

/**
 * Check a document as typed, writing nothing: {valid, problems:[{field, error}], config, base,
 * changes, effective}. A text that does not parse is refused (400) with the line and column.
 */
export const checkConfig = (kind, name, { text, format, base }) =>
  post(`${ownerPath(kind, name)}/check`, { text, format, ...(base ? { base } : {}) })

/** Save a new version: {version, config: the page}. base: the number the text started from (409 when outdated). */
export const saveVersion = (kind, name, { text, format, comment = '', activate = false, base }) =>
  post(`${ownerPath(kind, name)}/versions`, { text, format, comment, activate, base })

/** Make a version the active one from now on; answers with the page. */
export const activateVersion = async (kind, name, version, comment = '') =>
  (await post(`${ownerPath(kind, name)}/activate`, { version, comment })).config

/** A new version equal to an old one, activated: {version, config: the page}. */
export const rollbackVersion = (kind, name, version, comment = '') =>
  post(`${ownerPath(kind, name)}/rollback`, { version, comment })

/** The changes from version a to version b: {a, b, changes: [{path, op, before, after}]}. */
export const diffVersions = (kind, name, a, b) => get(`${ownerPath(kind, name)}/diff`, { query: { a, b } })

/** A device's stored configuration against the live values it last reported: {read, rows, counts, matches…}. */
export const getLive = async (name) => (await get(`/configs/devices/${encodeURIComponent(name)}/live`)).live

/** The download address of an export (a file, not JSON). */
export function exportUrl({ format = 'json', subsystem = '', devices = [], types = [] } = {}) {
  const params = new URLSearchParams({ format })
  if (subsystem) params.set('subsystem', subsystem)
  if (devices.length) params.set('devices', devices.join(','))
  if (types.length) params.set('types', types.join(','))
  return `/api/configs/export?${params}`
}

/**
 * Device types with the number of their default's active version (null: none active).
 * The list of types does not carry it, so it is read from an export of the types only.
 */
export async function listTypeDefaults() {
  const types = (await get('/device-types')).types ?? []
  if (types.length === 0) return []
  const exported = await get('/configs/export', { query: { format: 'json', types: types.map((t) => t.name).join(',') } })
  return types.map((t) => ({ ...t, active: exported.types?.[t.name]?.default?.version ?? null }))
}

/**
 * Import an export: {dry_run, plan: [{owner, action, from, number, changes}]}. Refused (400) with the
 * problems (errors) and the plan (error.body.plan) when any configuration does not pass.
 */
export const importConfigs = ({ text, format, activate = false, schemas = false, dryRun = false }) =>
  post('/configs/import', { text, format, activate, schemas, dry_run: dryRun })

/** What a device ran with at a time (seconds or ISO 8601): {config, type_version, device_version, at, problems}. */
export const getEffective = async (name, at) =>
  (await get(`/configs/devices/${encodeURIComponent(name)}/effective`, { query: { at } })).effective
