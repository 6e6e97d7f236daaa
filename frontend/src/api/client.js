// The one fetch wrapper of the portal. Every call to the backend goes through request(),
// which sends and accepts JSON, adds the CSRF token on writes and turns every non-2xx
// answer into an ApiError carrying the server's sentence.

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export class ApiError extends Error {
  constructor(status, message, errors = [], body = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.errors = Array.isArray(errors) ? errors : []
    this.body = body
  }

  /** The sentence for one field (from the server's "errors" list), or ''. */
  fieldError(field) {
    const found = this.errors.find((e) => e && e.field === field)
    return found ? found.error : ''
  }
}

const hooks = {
  csrfToken: () => '',
  onUnauthorized: () => {},
}

/**
 * Wire the client to the rest of the app (main.js does this once):
 * csrfToken() returns the current token, onUnauthorized() runs on a 401.
 */
export function configureClient({ csrfToken, onUnauthorized } = {}) {
  if (csrfToken) hooks.csrfToken = csrfToken
  if (onUnauthorized) hooks.onUnauthorized = onUnauthorized
}

export function resetClient() {
  hooks.csrfToken = () => ''
  hooks.onUnauthorized = () => {}
}

function buildUrl(path, query) {
  let url = '/api' + path
  if (query) {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') continue
      params.append(key, String(value))
    }
    const text = params.toString()
    if (text) url += '?' + text
  }
  return url
}

function genericMessage(status) {
  if (status === 401) return 'You are not signed in (HTTP 401).'
  if (status === 403) return 'You are not allowed to do this (HTTP 403).'
  if (status === 404) return 'The server does not know this resource (HTTP 404).'
  if (status >= 500) return `The server failed to answer this request (HTTP ${status}).`
  return `The server refused this request (HTTP ${status}).`
}

async function readJson(response) {
  const text = await response.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return undefined // not JSON
  }
}

/**
 * request('GET', '/users') -> parsed JSON body of a 2xx answer.
 * options: body (sent as JSON), query (object; empty values are left out),
 * authRedirect (default true: a 401 calls the onUnauthorized hook).
 */
export async function request(method, path, { body, query, authRedirect = true } = {}) {
  method = method.toUpperCase()
  const headers = { Accept: 'application/json' }
  const init = { method, headers, credentials: 'same-origin' }
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    init.body = body // multipart: the browser sets the Content-Type with its boundary
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (WRITE_METHODS.has(method)) {
    const token = hooks.csrfToken()
    if (token) headers['X-CSRF-Token'] = token
  }

  let response
  try {
    response = await fetch(buildUrl(path, query), init)
  } catch {
    throw new ApiError(0, 'The server could not be reached. Check the connection and try again.')
  }

  const data = await readJson(response)
  if (!response.ok) {
    const usable = data && typeof data === 'object' && typeof data.error === 'string' && data.error
    const error = usable
      ? new ApiError(response.status, data.error, data.errors, data)
      : new ApiError(response.status, genericMessage(response.status), [], data ?? null)
    if (response.status === 401 && authRedirect) hooks.onUnauthorized(error)
    throw error
  }
  if (data === undefined) {
    throw new ApiError(response.status, 'The server sent an answer that is not JSON.')
  }
  return data
}

export const get = (path, options) => request('GET', path, options)
export const post = (path, body, options) => request('POST', path, { ...options, body })
export const put = (path, body, options) => request('PUT', path, { ...options, body })
export const patch = (path, body, options) => request('PATCH', path, { ...options, body })
export const del = (path, options) => request('DELETE', path, options)
