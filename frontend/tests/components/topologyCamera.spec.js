import { describe, expect, it } from 'vitest'
import { MAX_SCALE, centreOn, fitView, panBy, toScreen, toWorld, visibleWorld, zoomAt } from '@/components/topology/topologyCamera.js'

describe('zoom and pan of the topology', () => {
  it('fits the whole drawing in the canvas, centred, without zooming past 1', () => {
    const view = fitView(2000, 1000, 1000, 600, 0)
    expect(view.scale).toBe(0.5)
    expect(toScreen(view, 0, 0)).toEqual({ px: 0, py: 50 })
    expect(toScreen(view, 2000, 1000)).toEqual({ px: 1000, py: 550 })
    expect(fitView(100, 50, 1000, 600).scale).toBe(1)
  })

  it('zooms about the pointer: the world point under it stays there', () => {
    const view = { scale: 0.5, x: 10, y: 20 }
    const before = toWorld(view, 300, 200)
    const zoomed = zoomAt(view, 2, 300, 200)
    expect(zoomed.scale).toBe(1)
    const after = toWorld(zoomed, 300, 200)
    expect(after.wx).toBeCloseTo(before.wx)
    expect(after.wy).toBeCloseTo(before.wy)
    expect(zoomAt({ scale: 3, x: 0, y: 0 }, 10, 0, 0).scale).toBe(MAX_SCALE)
  })

  it('centres on a device, zoomed in far enough to read, and knows what is visible', () => {
    const view = centreOn({ scale: 0.1, x: 0, y: 0 }, 500, 400, 800, 600)
    expect(view.scale).toBe(1)
    expect(toScreen(view, 500, 400)).toEqual({ px: 400, py: 300 })
    expect(visibleWorld(view, 800, 600)).toEqual({ x0: 100, y0: 100, x1: 900, y1: 700 })
    expect(panBy(view, 5, -5)).toEqual({ scale: 1, x: view.x + 5, y: view.y - 5 })
  })
})
