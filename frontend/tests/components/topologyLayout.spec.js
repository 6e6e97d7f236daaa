import { describe, expect, it } from 'vitest'
import { COLUMN, ROW, deviceAt, layersOf, layoutTopology, rowsFor, spatialIndex } from '@/components/topology/topologyLayout.js'

const device = (name, subsystem = 'ECal') => [name, name.split('-')[0], subsystem, 'padme-ecal', '']

// A crate feeding `boards` HV boards, each feeding `perBoard` crystals read out by one digitizer.
function calorimeter(boards, perBoard, subsystem = 'ECal') {
  const devices = [device(`mainframe-${subsystem}`, subsystem)]
  const connections = []
  for (let b = 0; b < boards; b++) {
    const board = devices.push(device(`sipm-${subsystem}${b}`, subsystem)) - 1
    const adc = devices.push(device(`v1742-${subsystem}${b}`, subsystem)) - 1
    connections.push([0, board, 'network'])
    for (let c = 0; c < perBoard; c++) {
      const cell = devices.push(device(`bgo-${subsystem}${b}x${c}`, subsystem)) - 1
      connections.push([board, cell, 'HV'], [cell, adc, 'readout'])
    }
  }
  return { devices, connections }
}

describe('the layers of the topology', () => {
  it('puts sources in layer 0 and each device one step right of what feeds it, on the longest chain', () => {
    // 0 -> 1 -> 2 -> 3 and a shortcut 0 -> 3: 3 still comes after 2.
    expect(Array.from(layersOf(5, [[0, 1], [1, 2], [2, 3], [0, 3]]))).toEqual([0, 1, 2, 3, 0])
  })

  it('breaks a cycle instead of looping, and ignores a connection of a device to itself', () => {
    const layer = Array.from(layersOf(4, [[0, 1], [1, 2], [2, 1], [3, 3]]))
    expect(layer).toHaveLength(4)
    expect(layer[0]).toBe(0)
    expect(layer[1]).toBe(1)
    expect(layer[2]).toBe(2)
    expect(layer[3]).toBe(0)
  })
})

describe('the layout of the topology', () => {
  it('draws controllers left of what they feed', () => {
    const { devices, connections } = calorimeter(3, 4)
    const { x } = layoutTopology(devices, connections)
    for (const [from, to] of connections) expect(x[from]).toBeLessThan(x[to])
  })

  it('wraps a tall layer into columns and keeps the crystals of one board together', () => {
    const { devices, connections } = calorimeter(20, 32) // 640 crystals in one layer
    const { x, y, blocks } = layoutTopology(devices, connections)
    const crystals = devices.map((d, i) => i).filter((i) => devices[i][0].startsWith('bgo-'))
    const columns = new Set(crystals.map((i) => x[i]))
    const rows = rowsFor(devices.length, crystals.length)
    expect(columns.size).toBe(Math.ceil(crystals.length / rows))
    expect(blocks[0].height).toBeLessThan(crystals.length * ROW / 5)
    // The 32 crystals of board 7 sit in at most two neighbouring columns, one under the other.
    const board7 = crystals.filter((i) => devices[i][0].startsWith('bgo-ECal7x'))
    const their = [...new Set(board7.map((i) => x[i]))].sort((a, b) => a - b)
    expect(their.length).toBeLessThanOrEqual(2)
    if (their.length === 2) expect(their[1] - their[0]).toBe(COLUMN)
    expect(new Set(board7.map((i) => `${x[i]},${y[i]}`)).size).toBe(32)
  })

  it('gives each subsystem its own block, without overlaps, and every device a place of its own', () => {
    const parts = [calorimeter(5, 10, 'ECal'), calorimeter(2, 8, 'SAC'), { devices: [device('cspad-0001', '')], connections: [] }]
    const devices = []
    const connections = []
    for (const part of parts) {
      const offset = devices.length
      devices.push(...part.devices)
      connections.push(...part.connections.map(([a, b, k]) => [a + offset, b + offset, k]))
    }
    connections.push([0, devices.length - 2, 'trigger']) // across blocks: drawn, but no layer
    const layout = layoutTopology(devices, connections)
    expect(layout.blocks.map((b) => b.name).sort()).toEqual(['(no subsystem)', 'ECal', 'SAC'])
    const [a, b, c] = layout.blocks
    for (const [p, q] of [[a, b], [a, c], [b, c]]) {
      const apart = p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y
      expect(apart).toBe(true)
    }
    const places = new Set(devices.map((_, i) => `${layout.x[i]},${layout.y[i]}`))
    expect(places.size).toBe(devices.length)
    devices.forEach((_, i) => {
      const block = layout.blocks[layout.block[i]]
      expect(layout.x[i]).toBeGreaterThan(block.x)
      expect(layout.x[i]).toBeLessThan(block.x + block.width)
      expect(layout.y[i]).toBeGreaterThan(block.y)
      expect(layout.y[i]).toBeLessThan(block.y + block.height)
    })
    expect(layout.width).toBeGreaterThan(0)
    expect(layout.height).toBeGreaterThan(0)
  })

  it('lays out 5,000 devices and 20,000 connections, cycles included, with every position finite', () => {
    const devices = Array.from({ length: 5000 }, (_, i) => device(`cell-${i}`, `S${i % 7}`))
    let seed = 7
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    const connections = Array.from({ length: 20000 }, () => [Math.floor(random() * 5000), Math.floor(random() * 5000), 'LV'])
    const layout = layoutTopology(devices, connections)
    expect(layout.blocks).toHaveLength(7)
    expect(layout.x.every(Number.isFinite) && layout.y.every(Number.isFinite)).toBe(true)
    expect(new Set(devices.map((_, i) => `${layout.x[i]},${layout.y[i]}`)).size).toBe(5000)
  })

  it('is empty for no devices', () => {
    expect(layoutTopology([], [])).toMatchObject({ width: 0, height: 0, blocks: [] })
  })
})

describe('finding the device under the pointer', () => {
  it('finds the device at a point, its name to the right when names are shown, and nothing between', () => {
    const { devices, connections } = calorimeter(2, 3)
    const layout = layoutTopology(devices, connections)
    const index = spatialIndex(layout)
    devices.forEach((_, i) => expect(deviceAt(index, layout.x[i] + 2, layout.y[i] - 2)).toBe(i))
    expect(deviceAt(index, layout.x[3] + 40, layout.y[3])).toBe(-1)
    expect(deviceAt(index, layout.x[3] + 40, layout.y[3], { labelWidth: COLUMN - 30 })).toBe(3)
    expect(deviceAt(index, -500, -500)).toBe(-1)
  })
})
