// Values of configuration documents as the pages show them, and the paths people write
// (channels[3].voltage), the way the server names them.

const LONGEST = 160

/** A value in one line: strings quoted, objects and lists as compact JSON (cut when long). */
export function formatValue(value) {
  if (value === undefined) return '—'
  const text = typeof value === 'number' || typeof value === 'boolean' || value === null ? String(value) : JSON.stringify(value)
  return text.length > LONGEST ? `${text.slice(0, LONGEST - 1)}…` : text
}

/** The full value, for a title when formatValue cut it. */
export function fullValue(value) {
  return value === undefined ? '' : JSON.stringify(value)
}

export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

function pathText(parts) {
  let out = ''
  for (const part of parts) {
    out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : String(part)
  }
  return out || '(top)'
}

/** [{path, value}] of every leaf of a document (empty objects and lists count as leaves). */
export function leaves(document, parts = []) {
  if (isObject(document) && Object.keys(document).length) {
    return Object.entries(document).flatMap(([key, item]) => leaves(item, [...parts, key]))
  }
  if (Array.isArray(document) && document.length) {
    return document.flatMap((item, i) => leaves(item, [...parts, i]))
  }
  return [{ path: pathText(parts), value: document }]
}

/**
 * [{path, value, from: 'device'|'type'}] of a device's effective configuration: a value comes from the
 * device when the device's own configuration holds it. Objects merge key by key; anything else the
 * device holds (a list, a number) replaces the type default's whole.
 */
export function effectiveRows(effective, own, parts = [], fromDevice = false) {
  if (fromDevice || !isObject(effective)) {
    return leaves(effective, parts).map((row) => ({ ...row, from: fromDevice ? 'device' : 'type' }))
  }
  if (Object.keys(effective).length === 0) return leaves(effective, parts).map((row) => ({ ...row, from: 'type' }))
  return Object.entries(effective).flatMap(([key, item]) => {
    const mine = isObject(own) && Object.hasOwn(own, key)
    if (mine && isObject(own[key]) && isObject(item)) return effectiveRows(item, own[key], [...parts, key], false)
    return effectiveRows(item, undefined, [...parts, key], mine)
  })
}
