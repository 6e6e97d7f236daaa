// Questions asked of the topology graph as the server sends it (devices as rows, connections as
// [from, to, kind]): who is connected to whom, how many of each kind, which device a name means.

/**
 * Connections by device, both ways, in compact arrays: outgoing(i) and incoming(i) give
 * [{ device, kind }] of the devices i feeds and is fed by.
 */
export function adjacency(n, connections) {
  const outStart = new Int32Array(n + 1)
  const inStart = new Int32Array(n + 1)
  for (const [a, b] of connections) {
    outStart[a + 1]++
    inStart[b + 1]++
  }
  for (let i = 0; i < n; i++) {
    outStart[i + 1] += outStart[i]
    inStart[i + 1] += inStart[i]
  }
  const outList = new Int32Array(connections.length)
  const inList = new Int32Array(connections.length)
  const outFill = outStart.slice(0, n)
  const inFill = inStart.slice(0, n)
  connections.forEach(([a, b], c) => {
    outList[outFill[a]++] = c
    inList[inFill[b]++] = c
  })
  const collect = (start, list, end) => (i) => {
    const found = []
    for (let k = start[i]; k < start[i + 1]; k++) {
      const c = connections[list[k]]
      found.push({ device: c[end], kind: c[2], connection: list[k] })
    }
    return found
  }
  return { outgoing: collect(outStart, outList, 1), incoming: collect(inStart, inList, 0) }
}

/** How many connections of each kind: { HV: 843, readout: 844, ... }. */
export function countByKind(connections) {
  const counts = {}
  for (const c of connections) counts[c[2]] = (counts[c[2]] ?? 0) + 1
  return counts
}

/** Connection numbers grouped by kind, for drawing one path per kind: Map kind -> Int32Array. */
export function bucketsByKind(connections) {
  const counts = countByKind(connections)
  const buckets = new Map(Object.entries(counts).map(([kind, count]) => [kind, { list: new Int32Array(count), fill: 0 }]))
  connections.forEach((c, i) => {
    const bucket = buckets.get(c[2])
    bucket.list[bucket.fill++] = i
  })
  return new Map([...buckets].map(([kind, b]) => [kind, b.list]))
}

/**
 * The device a typed text means: the one named exactly so (case aside), else the first whose name
 * starts with it, else the first whose name contains it. -1 for none.
 */
export function findDevice(names, text) {
  const wanted = String(text ?? '').trim().toLowerCase()
  if (!wanted) return -1
  let starts = -1
  let contains = -1
  for (let i = 0; i < names.length; i++) {
    const name = names[i].toLowerCase()
    if (name === wanted) return i
    if (starts < 0 && name.startsWith(wanted)) starts = i
    else if (contains < 0 && name.includes(wanted)) contains = i
  }
  return starts >= 0 ? starts : contains
}

/** Up to `limit` names that contain the text, those starting with it first (for suggestions). */
export function suggestNames(names, text, limit = 12) {
  const wanted = String(text ?? '').trim().toLowerCase()
  if (!wanted) return []
  const starts = []
  const contains = []
  for (const name of names) {
    const lower = name.toLowerCase()
    if (lower.startsWith(wanted)) {
      if (starts.length < limit) starts.push(name)
    } else if (contains.length < limit && lower.includes(wanted)) contains.push(name)
    if (starts.length >= limit) break
  }
  return [...starts, ...contains].slice(0, limit)
}
