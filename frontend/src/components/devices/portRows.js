// The ports of a device with the connection on each (a port takes at most one).

/** "sipm-ecal07:ch00" -> { device: "sipm-ecal07", port: "ch00" } (names hold no ":"). */
export function splitEndpoint(label) {
  const at = String(label).lastIndexOf(':')
  return at < 0 ? { device: String(label), port: '' } : { device: label.slice(0, at), port: label.slice(at + 1) }
}

/**
 * [{ port, kind, connection, direction ('out' | 'in' | ''), other: {device, port} | null }] for the
 * device's ports, in their order; a connection whose port is not among them (which should not happen)
 * gets a row of its own at the end.
 */
export function portRows(name, ports, connections) {
  const byPort = new Map()
  for (const c of connections) {
    const from = splitEndpoint(c.from)
    const to = splitEndpoint(c.to)
    if (from.device === name) byPort.set(from.port, { connection: c, direction: 'out', other: to })
    if (to.device === name) byPort.set(to.port, { connection: c, direction: 'in', other: from })
  }
  const rows = ports.map((p) => ({ port: p.name, kind: p.kind, connection: null, direction: '', other: null, ...byPort.get(p.name) }))
  const known = new Set(ports.map((p) => p.name))
  for (const [port, found] of byPort) if (!known.has(port)) rows.push({ port, kind: '', ...found })
  return rows
}
