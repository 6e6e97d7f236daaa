import { vi } from 'vitest'

/**
 * Stub global fetch with answers by "METHOD /path" (the query string is ignored for matching).
 * An answer is {status, body} (body: object sent as JSON, or a string sent as is) or a function
 * (request) => answer. Returns the list of requests seen: {method, url, path, headers, body}.
 */
export function fakeServer(routes) {
  const requests = []
  const fetch = vi.fn(async (url, init = {}) => {
    const method = (init.method || 'GET').toUpperCase()
    const path = url.split('?')[0]
    const request = {
      method,
      url,
      path,
      headers: init.headers || {},
      credentials: init.credentials,
      body: init.body instanceof FormData ? init.body : init.body ? JSON.parse(init.body) : undefined,
    }
    requests.push(request)
    let answer = routes[`${method} ${path}`]
    if (typeof answer === 'function') answer = answer(request)
    if (!answer) answer = { status: 404, body: { ok: false, error: `No fake for ${method} ${path}.`, status: 404 } }
    const { status = 200, body = { ok: true } } = answer
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    return new Response(text, {
      status,
      headers: { 'Content-Type': typeof body === 'string' ? 'text/html' : 'application/json' },
    })
  })
  vi.stubGlobal('fetch', fetch)
  return requests
}

export const error = (status, message, extra = {}) => ({
  status,
  body: { ok: false, error: message, status, ...extra },
})

export function user(overrides = {}) {
  return {
    id: 1,
    username: 'alice',
    display_name: 'Alice Doe',
    email: 'alice@example.org',
    is_admin: false,
    disabled: false,
    created: '2026-11-01T08:00:00.000000000+00:00',
    last_login: null,
    role: 'expert',
    memberships: [{ group: 'ecal', role: 'expert' }],
    ...overrides,
  }
}

export const admin = (overrides = {}) =>
  user({ id: 9, username: 'root', display_name: 'Root Admin', is_admin: true, role: 'admin', memberships: [], ...overrides })

export const viewer = (overrides = {}) =>
  user({ id: 5, username: 'vic', display_name: 'Vic Viewer', role: 'viewer', memberships: [{ group: 'ecal', role: 'viewer' }], ...overrides })

/** The /api/auth/me answer for this user. */
export const meAnswer = (u, permissions = ['read']) => ({
  body: { ok: true, user: u, csrf_token: 'csrf-123', permissions },
})
