import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useAuthStore } from '@/stores/auth.js'
import { configureClient, resetClient } from '@/api/client.js'
import { admin, error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => resetClient())

describe('auth store', () => {
  it('knows nobody is signed in when /me answers 401', async () => {
    fakeServer({ 'GET /api/auth/me': error(401, 'Please sign in.') })
    const auth = useAuthStore()
    await auth.load()
    expect(auth.isLoggedIn).toBe(false)
    expect(auth.loadError).toBe('')
    expect(auth.hasPermission('read')).toBe(false)
  })

  it('loads the user, token and permissions from /me', async () => {
    fakeServer({ 'GET /api/auth/me': meAnswer(user(), ['read', 'audit.read']) })
    const auth = useAuthStore()
    await auth.load()
    expect(auth.isLoggedIn).toBe(true)
    expect(auth.displayName).toBe('Alice Doe')
    expect(auth.csrfToken).toBe('csrf-123')
    expect(auth.role).toBe('expert')
    expect(auth.isAdmin).toBe(false)
    expect(auth.hasPermission('audit.read')).toBe(true)
    expect(auth.hasPermission('users.write')).toBe(false)
  })

  it('keeps the server sentence when /me fails for another reason', async () => {
    fakeServer({ 'GET /api/auth/me': { status: 503, body: 'unavailable' } })
    const auth = useAuthStore()
    await auth.load()
    expect(auth.isLoggedIn).toBe(false)
    expect(auth.loadError).toContain('503')
  })

  it('asks /me only once for several waiting callers', async () => {
    const seen = fakeServer({ 'GET /api/auth/me': meAnswer(viewer()) })
    const auth = useAuthStore()
    await Promise.all([auth.ensureLoaded(), auth.ensureLoaded()])
    await auth.ensureLoaded()
    expect(seen.filter((r) => r.path === '/api/auth/me')).toHaveLength(1)
  })

  it('signs in, then fetches the permissions', async () => {
    const seen = fakeServer({
      'POST /api/auth/login': { body: { ok: true, user: user(), csrf_token: 'fresh' } },
      'GET /api/auth/me': { body: { ok: true, user: user(), csrf_token: 'fresh', permissions: ['read', 'audit.read'] } },
    })
    const auth = useAuthStore()
    await auth.login('alice', 'correct horse battery')
    expect(seen[0].body).toEqual({ username: 'alice', password: 'correct horse battery' })
    expect(auth.user.username).toBe('alice')
    expect(auth.csrfToken).toBe('fresh')
    expect(auth.hasPermission('audit.read')).toBe(true)
  })

  it('passes the server sentence on when signing in fails', async () => {
    fakeServer({ 'POST /api/auth/login': error(429, 'Too many failed attempts; try again in 5 minutes.') })
    const auth = useAuthStore()
    await expect(auth.login('alice', 'nope')).rejects.toThrow('Too many failed attempts; try again in 5 minutes.')
    expect(auth.isLoggedIn).toBe(false)
  })

  it('forgets everything on logout, sending the CSRF token', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'POST /api/auth/logout': { body: { ok: true } },
    })
    const auth = useAuthStore()
    configureClient({ csrfToken: () => auth.csrfToken })
    await auth.load()
    await auth.logout()
    expect(auth.isLoggedIn).toBe(false)
    expect(auth.csrfToken).toBe('')
    expect(auth.permissions).toEqual([])
    expect(seen.at(-1).path).toBe('/api/auth/logout')
    expect(seen.at(-1).headers['X-CSRF-Token']).toBe('csrf-123')
  })

  it('treats an admin as allowed everything', async () => {
    fakeServer({ 'GET /api/auth/me': meAnswer(admin(), []) })
    const auth = useAuthStore()
    await auth.load()
    expect(auth.isAdmin).toBe(true)
    expect(auth.role).toBe('admin')
    expect(auth.hasPermission('audit.read')).toBe(true)
  })
})
