// Shaping the server's binned series for uPlot, and the windows of time a plot shows. Plain functions,
// tested without a canvas.

/** The ranges offered above a plot, the last ... up to now. */
export const RANGES = [
  { key: '1h', label: '1 h', seconds: 3600 },
  { key: '6h', label: '6 h', seconds: 6 * 3600 },
  { key: '24h', label: '24 h', seconds: 86400 },
  { key: '7d', label: '7 d', seconds: 7 * 86400 },
  { key: '30d', label: '30 d', seconds: 30 * 86400 },
]

/** The window {from, to} (Unix seconds) of a range ending now. */
export function windowOf(key, nowSeconds = Date.now() / 1000) {
  const range = RANGES.find((r) => r.key === key) ?? RANGES[2]
  const to = Math.round(nowSeconds)
  return { from: to - range.seconds, to }
}

/**
 * uPlot's data from the server's answer: [t, min, max, mean], with a null point where readings stop for
 * longer than a few buckets, so the lines and the band break there instead of bridging the gap.
 */
export function plotData(series) {
  const t = series?.t ?? []
  const out = [[], [], [], []]
  // A gap: much longer than a bucket and than the usual spacing of the points (readings may come rarer
  // than the buckets are wide).
  const steps = t.slice(1).map((v, i) => v - t[i]).sort((a, b) => a - b)
  const usual = steps.length ? steps[Math.floor(steps.length / 2)] : 0
  const gap = Math.max(3 * (series?.bucket_s || 0), 5 * usual, 1e-9)
  for (let i = 0; i < t.length; i++) {
    if (i > 0 && t[i] - t[i - 1] > gap) {
      out[0].push((t[i] + t[i - 1]) / 2)
      out[1].push(null)
      out[2].push(null)
      out[3].push(null)
    }
    out[0].push(t[i])
    out[1].push(series.min[i])
    out[2].push(series.max[i])
    out[3].push(series.mean[i])
  }
  return out
}

/** The limit lines of a parameter: [{key, value, level: 'warning' | 'alarm', label}], those that are set. */
export function limitLines(parameter) {
  if (!parameter) return []
  const lines = [
    { key: 'alarm_low', level: 'alarm', label: 'alarm low' },
    { key: 'warn_low', level: 'warning', label: 'warn low' },
    { key: 'warn_high', level: 'warning', label: 'warn high' },
    { key: 'alarm_high', level: 'alarm', label: 'alarm high' },
  ]
  return lines
    .filter((l) => typeof parameter[l.key] === 'number' && Number.isFinite(parameter[l.key]))
    .map((l) => ({ ...l, value: parameter[l.key] }))
}

/**
 * The y range to show: the data's, widened to take in the limits when `withLimits`, with a little room
 * above and below. [min, max], or [0, 1] when there is nothing.
 */
export function valueRange(data, lines = [], withLimits = true) {
  let low = Infinity
  let high = -Infinity
  for (const column of [data[1] ?? [], data[2] ?? []]) {
    for (const v of column) {
      if (v === null || !Number.isFinite(v)) continue
      if (v < low) low = v
      if (v > high) high = v
    }
  }
  if (withLimits) {
    for (const line of lines) {
      low = Math.min(low, line.value)
      high = Math.max(high, line.value)
    }
  }
  if (!Number.isFinite(low)) return [0, 1]
  const span = high - low || Math.abs(high) * 0.1 || 1
  return [low - span * 0.06, high + span * 0.06]
}

/** How many points to ask for, one or so per pixel of the plot's width. */
export const pointsFor = (width) => Math.max(100, Math.min(5000, Math.round(width || 1000)))

/** A time for a datetime-local input ("2026-11-21T20:15"), in local time, from Unix seconds. */
export function localInput(seconds) {
  const d = new Date(seconds * 1000)
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Unix seconds from a datetime-local input's value (local time), or null. */
export function fromLocalInput(text) {
  if (!text) return null
  const ms = new Date(text).getTime()
  return Number.isNaN(ms) ? null : Math.round(ms / 1000)
}
