import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { error, meAnswer, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { described, npyBytes, serveCalib, version } from '../calibFixtures.js'
import { field } from '../finders.js'

let wrapper
beforeEach(() => vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null))
afterEach(() => wrapper?.unmount())

const stats = (panel, changed) => ({ panel, mean: 0.5, std: 0.25, min: -1, max: 2, changed, count: 12 })
const hist = (counts) => ({ edges: counts.map((_, i) => i).concat(counts.length), counts })
const comparison = {
  ok: true,
  a: described(version(22, 2)),
  b: described(version(23, 3, { comment: 'after the power cycle' })),
  shape: [2, 3, 4],
  panels: 2,
  threshold: 0.5,
  overall: { mean: 0.25, std: 0.5, min: -1, max: 2, changed: 3, count: 24 },
  per_panel: [stats(0, 0), stats(1, 3)],
  histograms: { diff: hist([1, 20, 3]), a: hist([4, 4, 16]), b: hist([5, 5, 14]) },
}
const diffPath = '/api/calib/compare/diff.npy'
const diff = npyBytes('<f4', [2, 3, 4], Float32Array.from({ length: 24 }, (_, i) => (i % 5) - 2))

function serve(answer = { body: comparison }) {
  return serveCalib(
    { 'GET /api/auth/me': meAnswer(viewer()), 'GET /api/calib/compare': answer },
    { [diffPath]: diff },
  )
}

const section = (w, heading) => w.findAll('section.card').find((s) => s.find('h2').text().startsWith(heading))

describe('comparison page', () => {
  it('asks the server for the comparison of the versions in the address and fills the form with them', async () => {
    const { seen, fetched } = serve()
    ;({ wrapper } = await mountApp('/calibrations/compare?a=22&b=23&threshold=0.5'))
    await settle()
    expect(field(wrapper, 'Version A').element.value).toBe('22')
    expect(field(wrapper, 'Version B').element.value).toBe('23')
    expect(field(wrapper, 'Threshold').element.value).toBe('0.5')
    expect(seen.find((r) => r.path === '/api/calib/compare').url).toBe('/api/calib/compare?a=22&b=23&threshold=0.5')
    expect(fetched).toEqual([`${diffPath}?a=22&b=23`])
  })

  it('describes both versions and says how many pixels changed, panel by panel', async () => {
    serve()
    ;({ wrapper } = await mountApp('/calibrations/compare?a=22&b=23&threshold=0.5'))
    await settle()
    expect(section(wrapper, 'A:').find('h2').text()).toBe('A: pedestals v2')
    expect(section(wrapper, 'B:').text()).toContain('after the power cycle')
    expect(section(wrapper, 'B:').find('a[href="/calibrations/versions/23"]').exists()).toBe(true)

    const stats = section(wrapper, 'Difference B − A')
    expect(stats.find('[data-testid="changed-summary"]').text()).toBe('3 of 24 pixels differ by more than 0.5.')
    const rows = stats.findAll('tbody tr')
    expect(rows.map((r) => r.find('th').text())).toEqual(['All', '0', '1'])
    expect(rows.map((r) => r.classes().includes('changed'))).toEqual([true, false, true])
    expect(rows[2].text()).toContain('changed')

    await stats.find('input[type="checkbox"]').setValue(true)
    expect(stats.findAll('tbody th').map((th) => th.text())).toEqual(['All', '1'])
    expect(stats.text()).toContain('Only panels with changed pixels (1 of 2)')
  })

  it('draws the difference map with the diverging colours and a panel choice, and the three histograms', async () => {
    serve()
    ;({ wrapper } = await mountApp('/calibrations/compare?a=22&b=23'))
    await settle()
    const map = section(wrapper, 'Difference map')
    expect(map.find('[data-testid="heatmap"]').attributes('aria-label')).toContain('Difference B − A, all panels')
    const colours = map.findAll('select').find((s) => s.findAll('option').some((o) => o.attributes('value') === 'diverging'))
    expect(colours.element.value).toBe('diverging')
    // symmetric around zero: the differences run from -2 to 2
    const [min, max] = map.findAll('input[type="number"]').map((i) => Number(i.element.value))
    expect(min).toBe(-max)
    expect(map.find('[data-testid="histogram"]').exists()).toBe(false)

    const titles = section(wrapper, 'Histograms').findAll('figcaption .small-heading').map((t) => t.text())
    expect(titles).toEqual(['Difference B − A', 'A: pedestals v2', 'B: pedestals v3'])
  })

  it('compares the versions someone types in', async () => {
    const { seen } = serve()
    let router
    ;({ wrapper, router } = await mountApp('/calibrations/compare'))
    expect(wrapper.text()).toContain('Give the ids of two versions to compare them.')
    expect(seen.some((r) => r.path === '/api/calib/compare')).toBe(false)

    await field(wrapper, 'Version A').setValue('22')
    await field(wrapper, 'Version B').setValue('23')
    await field(wrapper, 'Threshold').setValue('1.5')
    await wrapper.find('form').trigger('submit')
    await until(() => router.currentRoute.value.query.a === '22')
    expect(router.currentRoute.value.query).toEqual({ a: '22', b: '23', threshold: '1.5' })
    expect(seen.find((r) => r.path === '/api/calib/compare').url).toBe('/api/calib/compare?a=22&b=23&threshold=1.5')
    expect(wrapper.find('[data-testid="changed-summary"]').exists()).toBe(true)
  })

  it('compares what two sets pin for one detector by asking for their versions, then comparing those', async () => {
    const { seen } = serve()
    let router
    ;({ wrapper, router } = await mountApp('/calibrations/compare'))
    await field(wrapper, 'Set A').setValue('good-1')
    await field(wrapper, 'Set B').setValue('good-2')
    await field(wrapper, 'Detector').setValue('cspad-0001')
    await field(wrapper, 'Time').setValue('2026-11-16T17:00:00Z')
    await wrapper.findAll('form')[1].trigger('submit')
    await until(() => router.currentRoute.value.query.a === '22')
    const asked = new URL(seen.find((r) => r.path === '/api/calib/compare').url, 'http://x').searchParams
    expect(Object.fromEntries(asked)).toEqual({
      a_set: 'good-1',
      b_set: 'good-2',
      detname: 'cspad-0001',
      ctype: 'pedestals',
      t: '2026-11-16T17:00:00Z',
    })
    expect(router.currentRoute.value.query).toEqual({ a: '22', b: '23' })
  })

  it('asks for every part of a set comparison before asking the server', async () => {
    const { seen } = serve()
    ;({ wrapper } = await mountApp('/calibrations/compare'))
    await field(wrapper, 'Set A').setValue('good-1')
    await wrapper.findAll('form')[1].trigger('submit')
    await settle()
    expect(wrapper.text()).toContain('Give both sets, the detector, the calibration type and the time.')
    expect(seen.some((r) => r.path === '/api/calib/compare')).toBe(false)
  })

  it('says what is wrong with the form before asking the server', async () => {
    const { seen } = serve()
    ;({ wrapper } = await mountApp('/calibrations/compare'))
    await field(wrapper, 'Version A').setValue('v2')
    await field(wrapper, 'Threshold').setValue('-1')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.text()).toContain('Give the id of version A (a whole number).')
    expect(wrapper.text()).toContain('The threshold is a number, 0 or more.')
    expect(field(wrapper, 'Version A').attributes('aria-invalid')).toBe('true')
    expect(seen.some((r) => r.path === '/api/calib/compare')).toBe(false)
  })

  it('shows the server’s sentence when the versions cannot be compared', async () => {
    serve(error(400, 'Version 22 has the shape 2 × 3 × 4 and version 31 the shape 704 × 768: they cannot be compared.'))
    ;({ wrapper } = await mountApp('/calibrations/compare?a=22&b=31'))
    expect(wrapper.find('[role="alert"]').text()).toBe(
      'Version 22 has the shape 2 × 3 × 4 and version 31 the shape 704 × 768: they cannot be compared.',
    )
    expect(wrapper.find('[data-testid="heatmap"]').exists()).toBe(false)
  })
})
