// Where each device of the topology graph is drawn. Pure, so it can be tested and timed.
//
// Devices are grouped in one block per subsystem. Inside a block, a device's layer is the longest
// chain of connections (within the block) that leads to it: sources (crates, controllers) on the
// left, what they feed to the right. A tall layer wraps into several columns of at most `rows`
// devices, so 600 crystals fed by 20 boards make a compact rectangle, not a 13,000 px column.
// Devices in a layer are ordered by where their neighbours are (barycentres), so the 32 crystals of
// one board sit together. Blocks are packed on shelves, biggest first.
//
// Coordinates are world units; (x, y) is the centre of a device's square.

export const ROW = 22 // vertical pitch of devices
export const COLUMN = 140 // horizontal pitch of the columns of one layer (room for the name)
export const LAYER_GAP = 70 // extra room between two layers
export const NODE = 10 // side of a device's square
export const TITLE = 44 // room above a block for its name
export const PAD = 24 // inner margin of a block
export const BLOCK_GAP = 80 // between blocks
const ASPECT = 1.6 // width : height wished for a block
const NO_SUBSYSTEM = '(no subsystem)'

/**
 * Layers of a directed graph of n nodes with edges (pairs [from, to] of node numbers 0..n-1):
 * layer[v] = 1 + the highest layer of the nodes leading to v, 0 for sources. A cycle is broken at
 * its lowest-numbered node, so every node gets a layer in O(n + edges).
 */
export function layersOf(n, edges) {
  const outStart = new Int32Array(n + 1)
  const indegree = new Int32Array(n)
  for (const [a, b] of edges) {
    if (a === b) continue
    outStart[a + 1]++
    indegree[b]++
  }
  for (let i = 0; i < n; i++) outStart[i + 1] += outStart[i]
  const targets = new Int32Array(outStart[n])
  const fill = outStart.slice(0, n)
  for (const [a, b] of edges) if (a !== b) targets[fill[a]++] = b

  const layer = new Int32Array(n)
  const done = new Uint8Array(n)
  const queue = new Int32Array(n)
  let head = 0
  let tail = 0
  for (let v = 0; v < n; v++) if (indegree[v] === 0) queue[tail++] = v
  let next = 0 // where to look for a node to break a cycle
  let placed = 0
  while (placed < n) {
    if (head === tail) {
      while (done[next] || indegree[next] === 0) next++ // indegree 0 and not done: already queued
      queue[tail++] = next
      indegree[next] = 0
    }
    const u = queue[head++]
    done[u] = 1
    placed++
    for (let k = outStart[u]; k < outStart[u + 1]; k++) {
      const v = targets[k]
      if (done[v]) continue // an edge back into a broken cycle
      if (layer[v] < layer[u] + 1) layer[v] = layer[u] + 1
      if (--indegree[v] === 0) queue[tail++] = v
    }
  }
  return layer
}

/** Rows of a block of `count` devices whose largest layer holds `largest`: roughly ASPECT wide, not wrapping a layer for a few. */
export function rowsFor(count, largest) {
  const wished = Math.max(6, Math.ceil(Math.sqrt((count * COLUMN) / (ASPECT * ROW))))
  return largest <= wished * 1.25 ? Math.max(1, largest) : wished
}

// Compact lists of neighbours: the devices j of node i are list[start[i]] .. list[start[i + 1] - 1].
function compactLists(n, pairs) {
  const start = new Int32Array(n + 1)
  for (const [a] of pairs) start[a + 1]++
  for (let i = 0; i < n; i++) start[i + 1] += start[i]
  const list = new Int32Array(pairs.length)
  const fill = start.slice(0, n)
  for (const [a, b] of pairs) list[fill[a]++] = b
  return { start, list }
}

// Order the devices of each layer by the mean relative position of their neighbours in the layers
// before (forward sweeps) or after (backward sweep); ties keep the order they had.
function orderLayers(layers, position, before, after) {
  const place = (layer) => layer.forEach((v, i) => (position[v] = (i + 0.5) / layer.length))
  const sweep = (layer, { start, list }) => {
    const keys = new Float64Array(layer.length)
    layer.forEach((v, i) => {
      let sum = 0
      let count = 0
      for (let k = start[v]; k < start[v + 1]; k++) {
        sum += position[list[k]]
        count++
      }
      keys[i] = count ? sum / count : position[v]
    })
    const order = layer.map((_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b)
    return order.map((i) => layer[i])
  }
  layers.forEach(place)
  const forward = () => {
    for (let l = 1; l < layers.length; l++) {
      layers[l] = sweep(layers[l], before)
      place(layers[l])
    }
  }
  forward()
  for (let l = layers.length - 2; l >= 0; l--) {
    layers[l] = sweep(layers[l], after)
    place(layers[l])
  }
  forward()
  return layers
}

/**
 * Lay out a topology: devices (rows whose `subsystem` is at `subsystemColumn`) and connections
 * [[from, to, kind]...]. Returns { x, y (Float64Array centres), block (Int32Array), layer (Int32Array),
 * blocks: [{name, x, y, width, height, count}], width, height }.
 */
export function layoutTopology(devices, connections, { subsystemColumn = 2 } = {}) {
  const n = devices.length
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  const blockOf = new Int32Array(n)
  const layerOf = new Int32Array(n)

  // Blocks by subsystem; local numbers of the devices inside their block.
  const byName = new Map()
  const members = []
  const local = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const name = devices[i][subsystemColumn] || NO_SUBSYSTEM
    let b = byName.get(name)
    if (b === undefined) {
      b = members.length
      byName.set(name, b)
      members.push([])
    }
    blockOf[i] = b
    local[i] = members[b].length
    members[b].push(i)
  }

  const inner = members.map(() => [])
  const forward = []
  const backward = []
  for (const [a, b] of connections) {
    if (a === b || a < 0 || b < 0 || a >= n || b >= n || blockOf[a] !== blockOf[b]) continue
    inner[blockOf[a]].push([local[a], local[b]])
    forward.push([a, b])
    backward.push([b, a])
  }
  const before = compactLists(n, backward)
  const after = compactLists(n, forward)
  const position = new Float64Array(n)

  // Each block on its own, with its top-left corner at (0, 0) for now.
  const names = [...byName.keys()]
  const blocks = members.map((list, b) => {
    const layer = layersOf(list.length, inner[b])
    let depth = 0
    for (const l of layer) if (l + 1 > depth) depth = l + 1
    const layers = Array.from({ length: depth }, () => [])
    list.forEach((device, k) => {
      layers[layer[k]].push(device)
      layerOf[device] = layer[k]
    })
    orderLayers(layers, position, before, after)
    const largest = Math.max(0, ...layers.map((l) => l.length))
    const rows = rowsFor(list.length, largest)
    const tallest = Math.min(rows, largest)
    let left = PAD + NODE / 2
    for (const column of layers) {
      const offset = ((tallest - Math.min(rows, column.length)) * ROW) / 2
      column.forEach((device, k) => {
        x[device] = left + Math.floor(k / rows) * COLUMN
        y[device] = TITLE + offset + (k % rows) * ROW + ROW / 2
      })
      left += Math.ceil(column.length / rows) * COLUMN + LAYER_GAP
    }
    // The last column's centre is at left - LAYER_GAP - COLUMN; its names reach about COLUMN - 20 further.
    const width = left - LAYER_GAP - 20 + PAD
    return {
      name: names[b],
      x: 0,
      y: 0,
      width: Math.max(width, 220),
      height: TITLE + tallest * ROW + PAD,
      count: list.length,
    }
  })

  // Shelves: biggest blocks first, left to right, a new shelf when the next one would not fit.
  const order = blocks.map((_, b) => b).sort((a, b) => blocks[b].count - blocks[a].count || blocks[a].name.localeCompare(blocks[b].name))
  const area = blocks.reduce((sum, b) => sum + (b.width + BLOCK_GAP) * (b.height + BLOCK_GAP), 0)
  const shelfWidth = Math.max(Math.sqrt(area * ASPECT), ...blocks.map((b) => b.width))
  let cx = 0
  let cy = 0
  let shelfHeight = 0
  let width = 0
  for (const b of order) {
    const block = blocks[b]
    if (cx > 0 && cx + block.width > shelfWidth) {
      cx = 0
      cy += shelfHeight + BLOCK_GAP
      shelfHeight = 0
    }
    block.x = cx
    block.y = cy
    cx += block.width + BLOCK_GAP
    shelfHeight = Math.max(shelfHeight, block.height)
    width = Math.max(width, block.x + block.width)
  }
  for (let i = 0; i < n; i++) {
    x[i] += blocks[blockOf[i]].x
    y[i] += blocks[blockOf[i]].y
  }
  return { x, y, block: blockOf, layer: layerOf, blocks, width, height: n ? cy + shelfHeight : 0 }
}

const CELL = 64

/** A grid over the devices' positions for finding the one under the pointer quickly. */
export function spatialIndex(layout) {
  const cells = new Map()
  const { x, y } = layout
  for (let i = 0; i < x.length; i++) {
    const key = `${Math.floor(x[i] / CELL)},${Math.floor(y[i] / CELL)}`
    const list = cells.get(key)
    if (list) list.push(i)
    else cells.set(key, [i])
  }
  return { cells, x, y }
}

/**
 * The device whose square (grown by `slack`, and reaching `labelWidth` to the right for its name)
 * holds the world point (wx, wy); the nearest centre wins. -1 when none.
 */
export function deviceAt(index, wx, wy, { slack = 0, labelWidth = 0 } = {}) {
  const half = NODE / 2 + slack
  const reach = Math.max(half, labelWidth + half)
  const x0 = Math.floor((wx - reach) / CELL)
  const x1 = Math.floor((wx + half) / CELL)
  const y0 = Math.floor((wy - half) / CELL)
  const y1 = Math.floor((wy + half) / CELL)
  let best = -1
  let bestDistance = Infinity
  for (let cx = x0; cx <= x1; cx++) {
    for (let cy = y0; cy <= y1; cy++) {
      for (const i of index.cells.get(`${cx},${cy}`) ?? []) {
        const dx = wx - index.x[i]
        const dy = wy - index.y[i]
        if (dy < -half || dy > half || dx < -half || dx > reach) continue
        const distance = dx * dx + dy * dy
        if (distance < bestDistance) {
          best = i
          bestDistance = distance
        }
      }
    }
  }
  return best
}
