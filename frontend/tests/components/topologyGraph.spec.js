import { describe, expect, it } from 'vitest'
import { adjacency, bucketsByKind, countByKind, findDevice, suggestNames } from '@/components/topology/topologyGraph.js'

const names = ['bgo-000', 'bgo-001', 'mainframe-ecal', 'sipm-ecal01', 'sipm-ecal10', 'v1742-ecal01']
const connections = [
  [2, 3, 'network'],
  [3, 0, 'HV'],
  [3, 1, 'HV'],
  [0, 5, 'readout'],
]

describe('questions asked of the topology graph', () => {
  it('says what a device feeds and what feeds it', () => {
    const links = adjacency(names.length, connections)
    expect(links.outgoing(3).map((n) => [names[n.device], n.kind])).toEqual([
      ['bgo-000', 'HV'],
      ['bgo-001', 'HV'],
    ])
    expect(links.incoming(3).map((n) => [names[n.device], n.kind])).toEqual([['mainframe-ecal', 'network']])
    expect(links.outgoing(5)).toEqual([])
  })

  it('counts and groups the connections by kind', () => {
    expect(countByKind(connections)).toEqual({ network: 1, HV: 2, readout: 1 })
    expect(Array.from(bucketsByKind(connections).get('HV'))).toEqual([1, 2])
  })

  it('finds a device by its exact name first, then by the start of a name, then by a part of it', () => {
    expect(findDevice(names, 'SIPM-ECAL10')).toBe(4)
    expect(findDevice(names, 'sipm')).toBe(3)
    expect(findDevice(names, 'ecal01')).toBe(3)
    expect(findDevice(names, '1742')).toBe(5)
    expect(findDevice(names, 'cspad')).toBe(-1)
    expect(findDevice(names, '  ')).toBe(-1)
    expect(suggestNames(names, 'ecal0')).toEqual(['sipm-ecal01', 'v1742-ecal01'])
    expect(suggestNames(names, 'bgo', 1)).toEqual(['bgo-000'])
  })
})
