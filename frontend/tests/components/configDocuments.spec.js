import { describe, expect, it } from 'vitest'
import { toYaml } from '@/components/configs/yaml.js'
import { effectiveRows, formatValue, leaves } from '@/components/configs/values.js'
import { configLink, parseOwner } from '@/components/configs/owners.js'

describe('YAML of a configuration', () => {
  it('writes objects and lists in block style', () => {
    expect(toYaml({ channels: [{ enabled: true, voltage: 38.35 }, { voltage: 40 }], ramp_rate: 0.5 })).toBe(
      'channels:\n  - enabled: true\n    voltage: 38.35\n  - voltage: 40\nramp_rate: 0.5\n',
    )
    expect(toYaml({ matrix: [[1, 2], []], empty: {}, none: null })).toBe('matrix:\n  - - 1\n    - 2\n  - []\nempty: {}\nnone: null\n')
    expect(toYaml({})).toBe('{}\n')
  })

  it('quotes text YAML would read as something else', () => {
    expect(toYaml({ mode: 'auto', answer: 'yes', off: 'on', number: '12', colon: 'a: b', empty: '', spaced: ' x' })).toBe(
      'mode: auto\nanswer: "yes"\n"off": "on"\nnumber: "12"\ncolon: "a: b"\nempty: ""\nspaced: " x"\n',
    )
  })

  it('writes floats with exponents the way YAML 1.1 reads them', () => {
    expect(toYaml({ big: 1e21, small: 1e-7, plain: 3 })).toBe('big: 1.0e+21\nsmall: 1.0e-7\nplain: 3\n')
  })
})

describe('configuration values', () => {
  it('names the leaves of a document by path', () => {
    expect(leaves({ a: { b: [1, { c: 2 }] }, d: [] })).toEqual([
      { path: 'a.b[0]', value: 1 },
      { path: 'a.b[1].c', value: 2 },
      { path: 'd', value: [] },
    ])
  })

  it('marks each effective value as the device’s own or the type default’s', () => {
    const effective = { enabled: true, hv: { ramp: 1, limit: 5 }, channels: [{ v: 2 }] }
    const own = { hv: { limit: 5 }, channels: [{ v: 2 }] }
    expect(effectiveRows(effective, own)).toEqual([
      { path: 'enabled', value: true, from: 'type' },
      { path: 'hv.ramp', value: 1, from: 'type' },
      { path: 'hv.limit', value: 5, from: 'device' },
      { path: 'channels[0].v', value: 2, from: 'device' },
    ])
  })

  it('shows values in one line', () => {
    expect(formatValue('on')).toBe('"on"')
    expect(formatValue(1.5)).toBe('1.5')
    expect(formatValue(null)).toBe('null')
    expect(formatValue(undefined)).toBe('—')
    expect(formatValue([1, 2])).toBe('[1,2]')
    expect(formatValue('x'.repeat(300))).toHaveLength(160)
  })
})

describe('owners', () => {
  it('links devices and type defaults to their configuration pages', () => {
    expect(parseOwner('type:sipm')).toEqual({ kind: 'types', name: 'sipm', label: 'sipm (type default)' })
    expect(parseOwner('sipm-ecal07')).toEqual({ kind: 'devices', name: 'sipm-ecal07', label: 'sipm-ecal07' })
    expect(configLink('device:sipm-ecal20', { a: 1, b: 2 }, '#diff')).toEqual({
      path: '/configurations/devices/sipm-ecal20',
      query: { a: 1, b: 2 },
      hash: '#diff',
    })
  })
})
