// "12 s ago", "5 min", "1 h 30 min": short times for a control room.
import { parseIso } from '@/composables/useTime.js'

/** A duration in seconds as "45 s", "5 min", "1 h 30 min", "2 d 3 h". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—'
  const s = Math.max(0, Math.round(seconds))
  if (s < 120) return `${s} s`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

/** How long ago an ISO time was, seen at nowMs: "12 s ago"; "in 5 min" for a time to come; '' for none. */
export function ago(iso, nowMs = Date.now()) {
  const date = parseIso(iso)
  if (!date) return ''
  const seconds = (nowMs - date.getTime()) / 1000
  if (seconds < -1) return `in ${duration(-seconds)}`
  return `${duration(Math.max(0, seconds))} ago`
}
