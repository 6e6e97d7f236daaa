import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, viewer } from '../fakeServer.js'
import { mountApp } from '../mountApp.js'

let wrapper
afterEach(() => wrapper?.unmount())

const detectors = [
  { detname: 'epix100a-0002', workspace: 'repository', ctypes: ['pedestals', 'pixel_rms', 'pixel_status'] },
  { detname: 'epix100a-0002', workspace: 'experiment:xpp12345', ctypes: ['pedestals'] },
  { detname: 'cspad-0001', workspace: 'repository', ctypes: ['geometry', 'pedestals'] },
]

describe('calibrations page', () => {
  it('lists each detector with its work-spaces and calibration types, linking to the detector', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/calib': { body: { ok: true, detectors } },
    })
    ;({ wrapper } = await mountApp('/calibrations'))
    expect(wrapper.find('h1').text()).toBe('Calibrations')
    expect(wrapper.text()).toContain('2 detectors')
    const rows = wrapper.findAll('tbody tr').map((r) => r.text())
    expect(rows[0]).toContain('epix100a-0002')
    expect(rows[0]).toContain('repository')
    expect(rows[0]).toContain('pixel_status')
    expect(rows[1]).toContain('experiment:xpp12345')
    const link = wrapper.findAll('tbody a').find((a) => a.text() === 'cspad-0001')
    expect(link.attributes('href')).toBe('/calibrations/cspad-0001')
  })

  it('links to the calibration sets and the runs', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/calib': { body: { ok: true, detectors } },
    })
    ;({ wrapper } = await mountApp('/calibrations'))
    const lead = wrapper.find('.lead')
    expect(lead.findAll('a').map((a) => [a.text(), a.attributes('href')])).toEqual([
      ['Calibration sets', '/calibrations/sets'],
      ['Runs', '/runs'],
    ])
  })

  it('narrows the list to the detectors that match the filter, types included', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/calib': { body: { ok: true, detectors } },
    })
    ;({ wrapper } = await mountApp('/calibrations'))
    await wrapper.find('#calib-filter').setValue('geometry')
    expect(wrapper.findAll('tbody th').map((th) => th.text())).toEqual(['cspad-0001'])
    expect(wrapper.text()).toContain('1 of 2 detectors')

    await wrapper.find('#calib-filter').setValue('nothing-like-this')
    expect(wrapper.text()).toContain('No detector matches “nothing-like-this”.')
  })

  it('says so when the store is empty, and shows the server’s sentence when it fails', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/calib': { body: { ok: true, detectors: [] } },
    })
    ;({ wrapper } = await mountApp('/calibrations'))
    expect(wrapper.text()).toContain('The store holds no calibration constants yet.')
    wrapper.unmount()

    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/calib': error(500, 'The calibration index could not be read.'),
    })
    ;({ wrapper } = await mountApp('/calibrations'))
    expect(wrapper.find('[role="alert"]').text()).toBe('The calibration index could not be read.')
  })
})
