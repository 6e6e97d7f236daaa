import { describe, expect, it } from 'vitest'
import { useFormErrors } from '@/composables/useFormErrors.js'
import { deviceBody, formOf, parseHwIndex } from '@/components/devices/deviceForm.js'
import { portRows, splitEndpoint } from '@/components/devices/portRows.js'

const device = {
  name: 'sipm-ecal07',
  description: 'board 7',
  subsystem: 'ECal',
  group: 'padme-ecal',
  hw_index: '20.26.7',
  firmware: '3.2',
  predecessor: null,
  address: { host: 'hv-ecal', port: 1470, slot: 7 },
}

describe('the device form', () => {
  it('sends only what changed, with the hardware index and address numbers as numbers', () => {
    const before = formOf(device)
    const form = formOf(device)
    form.firmware = '3.3'
    form.hw_index = '20.26.8'
    form.address = { ...form.address, crate: '2' }
    const errors = useFormErrors()
    expect(deviceBody(form, before, errors)).toEqual({
      firmware: '3.3',
      hw_index: [20, 26, 8],
      address: { host: 'hv-ecal', port: 1470, crate: 2, slot: 7 },
    })
    expect(errors.hasFieldErrors).toBe(false)
    expect(deviceBody(formOf(device), before, errors)).toEqual({})
  })

  it('marks a hardware index or an address number that is not whole numbers', () => {
    const form = formOf(device)
    form.hw_index = '20.x.7'
    form.address = { ...form.address, port: 'http' }
    const errors = useFormErrors()
    deviceBody(form, formOf(device), errors)
    expect(errors.fields).toEqual({
      hw_index: 'Give whole numbers separated by dots, like 20.26.7.7.0.3.2.',
      'address.port': 'The port is a whole number.',
    })
    expect(parseHwIndex('')).toEqual([])
  })
})

describe('the ports of a device with their connections', () => {
  it('gives each port its connection, which way it runs and the other end', () => {
    const rows = portRows(
      'sipm-ecal07',
      [
        { name: 'bus', kind: 'network' },
        { name: 'ch00', kind: 'HV' },
        { name: 'ch01', kind: 'HV' },
      ],
      [
        { id: 1, from: 'mainframe-ecal:slot07', to: 'sipm-ecal07:bus', kind: 'network' },
        { id: 2, from: 'sipm-ecal07:ch00', to: 'bgo-192:hv', kind: 'HV' },
      ],
    )
    expect(rows.map((r) => [r.port, r.direction, r.other && `${r.other.device}:${r.other.port}`])).toEqual([
      ['bus', 'in', 'mainframe-ecal:slot07'],
      ['ch00', 'out', 'bgo-192:hv'],
      ['ch01', '', null],
    ])
    expect(splitEndpoint('bgo-192:hv')).toEqual({ device: 'bgo-192', port: 'hv' })
  })
})
