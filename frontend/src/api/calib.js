import { ApiError, get } from './client.js'
import { parseNpy } from './npy.js'

const enc = encodeURIComponent

/** [{detname, workspace, ctypes}] : one entry per detector and work-space. */
export const listDetectors = async () => (await get('/calib')).detectors ?? []

/** { detname, workspaces: { <ws>: { <ctype>: [Range + {versions}] } } } */
export async function getDetector(detname) {
  const data = await get(`/calib/${enc(detname)}`)
  return { detname: data.detname, workspaces: data.workspaces ?? {} }
}

/** { detname, workspace, ctype, range, version, url, h5_url, predecessor, provenance } */
export async function getVersion(id) {
  const { ok: _ok, ...rest } = await get(`/calib/versions/${enc(id)}`)
  return rest
}

/** { nodes, edges, root, truncated } of the graph that made a version. */
export async function getProvenance(id) {
  const data = await get(`/calib/versions/${enc(id)}/provenance`)
  return {
    nodes: data.nodes ?? [],
    edges: data.edges ?? [],
    root: data.root ?? `version:${id}`,
    truncated: Boolean(data.truncated),
  }
}

/** The comparison of two versions (b omitted: a's predecessor); see the API contract. */
export async function compare({ a, b, threshold, bins, aSet, bSet, detname, ctype, t } = {}) {
  const query = { a, b, threshold, bins, a_set: aSet, b_set: bSet, detname, ctype, t }
  const { ok: _ok, ...rest } = await get('/calib/compare', { query })
  return rest
}

/** The address of the float32 .npy of b - a. */
export function diffUrl(a, b) {
  return `/api/calib/compare/diff.npy?${new URLSearchParams({ a: String(a), b: String(b) })}`
}

async function fetchRaw(url, accept) {
  let response
  try {
    response = await fetch(url, { headers: { Accept: accept }, credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'The server could not be reached. Check the connection and try again.')
  }
  if (!response.ok) {
    let body = null
    try {
      body = await response.json()
    } catch {
      // not JSON: the generic sentence below
    }
    const message =
      body && typeof body.error === 'string' && body.error
        ? body.error
        : `The server could not send the array (HTTP ${response.status}).`
    throw new ApiError(response.status, message, body?.errors, body)
  }
  return response
}

/** Download a .npy (an address from the API, starting with /api/) -> { dtype, shape, data }. */
export async function fetchArray(url) {
  const response = await fetchRaw(url, 'application/octet-stream, application/json')
  return parseNpy(await response.arrayBuffer())
}

/** Download a text constant (geometry) from its address. */
export async function fetchText(url) {
  const response = await fetchRaw(url, 'text/plain, application/json')
  return response.text()
}
