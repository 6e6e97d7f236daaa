// Times come from the server as ISO 8601 strings, sometimes with nanoseconds
// ("2026-11-21T17:40:00.123456789+00:00"). People see them in their local form.

const formatter = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })

/** A Date from an ISO 8601 string (fraction cut to milliseconds), or null. */
export function parseIso(value) {
  if (typeof value !== 'string' || !value) return null
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1')
  const date = new Date(trimmed)
  return Number.isNaN(date.getTime()) ? null : date
}

/** Local, readable form of an ISO 8601 string; the string itself when it cannot be read. */
export function formatTime(value) {
  const date = parseIso(value)
  return date ? formatter.format(date) : value ?? ''
}

export function useTime() {
  return { parseIso, formatTime }
}
