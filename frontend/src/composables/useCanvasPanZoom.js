// Pan and zoom of a canvas by hand, shared by the array heatmap and the topology graph: drag to pan,
// the wheel zooms about the pointer, the arrow keys pan, + and − zoom, 0 resets. What a zoom or a pan
// does to the view is the camera's business (pure functions, see calib/viewTransform.js and
// topology/topologyCamera.js); this turns events into calls to it.

export const ZOOM_IN = 1.25
export const ZOOM_OUT = 0.8

/** One notch of the wheel zooms one step in or out. */
export const wheelStep = (event) => (event.deltaY < 0 ? ZOOM_IN : ZOOM_OUT)

/**
 * options:
 * - canvas: ref of the canvas element; size: ref of its size { w, h } in the pixels the camera counts
 *   (a canvas shown smaller or larger than that has the pointer scaled to it);
 * - view: ref of the view, changed only through camera.zoomAt(view, factor, px, py, w, h) and
 *   camera.panBy(view, dx, dy, w, h); reset(): what 0 does;
 * - step: how far an arrow key pans; slack: how far the pointer moves, button down, before it drags;
 * - wheelFactor(event): the zoom of one wheel event (wheelStep unless given);
 * - keys: more keys, { Enter: () => ... }, or other actions for the usual ones;
 * - onPoint(point, held): after every pointer move, with whether the button is down;
 * - onClick(point): a click that did not end a drag; onHandMove(): the view is about to move by hand
 *   (zoom, pan, or a press that may start a drag).
 * Returns { zoom(factor, point?), pan(dx, dy), canvasPoint(event), listeners } where listeners go on
 * the canvas with v-on.
 */
export function useCanvasPanZoom(options) {
  const { canvas, size, view, camera, reset, step = 40, slack = 0, wheelFactor = wheelStep, keys = {} } = options
  const { onPoint, onClick, onHandMove } = options
  let held = null // where the pointer was last seen with the button down
  let dragged = false

  /** The pointer in canvas pixels { px, py }. */
  function canvasPoint(event) {
    const box = canvas.value.getBoundingClientRect()
    const { w, h } = size.value
    const kx = box.width ? w / box.width : 1
    const ky = box.height ? h / box.height : 1
    return { px: (event.clientX - box.left) * kx, py: (event.clientY - box.top) * ky }
  }

  /** Zoom by factor about a canvas point, the middle unless given. */
  function zoom(factor, point) {
    onHandMove?.()
    const { w, h } = size.value
    const { px, py } = point ?? { px: w / 2, py: h / 2 }
    view.value = camera.zoomAt(view.value, factor, px, py, w, h)
  }

  function pan(dx, dy) {
    onHandMove?.()
    view.value = camera.panBy(view.value, dx, dy, size.value.w, size.value.h)
  }

  const KEYS = {
    ArrowLeft: () => pan(step, 0),
    ArrowRight: () => pan(-step, 0),
    ArrowUp: () => pan(0, step),
    ArrowDown: () => pan(0, -step),
    '+': () => zoom(ZOOM_IN),
    '=': () => zoom(ZOOM_IN),
    '-': () => zoom(ZOOM_OUT),
    0: () => reset(),
    ...keys,
  }

  function release(event) {
    held = null
    canvas.value.releasePointerCapture?.(event.pointerId)
  }

  const listeners = {
    wheel(event) {
      event.preventDefault()
      zoom(wheelFactor(event), canvasPoint(event))
    },
    pointerdown(event) {
      if (event.button !== 0) return
      onHandMove?.()
      held = canvasPoint(event)
      dragged = false
      canvas.value.setPointerCapture?.(event.pointerId)
    },
    pointermove(event) {
      const point = canvasPoint(event)
      if (held) {
        const dx = point.px - held.px
        const dy = point.py - held.py
        if (dragged || Math.abs(dx) + Math.abs(dy) > slack) {
          dragged = true
          pan(dx, dy)
          held = point
        }
      }
      onPoint?.(point, held !== null)
    },
    pointerup: release,
    pointercancel: release,
    keydown(event) {
      const action = KEYS[event.key]
      if (!action || event.ctrlKey || event.metaKey || event.altKey) return
      event.preventDefault()
      action()
    },
  }
  if (onClick) {
    listeners.click = (event) => {
      if (dragged) {
        dragged = false // the click that ends a drag selects nothing
        return
      }
      onClick(canvasPoint(event))
    }
  }

  return { zoom, pan, canvasPoint, listeners }
}
