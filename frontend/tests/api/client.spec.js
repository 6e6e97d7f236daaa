import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, configureClient, get, post, request, resetClient, del, patch, put } from '@/api/client.js'
import { error, fakeServer } from '../fakeServer.js'

afterEach(() => resetClient())

describe('api client', () => {
  it('returns the JSON body of a successful answer', async () => {
    fakeServer({ 'GET /api/health': { body: { ok: true, version: '0.1.0' } } })
    await expect(get('/health')).resolves.toEqual({ ok: true, version: '0.1.0' })
  })

  it('turns the error shape into an ApiError with status, sentence and field errors', async () => {
    fakeServer({
      'POST /api/users': error(400, 'The user was not created.', {
        errors: [{ field: 'username', error: 'This user name is taken.' }],
      }),
    })
    const err = await post('/users', { username: 'bob' }).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(400)
    expect(err.message).toBe('The user was not created.')
    expect(err.errors).toEqual([{ field: 'username', error: 'This user name is taken.' }])
    expect(err.fieldError('username')).toBe('This user name is taken.')
  })

  it('gives an empty error list when the server sends none', async () => {
    fakeServer({ 'GET /api/users': error(403, 'Only admins may list users.') })
    const err = await get('/users').catch((e) => e)
    expect(err.errors).toEqual([])
    expect(err.message).toBe('Only admins may list users.')
  })

  it('makes a readable ApiError from an answer that is not JSON', async () => {
    fakeServer({ 'GET /api/devices': { status: 502, body: '<html><body>Bad Gateway</body></html>' } })
    const err = await get('/devices').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(502)
    expect(err.message).toContain('502')
    expect(err.message).not.toContain('<html>')
    expect(err.errors).toEqual([])
  })

  it('makes an ApiError when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const err = await get('/health').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.message).toMatch(/could not be reached/)
  })

  it('sends the CSRF token on writes and not on reads', async () => {
    const seen = fakeServer({
      'GET /api/tokens': { body: { ok: true, tokens: [] } },
      'POST /api/tokens': { status: 201, body: { ok: true } },
      'PUT /api/users/bob/memberships': { body: { ok: true } },
      'PATCH /api/users/bob': { body: { ok: true } },
      'DELETE /api/tokens/3': { body: { ok: true } },
    })
    configureClient({ csrfToken: () => 'tok-1' })
    await get('/tokens')
    await post('/tokens', { name: 'x' })
    await put('/users/bob/memberships', { memberships: [] })
    await patch('/users/bob', { disabled: true })
    await del('/tokens/3')

    const [read, ...writes] = seen
    expect(read.headers['X-CSRF-Token']).toBeUndefined()
    for (const write of writes) expect(write.headers['X-CSRF-Token']).toBe('tok-1')
  })

  it('sends and accepts JSON with the same-origin credentials', async () => {
    const seen = fakeServer({ 'POST /api/groups': { status: 201, body: { ok: true } } })
    await post('/groups', { name: 'ecal' })
    expect(seen[0].credentials).toBe('same-origin')
    expect(seen[0].headers.Accept).toBe('application/json')
    expect(seen[0].headers['Content-Type']).toBe('application/json')
    expect(seen[0].body).toEqual({ name: 'ecal' })
  })

  it('leaves empty query values out of the address', async () => {
    const seen = fakeServer({ 'GET /api/audit': { body: { ok: true, entries: [] } } })
    await request('GET', '/audit', { query: { actor: 'user:alice', action: '', limit: 50, before_id: null } })
    expect(seen[0].url).toBe('/api/audit?actor=user%3Aalice&limit=50')
  })

  it('reports a 401 to the app, except when asked not to', async () => {
    fakeServer({
      'GET /api/users': error(401, 'Please sign in.'),
      'GET /api/auth/me': error(401, 'Please sign in.'),
    })
    const onUnauthorized = vi.fn()
    configureClient({ onUnauthorized })

    await get('/users').catch(() => {})
    expect(onUnauthorized).toHaveBeenCalledTimes(1)

    await get('/auth/me', { authRedirect: false }).catch(() => {})
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })
})
