// Words, marks and colours of the monitoring pages: a device's health, an alert's severity and state, a
// heartbeat watch's state, and the level of a value against its parameter's limits. The colours are CSS
// custom properties in main.css (--health-<name>), so the grid, the legend and the badges agree.

/** A device's health, worst first (as the server ranks it), with what each means. */
export const HEALTH = [
  { name: 'critical', label: 'critical', meaning: 'a critical alert is open' },
  { name: 'alarm', label: 'alarm', meaning: 'an alarm is open' },
  { name: 'down', label: 'down', meaning: 'no heartbeat: the controller is down' },
  { name: 'warning', label: 'warning', meaning: 'a warning is open' },
  { name: 'late', label: 'late', meaning: 'the heartbeat is late' },
  { name: 'suppressed', label: 'suppressed', meaning: 'behind a controller that is down' },
  { name: 'paused', label: 'paused', meaning: 'heartbeat paused for maintenance' },
  { name: 'ok', label: 'ok', meaning: 'beating and within limits' },
  { name: 'unknown', label: 'no data', meaning: 'no heartbeat or readings' },
]
export const HEALTH_RANK = Object.fromEntries(HEALTH.map((h, i) => [h.name, i]))

export const SEVERITIES = ['warning', 'alarm', 'critical']
export const SEVERITY_RANK = { warning: 0, alarm: 1, critical: 2 }

/** What an alert's state says, with a mark to see it by. */
export const ALERT_STATES = {
  active: { mark: '●', words: 'active, not acknowledged' },
  acknowledged: { mark: '✓', words: 'acknowledged' },
  returned: { mark: '↩', words: 'returned to normal, not acknowledged' },
  cleared: { mark: '○', words: 'cleared' },
}

/** A heartbeat watch's states. */
export const WATCH_STATES = {
  new: { mark: '○', words: 'no heartbeat yet', health: 'unknown' },
  up: { mark: '●', words: 'up', health: 'ok' },
  late: { mark: '◔', words: 'late', health: 'late' },
  down: { mark: '✕', words: 'down', health: 'down' },
  paused: { mark: '‖', words: 'paused', health: 'paused' },
}

/** Whether an alert needs someone: active, or returned and not acknowledged. */
export const needsAck = (alert) => alert.state === 'active' || alert.state === 'returned'

/**
 * The level of a value against a parameter's limits, as the engine judges one sample (no deadband):
 * 'alarm' past an alarm limit (the parameter's alarm severity, 'alarm' or 'critical'), 'warning' past a warn
 * limit, 'ok' inside them, '' when there is no value.
 */
export function levelOf(value, p) {
  if (value === null || value === undefined || !Number.isFinite(value)) return ''
  const past = (low, high) => (low !== null && low !== undefined && value < low) || (high !== null && high !== undefined && value > high)
  if (past(p.alarm_low, p.alarm_high)) return p.alarm_severity === 'critical' ? 'critical' : 'alarm'
  if (past(p.warn_low, p.warn_high)) return 'warning'
  return 'ok'
}

/** A number as people read it: up to 4 significant digits, no trailing noise. */
export function formatValue(value, unit = '') {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  const abs = Math.abs(value)
  const text = abs !== 0 && (abs >= 1e6 || abs < 1e-3) ? value.toExponential(3) : String(Number(value.toPrecision(4)))
  return unit ? `${text} ${unit}` : text
}

/** The limits of a parameter in words, low to high: "alarm < 10 · warn < 15 · warn > 32 · alarm > 38". */
export function limitsText(p) {
  const parts = []
  if (p.alarm_low !== null && p.alarm_low !== undefined) parts.push(`alarm < ${formatValue(p.alarm_low)}`)
  if (p.warn_low !== null && p.warn_low !== undefined) parts.push(`warn < ${formatValue(p.warn_low)}`)
  if (p.warn_high !== null && p.warn_high !== undefined) parts.push(`warn > ${formatValue(p.warn_high)}`)
  if (p.alarm_high !== null && p.alarm_high !== undefined) parts.push(`alarm > ${formatValue(p.alarm_high)}`)
  return parts.length ? parts.join(' · ') : 'no limits'
}
