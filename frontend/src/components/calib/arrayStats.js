// Numbers about an array for the viewers: extent, robust colour range, histogram.

const SAMPLE = 200000

/** { min, max } of the finite values, or null when there is none. */
export function finiteExtent(data) {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (v < min) min = v
    if (v > max) max = v
  }
  // NaN never compares; infinities are left out so one of them does not flatten the rest.
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    min = Infinity
    max = -Infinity
    for (let i = 0; i < data.length; i++) {
      const v = data[i]
      if (Number.isFinite(v)) {
        if (v < min) min = v
        if (v > max) max = v
      }
    }
  }
  return min <= max ? { min, max } : null
}

/**
 * A colour range that ignores outliers: the low and high percentiles of (a sample of) the finite
 * values; the full extent when they coincide; never an empty range.
 */
export function robustRange(data, low = 0.01, high = 0.99) {
  const step = Math.max(1, Math.floor(data.length / SAMPLE))
  const sample = new Float64Array(Math.ceil(data.length / step))
  let n = 0
  for (let i = 0; i < data.length; i += step) {
    const v = data[i]
    if (Number.isFinite(v)) sample[n++] = v
  }
  if (n === 0) return { min: 0, max: 1 }
  const sorted = sample.subarray(0, n).sort()
  let min = sorted[Math.floor(low * (n - 1))]
  let max = sorted[Math.ceil(high * (n - 1))]
  if (min === max) {
    min = sorted[0]
    max = sorted[n - 1]
  }
  if (min === max) {
    const pad = Math.abs(min) * 0.01 || 0.5
    return { min: min - pad, max: max + pad }
  }
  return { min, max }
}

/** The same range made symmetric around zero (for differences). */
export function symmetricRange({ min, max }) {
  const m = Math.max(Math.abs(min), Math.abs(max)) || 1
  return { min: -m, max: m }
}

/** { edges: [bins + 1], counts: [bins] } of the finite values between min and max. */
export function histogram(data, bins = 50, extent = finiteExtent(data)) {
  if (!extent) return { edges: [], counts: [] }
  let { min, max } = extent
  if (min === max) {
    min -= 0.5
    max += 0.5
  }
  const width = (max - min) / bins
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width)
  const counts = new Array(bins).fill(0)
  const scale = bins / (max - min)
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (!(v >= min && v <= max)) continue
    const k = Math.floor((v - min) * scale)
    counts[k >= bins ? bins - 1 : k]++
  }
  return { edges, counts }
}
