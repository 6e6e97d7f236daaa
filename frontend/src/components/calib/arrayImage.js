// From an n-dimensional array ({shape, data} in C order) to the 2-D image a heatmap draws.
// The last two axes are rows and columns; every axis before them counts panels (for a
// detector of 32 x 185 x 388, the first axis is the 32 panels).

/** { panels, rows, cols } of a shape. */
export function layoutOf(shape) {
  if (shape.length === 0) return { panels: 1, rows: 1, cols: 1 }
  if (shape.length === 1) return { panels: 1, rows: 1, cols: shape[0] }
  const rows = shape[shape.length - 2]
  const cols = shape[shape.length - 1]
  const panels = shape.slice(0, -2).reduce((a, b) => a * b, 1)
  return { panels, rows, cols }
}

/** How a panel is named: its index, or its indices when more than one axis counts panels. */
export function panelName(shape, panel) {
  const lead = shape.slice(0, -2)
  if (lead.length <= 1) return String(panel)
  const index = []
  let rest = panel
  for (let k = lead.length - 1; k >= 0; k--) {
    index.unshift(rest % lead[k])
    rest = Math.floor(rest / lead[k])
  }
  return index.join(', ')
}

/**
 * One panel as an image: { data, rows, cols, empty: [], describe(row, col) }.
 * describe gives { panel, row, col, value } of a pixel of the image (panel null for a 2-D array).
 */
export function panelImage(array, panel = 0) {
  const { panels, rows, cols } = layoutOf(array.shape)
  const size = rows * cols
  const start = panel * size
  const data = array.data.subarray(start, start + size)
  const named = array.shape.length >= 3 ? panelName(array.shape, panel) : null
  return {
    data,
    rows,
    cols,
    empty: [],
    panels,
    describe(row, col) {
      if (row < 0 || col < 0 || row >= rows || col >= cols) return null
      return { panel: named, row, col, value: data[row * cols + col] }
    },
  }
}

/** Panels per row of the grid that comes closest to a square picture. */
export function tilesPerRow(panels, rows, cols) {
  return Math.max(1, Math.min(panels, Math.ceil(Math.sqrt((panels * rows) / cols))))
}

/**
 * All panels tiled in a grid, row by row: { data (a copy), rows, cols, tile, empty, describe }.
 * tile = { rows, cols, perRow, count }; empty lists the grid cells without a panel.
 */
export function tiledImage(array, perRow) {
  const { panels, rows, cols } = layoutOf(array.shape)
  perRow = perRow || tilesPerRow(panels, rows, cols)
  const gridRows = Math.ceil(panels / perRow)
  const width = perRow * cols
  const height = gridRows * rows
  const Out = array.data instanceof Float64Array ? Float64Array : Float32Array
  const data = new Out(width * height).fill(NaN)
  const source = array.data
  for (let p = 0; p < panels; p++) {
    const top = Math.floor(p / perRow) * rows
    const left = (p % perRow) * cols
    for (let r = 0; r < rows; r++) {
      const from = (p * rows + r) * cols
      data.set(source.subarray(from, from + cols), (top + r) * width + left)
    }
  }
  const empty = []
  for (let p = panels; p < gridRows * perRow; p++) {
    empty.push({ row: Math.floor(p / perRow) * rows, col: (p % perRow) * cols, rows, cols })
  }
  return {
    data,
    rows: height,
    cols: width,
    tile: { rows, cols, perRow, count: panels },
    empty,
    panels,
    describe(row, col) {
      if (row < 0 || col < 0 || row >= height || col >= width) return null
      const panel = Math.floor(row / rows) * perRow + Math.floor(col / cols)
      if (panel >= panels) return null
      const r = row % rows
      const c = col % cols
      return { panel: panelName(array.shape, panel), row: r, col: c, value: source[(panel * rows + r) * cols + c] }
    },
  }
}

/** Make the pixels of some rectangles transparent in an RGBA buffer of the given width. */
export function clearRects(out, width, rects) {
  for (const { row, col, rows, cols } of rects) {
    for (let r = row; r < row + rows; r++) out.fill(0, (r * width + col) * 4, (r * width + col + cols) * 4)
  }
  return out
}
