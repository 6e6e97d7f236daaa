// Drawing the topology on a 2-D canvas context. Only what is visible is drawn, and each kind of
// connection is one path stroked once, so 20,000 connections cost 5 strokes. Names appear when the
// view is zoomed in far enough to read them.

import { COLUMN, NODE } from './topologyLayout.js'
import { visibleWorld } from './topologyCamera.js'
import { colourOf } from './kinds.js'

export const LABEL_SCALE = 0.6 // names are drawn from this zoom on
const MAX_LABELS = 3000
const COLOURS = {
  background: '#ffffff',
  block: '#f6f8fa',
  blockLine: '#d3dae1',
  title: '#3b4754',
  plate: 'rgba(246, 248, 250, 0.92)',
  node: '#3b4754',
  neighbour: '#d97706',
  selected: '#1a5fb4',
  label: '#17202a',
}
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
const TITLE_FONT = '600 13px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'

/**
 * Draw the graph. scene: { names, connections, layout, buckets (bucketsByKind), hidden (Set of kinds),
 * selected (device or -1), neighbours (Set of devices), hovered (device or -1), view, width, height, dpr }.
 * Returns what was drawn: { nodes, edges, labels, strokes }.
 */
export function drawTopology(ctx, scene) {
  const { names, connections, layout, buckets, hidden, view, width: w, height: h } = scene
  const selected = scene.selected ?? -1
  const neighbours = scene.neighbours ?? new Set()
  const hovered = scene.hovered ?? -1
  const dpr = scene.dpr ?? 1
  const { x, y } = layout
  const { scale, x: ox, y: oy } = view
  const drawn = { nodes: 0, edges: 0, labels: 0, strokes: 0 }

  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.fillStyle = COLOURS.background
  ctx.fillRect(0, 0, w, h)

  // Subsystem blocks.
  ctx.lineWidth = 1
  for (const block of layout.blocks) {
    const bx = block.x * scale + ox
    const by = block.y * scale + oy
    const bw = block.width * scale
    const bh = block.height * scale
    if (bx > w || by > h || bx + bw < 0 || by + bh < 0) continue
    ctx.fillStyle = COLOURS.block
    ctx.fillRect(bx, by, bw, bh)
    ctx.strokeStyle = COLOURS.blockLine
    ctx.strokeRect(bx + 0.5, by + 0.5, bw, bh)
  }

  // Connections: one path per kind; a line with both ends beyond the same edge of the canvas is skipped.
  const dim = selected >= 0
  ctx.globalAlpha = dim ? 0.16 : 0.55
  ctx.lineWidth = 1
  drawn.strokes += strokeKinds(ctx, buckets, hidden, connections, (c) => {
    const x1 = x[c[0]] * scale + ox
    const y1 = y[c[0]] * scale + oy
    const x2 = x[c[1]] * scale + ox
    const y2 = y[c[1]] * scale + oy
    if ((x1 < 0 && x2 < 0) || (x1 > w && x2 > w) || (y1 < 0 && y2 < 0) || (y1 > h && y2 > h)) return false
    ctx.moveTo(x1, y1)
    ctx.lineTo(x2, y2)
    drawn.edges++
    return true
  })
  ctx.globalAlpha = 1

  // The selected device's own connections, on top and strong.
  if (selected >= 0) {
    ctx.lineWidth = 2.5
    drawn.strokes += strokeKinds(ctx, buckets, hidden, connections, (c) => {
      if (c[0] !== selected && c[1] !== selected) return false
      ctx.moveTo(x[c[0]] * scale + ox, y[c[0]] * scale + oy)
      ctx.lineTo(x[c[1]] * scale + ox, y[c[1]] * scale + oy)
      return true
    })
    ctx.lineWidth = 1
  }

  // Devices: one path of squares for all that are visible.
  const view0 = visibleWorld(view, w, h, 2 + NODE * scale)
  const side = Math.min(14, Math.max(2.5, NODE * scale))
  const half = side / 2
  const visible = []
  ctx.beginPath()
  for (let i = 0; i < x.length; i++) {
    if (x[i] < view0.x0 || x[i] > view0.x1 || y[i] < view0.y0 || y[i] > view0.y1) continue
    visible.push(i)
    ctx.rect(x[i] * scale + ox - half, y[i] * scale + oy - half, side, side)
  }
  drawn.nodes = visible.length
  ctx.fillStyle = COLOURS.node
  ctx.globalAlpha = dim ? 0.45 : 1
  ctx.fill()
  ctx.globalAlpha = 1

  if (neighbours.size) {
    ctx.beginPath()
    for (const i of neighbours) ctx.rect(x[i] * scale + ox - half - 1, y[i] * scale + oy - half - 1, side + 2, side + 2)
    ctx.fillStyle = COLOURS.neighbour
    ctx.fill()
  }
  for (const [i, colour] of [
    [hovered, COLOURS.label],
    [selected, COLOURS.selected],
  ]) {
    if (i < 0) continue
    const px = x[i] * scale + ox
    const py = y[i] * scale + oy
    ctx.fillStyle = colour
    ctx.fillRect(px - half - 1, py - half - 1, side + 2, side + 2)
    ctx.strokeStyle = colour
    ctx.lineWidth = 2
    ctx.strokeRect(px - half - 4, py - half - 4, side + 8, side + 8)
    ctx.lineWidth = 1
  }

  // The blocks' names, on top of everything, each on a plate.
  ctx.font = TITLE_FONT
  ctx.textBaseline = 'middle'
  for (const block of layout.blocks) {
    const bx = block.x * scale + ox
    const by = block.y * scale + oy
    const bw = block.width * scale
    if (bw < 60 || bx > w || by > h || bx + bw < 0 || by + 30 < 0) continue
    const text = `${block.name} · ${block.count.toLocaleString('en')} ${block.count === 1 ? 'device' : 'devices'}`
    const room = Math.min(bw - 12, ctx.measureText(text).width + 12)
    ctx.fillStyle = COLOURS.plate
    ctx.fillRect(bx + 1, by + 1, room, 24)
    ctx.fillStyle = COLOURS.title
    ctx.fillText(text, bx + 7, by + 13, room - 10)
  }

  // Names, when they can be read.
  if (scale >= LABEL_SCALE && visible.length <= MAX_LABELS) {
    ctx.font = FONT
    ctx.textBaseline = 'middle'
    const room = COLUMN * scale - side - 12
    for (const i of visible) {
      ctx.fillStyle = i === selected ? COLOURS.selected : COLOURS.label
      ctx.fillText(names[i], x[i] * scale + ox + half + 5, y[i] * scale + oy, room)
      drawn.labels++
    }
  }
  return drawn
}

/**
 * One path per shown kind of connection, stroked once in the kind's colour if anything is on it.
 * line(c) puts connection c on the path, or returns false when it leaves it out. Returns the strokes.
 */
function strokeKinds(ctx, buckets, hidden, connections, line) {
  let strokes = 0
  for (const [kind, list] of buckets) {
    if (hidden.has(kind)) continue
    ctx.beginPath()
    let any = false
    for (let k = 0; k < list.length; k++) if (line(connections[list[k]])) any = true
    if (any) {
      ctx.strokeStyle = colourOf(kind)
      ctx.stroke()
      strokes++
    }
  }
  return strokes
}
