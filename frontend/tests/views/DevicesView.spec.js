import { afterEach, describe, expect, it } from 'vitest'
import { fakeServer, meAnswer, viewer } from '../fakeServer.js'
import { mountApp } from '../mountApp.js'

let wrapper
afterEach(() => wrapper?.unmount())

const device = (name, subsystem) => {
  const [dettype, detid] = name.split('-')
  return { name, dettype, detid, description: `${dettype} detector`, subsystem }
}

describe('devices page', () => {
  it('lists devices and narrows them with the filter box', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/devices': {
        body: { ok: true, devices: [device('cspad-0001', 'ecal'), device('epix100a-0002', 'tracker'), device('sipm-7', 'ecal')] },
      },
    })
    ;({ wrapper } = await mountApp('/devices'))
    expect(wrapper.find('h1').text()).toBe('Devices')
    expect(wrapper.findAll('tbody tr')).toHaveLength(3)

    await wrapper.find('#device-filter').setValue('ECAL')
    expect(wrapper.findAll('tbody tr').map((r) => r.find('th').text())).toEqual(['cspad-0001', 'sipm-7'])
    expect(wrapper.text()).toContain('2 of 3 devices')

    await wrapper.find('#device-filter').setValue('nothing-like-this')
    expect(wrapper.find('tbody').exists()).toBe(false)
    expect(wrapper.text()).toContain('No device matches “nothing-like-this”.')
  })
})
