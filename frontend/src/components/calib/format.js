// How numbers and names are shown in the calibration views.

/** A value as people read it: 4 significant digits, no trailing zeros; integers as they are. */
export function formatNumber(value) {
  if (value === null || value === undefined) return '—'
  if (typeof value !== 'number') return String(value)
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞'
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value)
  const abs = Math.abs(value)
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3).replace(/\.?0+e/, 'e')
  return String(Number(value.toPrecision(4)))
}

/** Text cut to n characters with an ellipsis. */
export function shorten(text, n) {
  const s = String(text ?? '')
  return s.length > n ? `${s.slice(0, n - 1)}…` : s
}
