// Geometry of the range timeline: where each validity range goes on a time axis of width w.

const DAY = 86400

/**
 * ranges: [{name, begin_s, end_s|null}] -> { start, end, lanes, bars: [{range, x, width, lane, open}] },
 * in time order. Overlapping ranges take separate lanes; open ranges reach the right edge.
 */
export function layoutRanges(ranges, now, w) {
  const sorted = [...ranges].sort((a, b) => a.begin_s - b.begin_s || String(a.name).localeCompare(String(b.name)))
  if (sorted.length === 0) return { start: now - DAY, end: now, lanes: 1, bars: [] }
  const first = sorted[0].begin_s
  const last = Math.max(...sorted.map((r) => r.end_s ?? r.begin_s), sorted.some((r) => r.end_s == null) ? now : -Infinity)
  const span = Math.max(last - first, DAY)
  const start = first - span * 0.02
  const end = first + span * 1.05
  const x = (t) => ((t - start) / (end - start)) * w
  const laneEnds = []
  const bars = sorted.map((range) => {
    const stop = range.end_s ?? Infinity
    let lane = laneEnds.findIndex((e) => e <= range.begin_s)
    if (lane < 0) lane = laneEnds.length
    laneEnds[lane] = stop
    const x0 = x(range.begin_s)
    const x1 = range.end_s == null ? w : x(range.end_s)
    return { range, x: x0, width: Math.max(3, x1 - x0), lane, open: range.end_s == null }
  })
  return { start, end, lanes: laneEnds.length, bars }
}

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' })

/** About five labelled ticks between start and end (Unix seconds). */
export function timeTicks(start, end, w, count = 5) {
  const format = end - start > 5 * DAY ? dateOnly : dateTime
  return Array.from({ length: count }, (_, i) => {
    const t = start + ((i + 0.5) / count) * (end - start)
    return { x: ((t - start) / (end - start)) * w, label: format.format(new Date(t * 1000)) }
  })
}
