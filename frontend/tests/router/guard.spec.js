import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import { createAppRouter, safeNext, sendToLogin } from '@/router/index.js'
import { useAuthStore } from '@/stores/auth.js'
import { admin, error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'

beforeEach(() => setActivePinia(createPinia()))

async function open(path) {
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  return router
}

describe('router guard', () => {
  it('sends an anonymous visitor to the sign-in page, keeping the wanted path', async () => {
    fakeServer({ 'GET /api/auth/me': error(401, 'Please sign in.') })
    const router = await open('/devices?filter=cspad')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.next).toBe('/devices?filter=cspad')
  })

  it('lets an anonymous visitor see the sign-in page itself', async () => {
    fakeServer({ 'GET /api/auth/me': error(401, 'Please sign in.') })
    const router = await open('/login')
    expect(router.currentRoute.value.name).toBe('login')
  })

  it('shows "not allowed" to a non-admin on an admin page, at the same address', async () => {
    fakeServer({ 'GET /api/auth/me': meAnswer(viewer()) })
    const router = await open('/admin/users')
    expect(router.currentRoute.value.name).toBe('forbidden')
    expect(router.currentRoute.value.path).toBe('/admin/users')
  })

  it('shows "not allowed" on the audit log without the audit.read permission', async () => {
    fakeServer({ 'GET /api/auth/me': meAnswer(viewer(), ['read']) })
    const router = await open('/audit')
    expect(router.currentRoute.value.name).toBe('forbidden')
  })

  it('opens the audit log for an expert with audit.read', async () => {
    fakeServer({ 'GET /api/auth/me': meAnswer(user(), ['read', 'audit.read']) })
    const router = await open('/audit')
    expect(router.currentRoute.value.name).toBe('audit')
  })

  it('opens admin pages for an admin', async () => {
    fakeServer({ 'GET /api/auth/me': meAnswer(admin()) })
    const router = await open('/admin/groups')
    expect(router.currentRoute.value.name).toBe('groups')
  })

  it('sends a signed-in person away from the sign-in page to where they wanted to go', async () => {
    fakeServer({ 'GET /api/auth/me': meAnswer(user()) })
    const router = await open('/login?next=/tokens')
    expect(router.currentRoute.value.path).toBe('/tokens')
  })

  it('shows "page not found" for unknown paths', async () => {
    fakeServer({ 'GET /api/auth/me': meAnswer(user()) })
    const router = await open('/no/such/page')
    expect(router.currentRoute.value.name).toBe('not-found')
  })

  it('goes back to the sign-in page when the session ends, remembering the page', async () => {
    fakeServer({ 'GET /api/auth/me': meAnswer(user()) })
    const router = await open('/devices')
    useAuthStore().clear()
    await sendToLogin(router)
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.next).toBe('/devices')
  })

  it('only follows "next" to paths on this site', () => {
    expect(safeNext('/tokens')).toBe('/tokens')
    expect(safeNext('https://evil.example/')).toBe('/')
    expect(safeNext('//evil.example/')).toBe('/')
    expect(safeNext(undefined)).toBe('/')
    expect(safeNext('/login?next=/x')).toBe('/')
  })
})
