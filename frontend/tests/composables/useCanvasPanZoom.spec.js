import { describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import { ZOOM_IN, ZOOM_OUT, useCanvasPanZoom, wheelStep } from '@/composables/useCanvasPanZoom.js'

// A camera that only counts: zoom multiplies, pan adds (the real ones are tested with their canvases).
const camera = {
  zoomAt: (view, factor, px, py, w, h) => ({ ...view, zoom: view.zoom * factor, about: [px, py], size: [w, h] }),
  panBy: (view, dx, dy) => ({ ...view, x: view.x + dx, y: view.y + dy }),
}

/** A canvas of 800 x 400 canvas pixels shown at `shown` CSS pixels, its top-left corner at (10, 20). */
function setup(options = {}, shown = { width: 800, height: 400 }) {
  const element = {
    getBoundingClientRect: () => ({ left: 10, top: 20, ...shown }),
    setPointerCapture: vi.fn(),
    releasePointerCapture: vi.fn(),
  }
  const view = ref({ zoom: 1, x: 0, y: 0 })
  const reset = vi.fn(() => (view.value = { zoom: 1, x: 0, y: 0 }))
  const panZoom = useCanvasPanZoom({
    canvas: ref(element),
    size: ref({ w: 800, h: 400 }),
    view,
    camera,
    reset,
    ...options,
  })
  return { ...panZoom, element, view, reset }
}

const pointer = (clientX, clientY, extra = {}) => ({
  clientX,
  clientY,
  button: 0,
  pointerId: 7,
  preventDefault: vi.fn(),
  ...extra,
})
const key = (k, extra = {}) => ({ key: k, preventDefault: vi.fn(), ...extra })

describe('useCanvasPanZoom', () => {
  it('pans by what the pointer moves with the button down, scaled to the canvas pixels', () => {
    const { listeners, view, element } = setup({}, { width: 400, height: 200 })
    listeners.pointerdown(pointer(110, 70))
    expect(element.setPointerCapture).toHaveBeenCalledWith(7)
    listeners.pointermove(pointer(120, 65))
    expect(view.value).toMatchObject({ x: 20, y: -10 })
    listeners.pointerup(pointer(120, 65))
    expect(element.releasePointerCapture).toHaveBeenCalledWith(7)
    listeners.pointermove(pointer(200, 200))
    expect(view.value).toMatchObject({ x: 20, y: -10 })
  })

  it('leaves the view alone for a press of another button', () => {
    const { listeners, view } = setup()
    listeners.pointerdown(pointer(100, 100, { button: 2 }))
    listeners.pointermove(pointer(150, 150))
    expect(view.value).toEqual({ zoom: 1, x: 0, y: 0 })
  })

  it('tells where the pointer is and whether the button is down', () => {
    const onPoint = vi.fn()
    const { listeners } = setup({ onPoint })
    listeners.pointermove(pointer(60, 70))
    listeners.pointerdown(pointer(60, 70))
    listeners.pointermove(pointer(61, 70))
    expect(onPoint.mock.calls).toEqual([
      [{ px: 50, py: 50 }, false],
      [{ px: 51, py: 50 }, true],
    ])
  })

  it('drags only past the slack, and the click that ends a drag is no click', () => {
    const onClick = vi.fn()
    const { listeners, view } = setup({ slack: 3, onClick })
    listeners.pointerdown(pointer(100, 100))
    listeners.pointermove(pointer(102, 101))
    listeners.pointerup(pointer(102, 101))
    listeners.click(pointer(102, 101))
    expect(view.value).toMatchObject({ x: 0, y: 0 })
    expect(onClick).toHaveBeenCalledWith({ px: 92, py: 81 })

    listeners.pointerdown(pointer(100, 100))
    listeners.pointermove(pointer(103, 101))
    listeners.pointermove(pointer(104, 101))
    listeners.pointerup(pointer(104, 101))
    listeners.click(pointer(104, 101))
    expect(view.value).toMatchObject({ x: 4, y: 1 })
    expect(onClick).toHaveBeenCalledTimes(1)
    listeners.click(pointer(104, 101))
    expect(onClick).toHaveBeenCalledTimes(2)
  })

  it('listens for clicks only when asked to', () => {
    expect(setup().listeners.click).toBeUndefined()
  })

  it('zooms one step a wheel notch about the pointer, and keeps the page from scrolling', () => {
    const { listeners, view } = setup()
    const down = pointer(110, 70, { deltaY: 100 })
    listeners.wheel(down)
    expect(down.preventDefault).toHaveBeenCalled()
    expect(view.value).toMatchObject({ zoom: ZOOM_OUT, about: [100, 50], size: [800, 400] })
    listeners.wheel(pointer(110, 70, { deltaY: -100 }))
    expect(view.value.zoom).toBeCloseTo(1)
    expect(wheelStep({ deltaY: -3 })).toBe(ZOOM_IN)
  })

  it('takes the zoom of a wheel event from wheelFactor when given', () => {
    const { listeners, view } = setup({ wheelFactor: (event) => 1 + event.deltaY / 100 })
    listeners.wheel(pointer(10, 20, { deltaY: 50 }))
    expect(view.value).toMatchObject({ zoom: 1.5, about: [0, 0] })
  })

  it('pans with the arrow keys by the step, zooms about the middle with + = and −, and resets with 0', () => {
    const { listeners, view, reset } = setup({ step: 60 })
    for (const k of ['ArrowLeft', 'ArrowDown', 'ArrowDown']) listeners.keydown(key(k))
    expect(view.value).toMatchObject({ x: 60, y: -120 })
    listeners.keydown(key('ArrowRight'))
    listeners.keydown(key('ArrowUp'))
    expect(view.value).toMatchObject({ x: 0, y: -60 })
    listeners.keydown(key('+'))
    listeners.keydown(key('='))
    expect(view.value).toMatchObject({ zoom: ZOOM_IN * ZOOM_IN, about: [400, 200] })
    listeners.keydown(key('-'))
    expect(view.value.zoom).toBeCloseTo(ZOOM_IN)
    listeners.keydown(key('0'))
    expect(reset).toHaveBeenCalledTimes(1)
    expect(view.value).toEqual({ zoom: 1, x: 0, y: 0 })
  })

  it('pans 40 canvas pixels a key press unless told otherwise', () => {
    const { listeners, view } = setup()
    listeners.keydown(key('ArrowLeft'))
    expect(view.value).toMatchObject({ x: 40, y: 0 })
  })

  it('takes more keys, leaves other keys and shortcuts with modifiers to the browser', () => {
    const enter = vi.fn()
    const { listeners, view } = setup({ keys: { Enter: enter } })
    const press = key('Enter')
    listeners.keydown(press)
    expect(enter).toHaveBeenCalledTimes(1)
    expect(press.preventDefault).toHaveBeenCalled()
    for (const event of [key('a'), key('+', { ctrlKey: true }), key('0', { metaKey: true }), key('-', { altKey: true })]) {
      listeners.keydown(event)
      expect(event.preventDefault).not.toHaveBeenCalled()
    }
    expect(view.value).toEqual({ zoom: 1, x: 0, y: 0 })
  })

  it('says when the view is about to move by hand: zoom, pan, wheel, keys and a press', () => {
    const onHandMove = vi.fn()
    const { listeners, zoom, pan } = setup({ onHandMove })
    zoom(2)
    pan(1, 1)
    listeners.wheel(pointer(0, 0, { deltaY: 1 }))
    listeners.keydown(key('ArrowUp'))
    listeners.pointerdown(pointer(0, 0))
    expect(onHandMove).toHaveBeenCalledTimes(5)
  })

  it('zooms about a given canvas point, or the middle', () => {
    const { zoom, view, canvasPoint } = setup({}, { width: 400, height: 200 })
    zoom(2, canvasPoint(pointer(30, 40)))
    expect(view.value).toMatchObject({ zoom: 2, about: [40, 40] })
    zoom(2)
    expect(view.value).toMatchObject({ zoom: 4, about: [400, 200] })
  })
})
