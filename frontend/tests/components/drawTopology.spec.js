import { describe, expect, it } from 'vitest'
import { drawTopology } from '@/components/topology/drawTopology.js'
import { bucketsByKind } from '@/components/topology/topologyGraph.js'
import { layoutTopology } from '@/components/topology/topologyLayout.js'
import { centreOn, fitView } from '@/components/topology/topologyCamera.js'

/** A 2-D context that records paths, strokes and texts (jsdom has none). */
function recorder() {
  const calls = { strokes: [], lines: 0, texts: [] }
  let segments = 0
  const ctx = {
    setTransform() {},
    fillRect() {},
    strokeRect() {},
    beginPath: () => (segments = 0),
    moveTo() {},
    lineTo: () => segments++,
    rect() {},
    fill() {},
    stroke() {
      calls.strokes.push({ colour: ctx.strokeStyle, segments })
      calls.lines += segments
    },
    fillText: (text) => calls.texts.push(text),
    measureText: (text) => ({ width: text.length * 7 }),
  }
  return { ctx, calls }
}

const devices = Array.from({ length: 40 }, (_, i) => [`dev-${i}`, 'dev', i < 20 ? 'A' : 'B', '', ''])
const connections = [
  ...Array.from({ length: 19 }, (_, i) => [i, i + 1, 'HV']),
  ...Array.from({ length: 10 }, (_, i) => [20 + i, 30 + i, 'readout']),
  [0, 39, 'network'],
]
const layout = layoutTopology(devices, connections)
const scene = (view, extra = {}) => ({
  names: devices.map((d) => d[0]),
  connections,
  layout,
  buckets: bucketsByKind(connections),
  hidden: new Set(),
  view,
  width: 800,
  height: 500,
  ...extra,
})

describe('drawing the topology', () => {
  it('strokes one path per kind of connection, in its colour', () => {
    const { ctx, calls } = recorder()
    const drawn = drawTopology(ctx, scene(fitView(layout.width, layout.height, 800, 500)))
    expect(calls.strokes.map((s) => s.colour)).toEqual(['#c2410c', '#1d5fb4', '#15803d'])
    expect(calls.lines).toBe(connections.length)
    expect(drawn).toMatchObject({ nodes: 40, edges: 30, strokes: 3 })
  })

  it('leaves out hidden kinds', () => {
    const { ctx, calls } = recorder()
    drawTopology(ctx, scene(fitView(layout.width, layout.height, 800, 500), { hidden: new Set(['HV', 'network']) }))
    expect(calls.strokes).toEqual([{ colour: '#1d5fb4', segments: 10 }])
  })

  it('draws only what is visible, with names once they can be read', () => {
    const far = recorder()
    drawTopology(far.ctx, scene(fitView(layout.width, layout.height, 800, 500)))
    expect(far.calls.texts.some((t) => t.startsWith('dev-'))).toBe(false)

    const near = recorder()
    const view = centreOn({ scale: 0.1, x: 0, y: 0 }, layout.x[5], layout.y[5], 800, 500, 2)
    const drawn = drawTopology(near.ctx, scene(view))
    expect(drawn.nodes).toBeLessThan(40)
    expect(drawn.edges).toBeLessThan(connections.length)
    expect(near.calls.texts).toContain('dev-5')
    expect(near.calls.texts).not.toContain('dev-35')
  })

  it('draws the selected device’s connections again, on top', () => {
    const { ctx, calls } = recorder()
    drawTopology(ctx, scene(fitView(layout.width, layout.height, 800, 500), { selected: 0, neighbours: new Set([1, 39]) }))
    expect(calls.strokes.slice(3)).toEqual([
      { colour: '#c2410c', segments: 1 },
      { colour: '#15803d', segments: 1 },
    ])
  })
})
