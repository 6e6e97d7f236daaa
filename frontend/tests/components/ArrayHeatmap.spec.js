import { describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import ArrayHeatmap from '@/components/calib/ArrayHeatmap.vue'
import { colormapLut, fillRgba } from '@/components/calib/colormap.js'
import { panelImage, tiledImage } from '@/components/calib/arrayImage.js'
import { histogram, robustRange } from '@/components/calib/arrayStats.js'
import { zoomAt } from '@/components/calib/viewTransform.js'

const pixel = (rgba, i) => Array.from(rgba.subarray(i * 4, i * 4 + 4))
const entry = (lut, k) => Array.from(lut.rgba.subarray(k * 4, k * 4 + 4))

/** A 2-D context that records what is drawn (jsdom has none). */
function fakeContext() {
  const calls = { put: [], draw: 0 }
  const ctx = {
    createImageData: (w, h) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }),
    putImageData: (image) =>
      calls.put.push({ width: image.width, height: image.height, first: Array.from(image.data.subarray(0, 4)) }),
    drawImage: () => calls.draw++,
    setTransform() {},
    clearRect() {},
    beginPath() {},
    moveTo() {},
    lineTo() {},
    stroke() {},
  }
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(ctx)
  return calls
}

describe('the colour mapping of the heatmap', () => {
  it('maps the minimum to the first colour, the maximum to the last and NaN to its own colour', () => {
    const lut = colormapLut('viridis')
    const out = fillRgba(new Uint8ClampedArray(5 * 4), Float32Array.of(0, 10, NaN, 5, -3), 0, 10, lut)
    expect(pixel(out, 0)).toEqual(entry(lut, 0))
    expect(pixel(out, 1)).toEqual(entry(lut, 255))
    expect(pixel(out, 2)).toEqual(lut.nan)
    expect(pixel(out, 3)).toEqual(entry(lut, 128))
    expect(pixel(out, 4)).toEqual(entry(lut, 0))
    for (let k = 0; k < 256; k++) expect(entry(lut, k)).not.toEqual(lut.nan)
  })

  it('clamps values beyond the range and infinities to the ends of the map', () => {
    const lut = colormapLut('gray')
    const out = fillRgba(new Uint8ClampedArray(3 * 4), Float64Array.of(99, Infinity, -Infinity), 0, 1, lut)
    expect(pixel(out, 0)).toEqual([255, 255, 255, 255])
    expect(pixel(out, 1)).toEqual([255, 255, 255, 255])
    expect(pixel(out, 2)).toEqual([0, 0, 0, 255])
  })

  it('has a diverging map that is white in the middle for differences', () => {
    const lut = colormapLut('diverging')
    const out = fillRgba(new Uint8ClampedArray(4), Float32Array.of(0), -1, 1, lut)
    const [r, g, b] = pixel(out, 0)
    expect(Math.min(r, g, b)).toBeGreaterThan(230)
    expect(entry(lut, 0)[2]).toBeGreaterThan(entry(lut, 0)[0]) // blue below
    expect(entry(lut, 255)[0]).toBeGreaterThan(entry(lut, 255)[2]) // red above
  })

  it('takes its automatic range from percentiles, so one hot pixel does not wash out the rest', () => {
    const data = Float32Array.from({ length: 1000 }, (_, i) => i % 100)
    data[5] = 1e9
    data[6] = NaN
    const { min, max } = robustRange(data)
    expect(min).toBe(0)
    expect(max).toBeLessThan(100)
  })

  it('counts values in a histogram of even bins', () => {
    expect(histogram(Float32Array.of(0, 1, 1, 2, NaN), 2)).toEqual({ edges: [0, 1, 2], counts: [1, 3] })
  })

  it('tiles the panels of a 3-D array in a grid and says which panel a pixel belongs to', () => {
    const array = { shape: [3, 2, 2], data: Float32Array.from({ length: 12 }, (_, i) => i) }
    const image = tiledImage(array, 2)
    expect([image.rows, image.cols]).toEqual([4, 4])
    expect(Array.from(image.data.subarray(0, 4))).toEqual([0, 1, 4, 5])
    expect(image.empty).toEqual([{ row: 2, col: 2, rows: 2, cols: 2 }])
    expect(image.describe(3, 1)).toEqual({ panel: '2', row: 1, col: 1, value: 11 })
    expect(image.describe(3, 3)).toBeNull()
    expect(panelImage(array, 1).describe(0, 1)).toEqual({ panel: '1', row: 0, col: 1, value: 5 })
  })

  it('zooms around the point under the pointer', () => {
    const view = zoomAt({ zoom: 1, x: 0, y: 0 }, 2, 100, 50, 400, 200)
    expect(view).toEqual({ zoom: 2, x: -100, y: -50 })
  })
})

describe('the heatmap', () => {
  const small = () => panelImage({ shape: [2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) })

  it('shows its controls and the value range even where there is no canvas to draw on', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
    const wrapper = mount(ArrayHeatmap, { props: { image: small(), label: 'Pedestals' } })
    const canvas = wrapper.find('[data-testid="heatmap"]')
    expect(canvas.attributes('role')).toBe('img')
    expect(canvas.attributes('aria-label')).toContain('Pedestals: 2 × 3 pixels')
    expect(wrapper.find('select').element.value).toBe('viridis')
    expect(wrapper.findAll('button').map((b) => b.attributes('aria-label') || b.text())).toEqual([
      'Auto range',
      'Zoom in',
      'Zoom out',
      'Reset view',
    ])
    await wrapper.find('button[aria-label="Zoom in"]').trigger('click')
    expect(wrapper.text()).toContain('125 %')
    wrapper.unmount()
  })

  it('says when the typed range is empty and goes back to the automatic one', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
    const wrapper = mount(ArrayHeatmap, { props: { image: small(), label: 'Pedestals' } })
    const [min, max] = wrapper.findAll('input[type="number"]')
    await max.setValue('-1')
    expect(wrapper.find('[role="alert"]').text()).toBe('The minimum must be below the maximum.')
    await wrapper.findAll('button').find((b) => b.text() === 'Auto range').trigger('click')
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(Number(min.element.value)).toBeLessThan(Number(max.element.value))
    wrapper.unmount()
  })

  it('writes a whole 32 × 185 × 388 detector in one image and redraws it on zoom without recolouring', async () => {
    const calls = fakeContext()
    const data = new Float32Array(32 * 185 * 388).map((_, i) => i % 1000)
    const image = tiledImage({ shape: [32, 185, 388], data })
    const wrapper = mount(ArrayHeatmap, { props: { image, label: 'Pedestals, all panels' } })
    await wrapper.vm.$nextTick()
    expect(calls.put).toHaveLength(1)
    expect([calls.put[0].width, calls.put[0].height]).toEqual([image.cols, image.rows])
    const draws = calls.draw
    await wrapper.find('button[aria-label="Zoom in"]').trigger('click')
    expect(calls.put).toHaveLength(1)
    expect(calls.draw).toBeGreaterThan(draws)
    wrapper.unmount()
  })

  it('zooms and resets with the keys, and reads the pixel under the pointer', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
    const wrapper = mount(ArrayHeatmap, { props: { image: small(), label: 'Pedestals' } })
    const canvas = wrapper.find('[data-testid="heatmap"]')
    await canvas.trigger('keydown', { key: '+' })
    expect(wrapper.text()).toContain('125 %')
    await canvas.trigger('keydown', { key: '0' })
    expect(wrapper.text()).toContain('100 %')
    await canvas.trigger('pointermove', { clientX: 300, clientY: 10 })
    expect(wrapper.find('[data-testid="heatmap-hover"]').text()).toBe('Row 0, column 1: 1')
    await canvas.trigger('pointerleave')
    expect(wrapper.find('[data-testid="heatmap-hover"]').text()).toBe('Point at the picture to read a pixel.')
    wrapper.unmount()
  })

  it('repaints with the colour map someone picks', async () => {
    const calls = fakeContext()
    const wrapper = mount(ArrayHeatmap, { props: { image: small(), label: 'Pedestals' } })
    await wrapper.find('select').setValue('gray')
    const last = calls.put.at(-1)
    expect(last.first).toEqual([0, 0, 0, 255])
    wrapper.unmount()
  })
})
