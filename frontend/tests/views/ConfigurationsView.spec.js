import { afterEach, describe, expect, it } from 'vitest'
import { fakeServer, meAnswer, viewer } from '../fakeServer.js'
import { mountApp } from '../mountApp.js'
import { query, region } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const device = (name, subsystem, description = '') => {
  const [dettype, detid] = name.split('-')
  return { name, dettype, detid, subsystem, group: 'padme-ecal', description }
}
const type = (name, description) => ({ name, description, group: 'padme-ecal', schema_version: 2, ports: [], devices: 1 })

function routes(extra = {}) {
  return {
    'GET /api/auth/me': meAnswer(viewer(), ['read']),
    'GET /api/device-types': { body: { ok: true, types: [type('bgo', 'BGO crystal'), type('sipm', 'SiPM HV board')] } },
    'GET /api/configs/export': { body: { format: 'dcs-configs/1', types: { bgo: { schema: {} }, sipm: { schema: {}, default: { version: 2, config: {} } } }, devices: {} } },
    'GET /api/devices': {
      body: {
        ok: true,
        devices: [
          device('bgo-001', 'ECal', 'crystal 1'),
          device('sipm-ecal07', 'ECal', 'HV board 7'),
          device('pveto-01', 'Veto', 'bar 1'),
        ],
      },
    },
    ...extra,
  }
}

describe('configurations overview', () => {
  it('lists the type defaults with their active version, read from an export of the types', async () => {
    const seen = fakeServer(routes())
    ;({ wrapper } = await mountApp('/configurations'))
    expect(wrapper.find('h1').text()).toBe('Configurations')
    const rows = region(wrapper, 'Device type defaults').findAll('tbody tr')
    expect(rows.map((r) => r.findAll('th, td').at(-1).text())).toEqual(['none active', 'version 2 of the sipm default'])
    expect(rows[1].find('a').attributes('href')).toBe('/configurations/types/sipm')
    const exported = seen.find((r) => r.path === '/api/configs/export')
    expect(query(exported).get('types')).toBe('bgo,sipm')
  })

  it('filters the devices by words and subsystem, each linking to its configuration', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/configurations'))
    const devices = region(wrapper, 'Devices')
    const names = () => devices.findAll('tbody tr').map((r) => r.find('th').text())
    expect(names()).toEqual(['bgo-001', 'sipm-ecal07', 'pveto-01'])
    expect(devices.find('tbody th a').attributes('href')).toBe('/configurations/devices/bgo-001')

    await devices.find('#configs-subsystem').setValue('ECal')
    expect(names()).toEqual(['bgo-001', 'sipm-ecal07'])
    await devices.find('#configs-filter').setValue('board')
    expect(names()).toEqual(['sipm-ecal07'])
    expect(devices.text()).toContain('1 of 3 devices')
    await devices.find('#configs-filter').setValue('nothing')
    expect(devices.text()).toContain('No device matches these filters.')
  })

  it('offers the export as JSON and YAML, of one subsystem when one is chosen, and no import to a viewer', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/configurations'))
    const links = () => region(wrapper, 'Export and import').findAll('a').map((a) => [a.text(), a.attributes('href')])
    expect(links()).toEqual([
      ['All configurations as JSON', '/api/configs/export?format=json'],
      ['All configurations as YAML', '/api/configs/export?format=yaml'],
    ])
    await wrapper.find('#configs-subsystem').setValue('Veto')
    expect(links()).toContainEqual(['Veto only, as YAML', '/api/configs/export?format=yaml&subsystem=Veto'])
    expect(wrapper.text()).not.toContain('Import configurations')
  })
})
