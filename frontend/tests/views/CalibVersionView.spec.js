import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { error, meAnswer, viewer } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { described, npyBytes, serveCalib, version } from '../calibFixtures.js'

let wrapper
beforeEach(() => vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null))
afterEach(() => wrapper?.unmount())

const v23 = version(23, 3, { comment: 'after the power cycle' })
const fileSha = 'f00dfeed'.repeat(8)
const provenance = {
  runs: [{ experiment: 'xpp12345', number: 7 }],
  files: [{ path: 'xpp12345/r0007/epix.h5', sha256: fileSha, dataset: '/data/epix' }],
  parents: [22],
  software: 'dcs 0.4.0',
  parameters: { nsigma: 5, rms_hi: 25.5 },
  user: 'alice',
  host: 'calib-farm-01',
  time: '2026-11-23T10:00:00Z',
}
const graph = {
  ok: true,
  nodes: [
    { id: 'run:xpp12345/7', kind: 'run', label: 'xpp12345 run 7', detail: {} },
    { id: 'file:xpp12345/r0007/epix.h5', kind: 'file', label: 'epix.h5', detail: { sha256: fileSha } },
    { id: 'job:3', kind: 'job', label: 'dark job 3', detail: {} },
    { id: 'version:22', kind: 'version', label: 'pedestals v2', detail: {} },
    { id: 'version:23', kind: 'version', label: 'pedestals v3', detail: {} },
  ],
  edges: [
    { from: 'run:xpp12345/7', to: 'file:xpp12345/r0007/epix.h5', kind: 'input' },
    { from: 'file:xpp12345/r0007/epix.h5', to: 'version:23', kind: 'input' },
    { from: 'job:3', to: 'version:23', kind: 'made_by' },
    { from: 'version:22', to: 'version:23', kind: 'parent' },
  ],
}
const values = Float32Array.from({ length: 24 }, (_, i) => 100 + i)

function serve({ answer = described(v23, { predecessor: { id: 22, versind: 2 }, provenance }), arrays } = {}) {
  return serveCalib(
    {
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/calib/versions/23': { body: { ok: true, ...answer } },
      'GET /api/calib/versions/23/provenance': { body: graph },
    },
    arrays ?? { [v23.url]: npyBytes('<f4', [2, 3, 4], values) },
  )
}

const section = (w, heading) => w.findAll('section.card').find((s) => s.find('h2').text() === heading)
const facts = (s) => Object.fromEntries(s.findAll('dt').map((dt, i) => [dt.text(), s.findAll('dd')[i].text()]))

describe('calibration version page', () => {
  it('describes the version and offers it for download as .npy and .h5', async () => {
    serve()
    ;({ wrapper } = await mountApp('/calibrations/versions/23'))
    expect(wrapper.find('h1').text()).toBe('Calibration version pedestals v3')
    const about = facts(section(wrapper, 'About this version'))
    expect(about.Detector).toBe('epix100a-0002')
    expect(about['Work-space']).toBe('repository')
    expect(about.Type).toBe('pedestals')
    expect(about.Range).toContain('1700000000-end')
    expect(about.Range).toContain('open end')
    expect(about.Version).toContain('v3')
    expect(about.Checksum).toBe(`sha256 ${v23.sha256}`)
    expect(about.Author).toBe('alice')
    expect(about.Comment).toBe('after the power cycle')
    const links = Object.fromEntries(section(wrapper, 'About this version').findAll('a').map((a) => [a.text(), a.attributes('href')]))
    expect(links['Download .npy']).toBe(v23.url)
    expect(links['Download .h5']).toBe(v23.url.replace('.npy', '.h5'))
    expect(links['Compare with predecessor (v2)']).toBe('/calibrations/compare?a=22&b=23')
  })

  it('draws the array panel by panel, with a histogram of its values', async () => {
    const { fetched } = serve()
    ;({ wrapper } = await mountApp('/calibrations/versions/23'))
    await settle()
    expect(fetched).toEqual([v23.url])
    const values = section(wrapper, 'Values')
    expect(values.text()).toContain('2 × 3 × 4 values of type <f4')
    const canvas = values.find('[data-testid="heatmap"]')
    expect(canvas.attributes('aria-label')).toContain('pedestals v3 of epix100a-0002, all panels')
    expect(values.find('select').findAll('option').map((o) => o.text())).toEqual(['All panels (tiled)', 'Panel 0', 'Panel 1'])

    await values.find('select').setValue('1')
    expect(values.find('[data-testid="heatmap"]').attributes('aria-label')).toContain('panel 1: 3 × 4 pixels')
    expect(values.find('[data-testid="histogram"]').attributes('aria-label')).toContain('12 values in 50 bins from 112 to 123')
  })

  it('shows a geometry as the text it is', async () => {
    const geometry = version(23, 3, { dtype: 'text', shape: [], url: '/api/calib/versions/23/abc.npy' })
    serve({
      answer: { ...described(geometry), ctype: 'geometry' },
      arrays: { '/api/calib/versions/23/abc.npy': 'HDR PARENT IND OBJECT IND X0 Y0 Z0\nCAMERA 0 CSPAD:V1 0 0 0 0' },
    })
    ;({ wrapper } = await mountApp('/calibrations/versions/23'))
    await settle()
    const shown = section(wrapper, 'Geometry')
    expect(shown.find('pre').text()).toContain('CAMERA 0 CSPAD:V1')
    expect(shown.find('canvas').exists()).toBe(false)
  })

  it('draws what the version was made from, and lists it', async () => {
    serve()
    ;({ wrapper } = await mountApp('/calibrations/versions/23'))
    await settle()
    const prov = section(wrapper, 'Provenance')
    const svg = prov.find('[data-testid="provenance-graph"]')
    expect(svg.findAll('g.node')).toHaveLength(5)
    const parent = svg.find('g[data-node="version:22"] a')
    expect(parent.attributes('href')).toBe('/calibrations/versions/22')
    expect(svg.find('g[data-node="version:23"] a').exists()).toBe(false)
    const file = svg.find('g[data-node="file:xpp12345/r0007/epix.h5"]')
    expect(file.text()).toContain('sha256 f00dfeedf00d…')
    expect(file.find('title').text()).toContain(`sha256 ${fileSha}`)
    // inputs on the left, the version on the right
    const x = (id) => Number(/translate\(([\d.]+)/.exec(svg.find(`g[data-node="${id}"]`).attributes('transform'))[1])
    expect(x('run:xpp12345/7')).toBeLessThan(x('file:xpp12345/r0007/epix.h5'))
    expect(x('file:xpp12345/r0007/epix.h5')).toBeLessThan(x('version:23'))

    const list = facts(prov)
    expect(list.Runs).toBe('Run 7 of xpp12345')
    expect(list.Files).toContain('xpp12345/r0007/epix.h5')
    expect(list.Files).toContain(`sha256 ${fileSha}`)
    expect(list['Parent versions']).toBe('Version 22')
    expect(list.Software).toBe('dcs 0.4.0')
    expect(list.Parameters).toContain('nsigma = 5')
    expect(list.Parameters).toContain('rms_hi = 25.5')
    expect(list.User).toBe('alice')
    expect(list.Host).toBe('calib-farm-01')
    expect(prov.find('a[href="/runs/xpp12345/7"]').exists()).toBe(true)
  })

  it('says when no provenance was recorded and offers no predecessor comparison without one', async () => {
    serve({ answer: described(v23) })
    ;({ wrapper } = await mountApp('/calibrations/versions/23'))
    expect(section(wrapper, 'Provenance').text()).toContain('No provenance was recorded for this version.')
    expect(wrapper.text()).not.toContain('Compare with predecessor')
  })

  it('shows the server’s sentence when the array cannot be fetched', async () => {
    serve({ arrays: { [v23.url]: error(404, 'There is no calibration version at this address.') } })
    ;({ wrapper } = await mountApp('/calibrations/versions/23'))
    await settle()
    expect(section(wrapper, 'Values').find('[role="alert"]').text()).toBe('There is no calibration version at this address.')
  })

  it('shows the server’s sentence for an unknown version', async () => {
    serveCalib({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/calib/versions/99': error(404, 'There is no calibration version 99.'),
      'GET /api/calib/versions/99/provenance': error(404, 'There is no calibration version 99.'),
    })
    ;({ wrapper } = await mountApp('/calibrations/versions/99'))
    expect(wrapper.find('[role="alert"]').text()).toBe('There is no calibration version 99.')
  })
})
