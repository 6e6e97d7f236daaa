import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { range, version } from '../calibFixtures.js'

let wrapper
afterEach(() => wrapper?.unmount())

const older = range('1690000000-1700000000', 1690000000, 1700000000, [version(11, 1)])
const latest = range('1700000000-end', 1700000000, null, [
  version(21, 1),
  version(22, 2, { deprecated: '2026-11-25T09:00:00Z', comment: 'wrong dark' }),
  version(23, 3, { comment: 'after the power cycle' }),
])
const rms = { ...range('1700000000-end', 1700000000, null, [version(31, 1)]), ctype: 'pixel_rms' }

const detectorAnswer = {
  body: {
    ok: true,
    detname: 'epix100a-0002',
    workspaces: {
      repository: { pedestals: [older, latest], pixel_rms: [rms] },
      'experiment:xpp12345': { pedestals: [range('1710000000-end', 1710000000, null, [version(41, 1)])] },
    },
  },
}

function serve(extra = {}) {
  return fakeServer({
    'GET /api/auth/me': meAnswer(viewer()),
    'GET /api/calib/epix100a-0002': detectorAnswer,
    ...extra,
  })
}

const versionsShown = (w) => w.findAll('tbody th a').map((a) => a.text())
const button = (w, name) => w.findAll('button').find((b) => b.text() === name)
const tab = (w, name) => w.findAll('[role="tab"]').find((t) => t.text() === name)
const rangeBar = (w, name) => w.findAll('[role="radio"]').find((r) => r.attributes('aria-label').startsWith(`Range ${name}:`))

describe('detector constants page', () => {
  it('shows the types as tabs, the ranges on a timeline and the versions of the latest range, newest first', async () => {
    serve()
    ;({ wrapper } = await mountApp('/calibrations/epix100a-0002'))
    expect(wrapper.find('h1').text()).toBe('Constants of epix100a-0002')
    expect(wrapper.find('#workspace-select').element.value).toBe('repository')
    expect(wrapper.findAll('[role="tab"]').map((t) => [t.text(), t.attributes('aria-selected')])).toEqual([
      ['pedestals', 'true'],
      ['pixel_rms', 'false'],
    ])
    expect(wrapper.findAll('[role="radio"]')).toHaveLength(2)
    expect(rangeBar(wrapper, '1700000000-end').attributes('aria-checked')).toBe('true')
    expect(wrapper.find('#range-heading').text()).toBe('Range 1700000000-end')
    expect(versionsShown(wrapper)).toEqual(['v3', 'v2', 'v1'])

    const [v3, v2] = wrapper.findAll('tbody tr')
    expect(v3.text()).toContain('after the power cycle')
    expect(v3.text()).toContain('2 × 3 × 4')
    expect(v3.text()).toContain('<f4')
    expect(v3.find('.tag').text()).toBe('default')
    expect(v2.find('.tag').text()).toBe('deprecated')
    expect(v3.find('th a').attributes('href')).toBe('/calibrations/versions/23')
  })

  it('links each version to a comparison with the one before it, across ranges for the first', async () => {
    serve()
    ;({ wrapper } = await mountApp('/calibrations/epix100a-0002'))
    const compareLinks = wrapper
      .findAll('tbody tr')
      .map((r) => r.findAll('a').find((a) => a.text().startsWith('Compare with previous'))?.attributes('href'))
    expect(compareLinks).toEqual([
      '/calibrations/compare?a=22&b=23',
      '/calibrations/compare?a=21&b=22',
      '/calibrations/compare?a=11&b=21',
    ])
  })

  it('shows the versions of the range someone picks on the timeline, by click or by keyboard', async () => {
    serve()
    ;({ wrapper } = await mountApp('/calibrations/epix100a-0002'))
    await rangeBar(wrapper, '1690000000-1700000000').trigger('click')
    expect(wrapper.find('#range-heading').text()).toBe('Range 1690000000-1700000000')
    expect(versionsShown(wrapper)).toEqual(['v1'])
    expect(wrapper.find('tbody tr').text()).not.toContain('Compare with previous')

    await rangeBar(wrapper, '1690000000-1700000000').trigger('keydown', { key: 'ArrowRight' })
    expect(wrapper.find('#range-heading').text()).toBe('Range 1700000000-end')
    expect(rangeBar(wrapper, '1700000000-end').attributes('tabindex')).toBe('0')
  })

  it('switches types with the tabs and work-spaces with the selector', async () => {
    serve()
    ;({ wrapper } = await mountApp('/calibrations/epix100a-0002'))
    await tab(wrapper, 'pedestals').trigger('keydown', { key: 'ArrowRight' })
    expect(tab(wrapper, 'pixel_rms').attributes('aria-selected')).toBe('true')
    expect(wrapper.find('[role="tabpanel"]').attributes('aria-labelledby')).toBe('ctype-tab-pixel_rms')
    expect(versionsShown(wrapper)).toEqual(['v1'])
    expect(wrapper.find('tbody th a').attributes('href')).toBe('/calibrations/versions/31')

    await wrapper.find('#workspace-select').setValue('experiment:xpp12345')
    expect(wrapper.findAll('[role="tab"]').map((t) => t.text())).toEqual(['pedestals'])
    expect(wrapper.find('#range-heading').text()).toBe('Range 1710000000-end')
  })

  it('opens at the work-space, type and range the address names', async () => {
    serve()
    ;({ wrapper } = await mountApp('/calibrations/epix100a-0002?workspace=repository&ctype=pedestals&range=1690000000-1700000000'))
    expect(tab(wrapper, 'pedestals').attributes('aria-selected')).toBe('true')
    expect(wrapper.find('#range-heading').text()).toBe('Range 1690000000-1700000000')
  })

  it('compares two ticked versions, the older as A', async () => {
    serve({ 'GET /api/calib/compare': error(400, 'Stop here.') })
    let router
    ;({ wrapper, router } = await mountApp('/calibrations/epix100a-0002'))
    const compare = button(wrapper, 'Compare selected')
    expect(compare.attributes('disabled')).toBeDefined()
    expect(wrapper.text()).toContain('Tick two versions to compare them.')

    await wrapper.find('input[aria-label="Select v3 for comparison"]').setValue(true)
    expect(wrapper.text()).toContain('One version selected: select one more.')
    await rangeBar(wrapper, '1690000000-1700000000').trigger('click')
    await wrapper.find('input[aria-label="Select v1 for comparison"]').setValue(true)
    expect(compare.attributes('disabled')).toBeUndefined()

    await compare.trigger('click')
    await until(() => router.currentRoute.value.name === 'calib-compare')
    expect(router.currentRoute.value.query).toEqual({ a: '11', b: '23' })
  })

  it('shows the server’s sentence for a detector without constants', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/calib/cspad-0009': error(404, 'The store holds no constants for cspad-0009.'),
    })
    ;({ wrapper } = await mountApp('/calibrations/cspad-0009'))
    await settle()
    expect(wrapper.find('[role="alert"]').text()).toBe('The store holds no constants for cspad-0009.')
  })
})
