import { del, get, post, put } from './client.js'

const devicePath = (name) => `/monitoring/devices/${encodeURIComponent(name)}`
const parameterPath = (name, parameter) => `${devicePath(name)}/parameters/${encodeURIComponent(parameter)}`

/**
 * The dashboard: {engine, counts: {severity: {active, acknowledged, returned, shelved, suppressed}},
 * health (worst first), revision, subsystems: [{name, devices: [{name, health, alerts}]}]}.
 */
export const getSummary = () => get('/monitoring/summary')

/** The alert engine: {holder, beat, ticks, stalled, since_s, last_error, message}. */
export const getEngine = async () => (await get('/monitoring/engine')).engine

/** Every heartbeat watch: [{device, subsystem, state, period_s, grace_s, severity, last, ...}]. */
export const listHeartbeats = async () => (await get('/monitoring/heartbeats')).heartbeats ?? []

/**
 * A device's monitoring panel: {device, heartbeat, heartbeats, parameters (with their open alert),
 * alerts, suppressed_by, now, can: {operate, configure}}.
 */
export const getDeviceMonitoring = (name) => get(devicePath(name))

/** Experts: {period_s, grace_s, severity} of a device's heartbeat watch; answers with the watch. */
export const configureHeartbeat = async (name, fields) => (await put(`${devicePath(name)}/heartbeat`, fields)).heartbeat

/** Operators: no heartbeat alerts for {minutes} or {until}, with a comment; answers with the watch. */
export const pauseHeartbeat = async (name, { minutes, until, comment = '' }) =>
  (await post(`${devicePath(name)}/heartbeat/pause`, { ...(until ? { until } : { minutes }), comment })).heartbeat

export const resumeHeartbeat = async (name) => (await post(`${devicePath(name)}/heartbeat/resume`, {})).heartbeat

/** Experts: create a parameter or change its limits (null takes a limit away); answers with the parameter. */
export const saveParameter = async (name, parameter, fields) => (await put(parameterPath(name, parameter), fields)).parameter

export const deleteParameter = (name, parameter) => del(parameterPath(name, parameter))

/**
 * The readings of a window binned by the server: {parameter, from, to, t (Unix seconds), min, mean, max,
 * count, source, bucket_s}. from and to are Unix seconds (default: the last day); points at most 5000.
 */
export const getSeries = (name, parameter, { from, to, points } = {}) =>
  get(`${parameterPath(name, parameter)}/series`, { query: { from, to, points } })

/** The address of the raw readings of a window as a download (format csv or json). */
export function exportUrl(name, parameter, { from, to, format = 'csv' } = {}) {
  const query = new URLSearchParams({ format })
  if (from !== undefined && from !== null) query.set('from', String(from))
  if (to !== undefined && to !== null) query.set('to', String(to))
  return `/api${parameterPath(name, parameter)}/export?${query}`
}
