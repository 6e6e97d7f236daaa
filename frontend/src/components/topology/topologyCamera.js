// Zoom and pan of the topology canvas: view = { scale, x, y }, where a world point (wx, wy) is drawn
// at (wx * scale + x, wy * scale + y) on a canvas of w x h CSS pixels. Pure, so it can be tested.

export const MIN_SCALE = 0.01
export const MAX_SCALE = 4
// Names are readable from here on (the view zooms in this far when it centres on a device).
export const READABLE_SCALE = 1

const clampScale = (scale) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale))

/** The whole drawing (width x height world units) fitted in the canvas, centred, never zoomed past 1. */
export function fitView(width, height, w, h, margin = 16) {
  if (!(width > 0) || !(height > 0)) return { scale: 1, x: margin, y: margin }
  const scale = clampScale(Math.min((w - 2 * margin) / width, (h - 2 * margin) / height, 1))
  return { scale, x: (w - width * scale) / 2, y: (h - height * scale) / 2 }
}

/** Zoom by factor keeping the canvas point (px, py) over the same world point. */
export function zoomAt(view, factor, px, py) {
  const scale = clampScale(view.scale * factor)
  const k = scale / view.scale
  return { scale, x: px - (px - view.x) * k, y: py - (py - view.y) * k }
}

export const panBy = (view, dx, dy) => ({ scale: view.scale, x: view.x + dx, y: view.y + dy })

/** The world point (wx, wy) in the middle of the canvas, zoomed in to at least `scale`. */
export function centreOn(view, wx, wy, w, h, scale = READABLE_SCALE) {
  const s = clampScale(Math.max(view.scale, scale))
  return { scale: s, x: w / 2 - wx * s, y: h / 2 - wy * s }
}

export const toWorld = (view, px, py) => ({ wx: (px - view.x) / view.scale, wy: (py - view.y) / view.scale })

export const toScreen = (view, wx, wy) => ({ px: wx * view.scale + view.x, py: wy * view.scale + view.y })

/** The world rectangle the canvas shows, grown by `margin` CSS pixels on every side. */
export function visibleWorld(view, w, h, margin = 0) {
  return {
    x0: (-margin - view.x) / view.scale,
    y0: (-margin - view.y) / view.scale,
    x1: (w + margin - view.x) / view.scale,
    y1: (h + margin - view.y) / view.scale,
  }
}
