// An owner is what a configuration belongs to: "type:<dettype>" (the type's default) or
// "device:<name>". These turn one into the parts the pages show and link to.

/** {kind: 'types'|'devices', name, label} of "type:sipm" or "device:sipm-ecal07" (a bare name is a device). */
export function parseOwner(owner) {
  const text = String(owner ?? '')
  const colon = text.indexOf(':')
  const prefix = colon < 0 ? 'device' : text.slice(0, colon)
  const name = colon < 0 ? text : text.slice(colon + 1)
  const kind = prefix === 'type' ? 'types' : 'devices'
  return { kind, name, label: kind === 'types' ? `${name} (type default)` : name }
}

/** The address of an owner's configuration page; query e.g. {version: 3} or {a: 1, b: 2}, hash e.g. '#diff'. */
export function configLink(owner, query = undefined, hash = '') {
  const { kind, name } = parseOwner(owner)
  const link = { path: `/configurations/${kind}/${encodeURIComponent(name)}` }
  if (query) link.query = query
  if (hash) link.hash = hash
  return link
}

/** "device:" + name, for the name of a device, or owner texts as people type them. */
export function ownerKey(kind, name) {
  return `${kind === 'types' ? 'type' : 'device'}:${name}`
}
