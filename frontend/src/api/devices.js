import { del, get, patch, post } from './client.js'

const devicePath = (name) => `/devices/${encodeURIComponent(name)}`

/** Every device by name; subsystem and type narrow them on the server. */
export const listDevices = async ({ subsystem, type } = {}) => (await get('/devices', { query: { subsystem, type } })).devices

/**
 * The device page: facts, predecessors/successors, type, ports, placements, aliases, connections,
 * behind_count, config {type_version, device_version, versions, problems}, live {read, matches, counts} or
 * null, calibrations [{workspace, ctype, versions}] and can {edit, write_config, activate}.
 */
export const getDevice = async (name) => (await get(devicePath(name))).device

/** fields: name (<dettype>-<detid>), description, subsystem, group, hw_index, firmware, predecessor, address. */
export const createDevice = async (fields) => (await post('/devices', fields)).device

/** Change some fields of a device; answers with the device page. */
export const updateDevice = async (name, fields) => (await patch(devicePath(name), fields)).device

/** Add a port {name, kind} ("" for any kind); answers with the device's ports. */
export const addPort = async (name, port) => (await post(`${devicePath(name)}/ports`, port)).ports

export const removePort = async (name, port) =>
  (await del(`${devicePath(name)}/ports/${encodeURIComponent(port)}`)).ports

/**
 * Place a device {begin, end, instrument, hatch, experiment, note, move}; move ends the placement open at
 * begin (the device moves). Answers with the device's placements.
 */
export const addPlacement = async (name, placement) => (await post(`${devicePath(name)}/placements`, placement)).placements

export const endPlacement = async (name, id, end) =>
  (await patch(`${devicePath(name)}/placements/${encodeURIComponent(id)}`, { end })).placements

export const deletePlacement = async (name, id) =>
  (await del(`${devicePath(name)}/placements/${encodeURIComponent(id)}`)).placements

/** What hangs off a device: [{name, depth, via, kind}], nearest first; kinds narrows the connections followed. */
export const listBehind = async (name, kinds = []) =>
  (await get(`${devicePath(name)}/behind`, { query: { kind: kinds.join(',') } })).behind ?? []
