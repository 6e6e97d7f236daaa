import { get, post } from './client.js'

/**
 * The command modules: [{name, description, device_types, source, commands: [{module, name, key, summary,
 * role, danger (safe | confirm), timeout_s, args: [{name, type, minimum, maximum, unit, choices, default,
 * required, help}]}]}].
 */
export const listModules = async () => (await get('/commands')).modules ?? []

/**
 * Run a command on devices: {command: 'sipm.set-hv', devices, arguments, confirm}; answers with one run per
 * device (running). Refusals carry the server's sentence and, per argument, errors [{field, error}].
 */
export const startRun = async ({ command, devices, arguments: args = {}, confirm = false }) =>
  (await post('/commands/runs', { command, devices, arguments: args, confirm })).runs ?? []

/**
 * The run log, newest first: [{id, batch, command, device, arguments, actor, state, exit_code, output, errors,
 * message, result, started, finished, duration_s, cancel_requested}]. filters: device, batch, command, state, limit.
 */
export const listRuns = async ({ device, batch, command, state, limit } = {}) =>
  (await get('/commands/runs', { query: { device, batch, command, state, limit } })).runs ?? []

export const getRun = async (id) => (await get(`/commands/runs/${encodeURIComponent(id)}`)).run

/** Ask a running command to stop; answers with the run (cancel_requested). */
export const cancelRun = async (id) => (await post(`/commands/runs/${encodeURIComponent(id)}/cancel`, {})).run
