// The editable fields of a device as a form holds them (all text) and as the API takes them.

export const ADDRESS_KEYS = ['host', 'ip', 'port', 'crate', 'slot', 'channel']
const NUMERIC = new Set(['port', 'crate', 'slot', 'channel'])

/** The form's text values for a device (or blanks for a new one). */
export function formOf(device = {}) {
  const address = device.address ?? {}
  return {
    description: device.description ?? '',
    subsystem: device.subsystem ?? '',
    group: device.group ?? '',
    hw_index: device.hw_index ?? '',
    firmware: device.firmware ?? '',
    predecessor: device.predecessor ?? '',
    address: Object.fromEntries(ADDRESS_KEYS.map((k) => [k, address[k] === undefined || address[k] === null ? '' : String(address[k])])),
  }
}

/** "20.26.7" -> [20, 26, 7]; '' -> []; null when a part is not a whole number. */
export function parseHwIndex(text) {
  const trimmed = String(text ?? '').trim()
  if (!trimmed) return []
  const parts = trimmed.split('.')
  if (!parts.every((p) => /^\d+$/.test(p))) return null
  return parts.map(Number)
}

/**
 * The API body for a form: only the fields that differ from `before` (a formOf() result; {} for a new
 * device: every filled field). Marks what cannot be sent with errors.setField().
 */
export function deviceBody(form, before, errors) {
  const body = {}
  for (const key of ['description', 'subsystem', 'group', 'firmware', 'predecessor']) {
    const value = key === 'description' ? form[key] : form[key].trim()
    if (value !== (before[key] ?? '')) body[key] = value
  }
  if (form.hw_index.trim() !== (before.hw_index ?? '')) {
    const numbers = parseHwIndex(form.hw_index)
    if (numbers === null) errors.setField('hw_index', 'Give whole numbers separated by dots, like 20.26.7.7.0.3.2.')
    else body.hw_index = numbers
  }
  const address = {}
  let changed = false
  for (const key of ADDRESS_KEYS) {
    const text = form.address[key].trim()
    if (text !== (before.address?.[key] ?? '')) changed = true
    if (!text) continue
    if (NUMERIC.has(key)) {
      if (!/^\d+$/.test(text)) errors.setField(`address.${key}`, `The ${key} is a whole number.`)
      else address[key] = Number(text)
    } else address[key] = text
  }
  if (changed) body.address = address
  return body
}
