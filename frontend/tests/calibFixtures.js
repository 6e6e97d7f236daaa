import { vi } from 'vitest'
import { fakeServer } from './fakeServer.js'

/**
 * The bytes of a .npy file, written the way NumPy writes them: magic, version, header length,
 * the header dict padded with spaces to a multiple of 64 bytes and ending in a newline, the data.
 * values: a typed array (its bytes are used as they are) or a Uint8Array of raw bytes.
 */
export function npyBytes(descr, shape, values, { version = 1, fortran = false, header } = {}) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  let dict = header ?? `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`
  const prefix = version === 1 ? 10 : 12
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64
  dict = dict.padEnd(total - prefix - 1, ' ') + '\n'
  const data = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  const out = new Uint8Array(prefix + dict.length + data.length)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0])
  const view = new DataView(out.buffer)
  if (version === 1) view.setUint16(8, dict.length, true)
  else view.setUint32(8, dict.length, true)
  out.set(new TextEncoder().encode(dict), prefix)
  out.set(data, prefix + dict.length)
  return out
}

/**
 * fakeServer for JSON answers plus binary answers by path: arrays = { '/api/...npy': Uint8Array |
 * {status, body} | string (sent as text/plain) }. Returns the JSON requests seen and the
 * addresses of the binary ones.
 */
export function serveCalib(routes, arrays = {}) {
  const seen = fakeServer(routes)
  const json = globalThis.fetch
  const fetched = []
  vi.stubGlobal('fetch', async (url, init) => {
    const path = url.split('?')[0]
    if (!(path in arrays)) return json(url, init)
    fetched.push(url)
    const answer = arrays[path]
    if (answer instanceof Uint8Array) {
      return new Response(answer, { status: 200, headers: { 'Content-Type': 'application/octet-stream' } })
    }
    if (typeof answer === 'string') return new Response(answer, { status: 200, headers: { 'Content-Type': 'text/plain' } })
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'Content-Type': 'application/json' } })
  })
  return { seen, fetched }
}

export const range = (name, begin_s, end_s, versions = []) => ({
  ctype: 'pedestals',
  name,
  begin: new Date(begin_s * 1000).toISOString(),
  end: end_s === null ? null : new Date(end_s * 1000).toISOString(),
  begin_s,
  end_s,
  versions,
})

export const version = (id, versind, overrides = {}) => ({
  id,
  versind,
  name: `17000000${id}`,
  tsprod: `2026-11-2${versind}T10:00:00Z`,
  created: `2026-11-2${versind}T10:00:05Z`,
  dtype: '<f4',
  shape: [2, 3, 4],
  nbytes: 96,
  sha256: `${String(id).repeat(8)}`.padEnd(64, 'a'),
  deprecated: null,
  author: 'alice',
  comment: `dark run ${id}`,
  url: `/api/calib/versions/${id}/${String(id).repeat(8).padEnd(64, 'a')}.npy`,
  ...overrides,
})

/** The answer of GET /api/calib/versions/<id> for a version. */
export function described(v, overrides = {}) {
  return {
    detname: 'epix100a-0002',
    workspace: 'repository',
    ctype: 'pedestals',
    range: range('1700000000-end', 1700000000, null),
    version: v,
    url: v.url,
    h5_url: v.url.replace(/\.npy$/, '.h5'),
    predecessor: null,
    provenance: null,
    ...overrides,
  }
}
