// Zoom and pan of a heatmap: view = { zoom, x, y } where (x, y) is where the image's top-left
// corner lands on the canvas and zoom multiplies the fitted size. Pure, so it can be tested.

export const MIN_ZOOM = 1
export const MAX_ZOOM = 128

export const initialView = () => ({ zoom: 1, x: 0, y: 0 })

/** Keep at least part of the picture (w x h at zoom 1) on a canvas of the same size. */
function clampPan(view, w, h) {
  const minX = w - w * view.zoom
  const minY = h - h * view.zoom
  return { zoom: view.zoom, x: Math.min(0, Math.max(minX, view.x)), y: Math.min(0, Math.max(minY, view.y)) }
}

/** Zoom by factor keeping the canvas point (px, py) over the same image point. */
export function zoomAt(view, factor, px, py, w, h) {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom * factor))
  const k = zoom / view.zoom
  return clampPan({ zoom, x: px - (px - view.x) * k, y: py - (py - view.y) * k }, w, h)
}

/** Move the picture by (dx, dy) canvas pixels. */
export function panBy(view, dx, dy, w, h) {
  return clampPan({ zoom: view.zoom, x: view.x + dx, y: view.y + dy }, w, h)
}

/** The image pixel { row, col } under a canvas point, with sx, sy canvas pixels per image pixel at zoom 1. */
export function pixelAt(view, px, py, sx, sy) {
  return { row: Math.floor((py - view.y) / (sy * view.zoom)), col: Math.floor((px - view.x) / (sx * view.zoom)) }
}
