// Colour maps as lookup tables of 256 RGBA entries, and the one loop that turns values into
// pixels. Kept free of the DOM so it can be tested (jsdom has no canvas) and stays fast:
// ArrayHeatmap writes its whole image with one fillRgba() and one putImageData().

const STOPS = {
  // matplotlib's viridis at 10 even steps
  viridis: ['#440154', '#482878', '#3e4a89', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6dcd59', '#b4de2c', '#fde725'],
  gray: ['#000000', '#ffffff'],
  // ColorBrewer RdBu, blue for negative, white at the middle, red for positive
  diverging: ['#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f'],
}

// Not-a-number gets a colour no map uses, so missing values stand out.
const NAN_COLOR = { viridis: '#ff00ff', gray: '#ff00ff', diverging: '#00b050' }

export const COLORMAPS = [
  { value: 'viridis', label: 'Viridis' },
  { value: 'gray', label: 'Gray' },
  { value: 'diverging', label: 'Blue–white–red (diverging)' },
]

function rgb(hex) {
  const n = parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

function buildLut(name) {
  const stops = STOPS[name].map(rgb)
  const rgba = new Uint8ClampedArray(256 * 4)
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (stops.length - 1)
    const k = Math.min(Math.floor(x), stops.length - 2)
    const f = x - k
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = Math.round(stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f)
    rgba[i * 4 + 3] = 255
  }
  return { name, rgba, nan: [...rgb(NAN_COLOR[name]), 255] }
}

const cache = new Map()

/** { name, rgba: Uint8ClampedArray(1024), nan: [r, g, b, a] } for a colour map name. */
export function colormapLut(name) {
  if (!STOPS[name]) throw new Error(`Unknown colour map ${name}.`)
  if (!cache.has(name)) cache.set(name, buildLut(name))
  return cache.get(name)
}

/** CSS colour of LUT entry i (0..255). */
export function lutColor(lut, i) {
  const o = i * 4
  return `rgb(${lut.rgba[o]}, ${lut.rgba[o + 1]}, ${lut.rgba[o + 2]})`
}

/**
 * Fill out (RGBA bytes, 4 per value) from data: min maps to LUT[0], max and above to LUT[255],
 * below min to LUT[0], NaN to the map's NaN colour. Returns out.
 */
export function fillRgba(out, data, min, max, lut) {
  const n = data.length
  if (out.length < n * 4) throw new Error('The pixel buffer is too small for the data.')
  // One 32-bit write per pixel: the LUT's bytes are copied as they are, whatever the byte order.
  const out32 = new Uint32Array(out.buffer, out.byteOffset, n)
  const lut32 = new Uint32Array(lut.rgba.buffer, lut.rgba.byteOffset, 256)
  const nan32 = new Uint32Array(new Uint8ClampedArray(lut.nan).buffer)[0]
  const scale = max > min ? 256 / (max - min) : 0
  for (let i = 0; i < n; i++) {
    const v = data[i]
    if (v !== v) {
      out32[i] = nan32
      continue
    }
    const t = scale ? (v - min) * scale : v > min ? 256 : 0
    out32[i] = lut32[t <= 0 ? 0 : t >= 255 ? 255 : t | 0]
  }
  return out
}
