// Layered drawing of a provenance graph: every edge goes from an input to what was made from it,
// so inputs get columns on the left and the version made last the right-most column.

export const NODE_W = 210
export const NODE_H = 54
const GAP_X = 70
const GAP_Y = 18
const MARGIN = 10

const KIND_ORDER = { run: 0, file: 1, job: 2, version: 3 }

/** Column of each node counted from the right: 0 for what nothing was made from, inputs further left. */
export function layers(nodes, edges) {
  const layer = new Map(nodes.map((n) => [n.id, 0]))
  const known = edges.filter((e) => layer.has(e.from) && layer.has(e.to) && e.from !== e.to)
  // Longest path to a sink; a cycle (which a provenance never has) stops after n rounds.
  for (let round = 0; round < nodes.length; round++) {
    let changed = false
    for (const e of known) {
      if (layer.get(e.from) < layer.get(e.to) + 1) {
        layer.set(e.from, layer.get(e.to) + 1)
        changed = true
      }
    }
    if (!changed) break
  }
  return layer
}

/** { width, height, nodes: [{node, x, y}], edges: [{edge, d}] } for SVG. */
export function layoutGraph(nodes, edges) {
  const layer = layers(nodes, edges)
  const deepest = Math.max(0, ...layer.values())
  const columns = Array.from({ length: deepest + 1 }, () => [])
  for (const node of nodes) columns[deepest - layer.get(node.id)].push(node)
  for (const column of columns) {
    column.sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || String(a.label).localeCompare(String(b.label)))
  }
  const tallest = Math.max(1, ...columns.map((c) => c.length))
  const height = MARGIN * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y
  const width = MARGIN * 2 + columns.length * NODE_W + (columns.length - 1) * GAP_X
  const placed = new Map()
  columns.forEach((column, c) => {
    const used = column.length * NODE_H + (column.length - 1) * GAP_Y
    const top = (height - used) / 2
    column.forEach((node, i) => {
      placed.set(node.id, { node, x: MARGIN + c * (NODE_W + GAP_X), y: top + i * (NODE_H + GAP_Y) })
    })
  })
  const lines = edges
    .filter((e) => placed.has(e.from) && placed.has(e.to))
    .map((edge) => {
      const a = placed.get(edge.from)
      const b = placed.get(edge.to)
      const x1 = a.x + NODE_W
      const y1 = a.y + NODE_H / 2
      const x2 = b.x
      const y2 = b.y + NODE_H / 2
      const bend = Math.max(30, (x2 - x1) / 2)
      return { edge, d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}` }
    })
  return { width, height, nodes: [...placed.values()], edges: lines }
}

/** The version id of a node id "version:12", else null. */
export function versionIdOf(nodeId) {
  const m = /^version:(\d+)$/.exec(String(nodeId))
  return m ? Number(m[1]) : null
}
