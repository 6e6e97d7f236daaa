import { afterEach, describe, expect, it } from 'vitest'
import { admin, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, until } from '../mountApp.js'

let wrapper
afterEach(() => wrapper?.unmount())

function navLinks(w) {
  const nav = w.find('nav[aria-label="Main"]')
  expect(nav.exists()).toBe(true)
  return nav.findAll('a').map((a) => a.text())
}

const quiet = { 'GET /api/health': { body: { ok: true } } }

describe('navigation', () => {
  it('hides the admin links from a viewer, but offers their own tokens', async () => {
    fakeServer({ ...quiet, 'GET /api/auth/me': meAnswer(viewer(), ['read']) })
    ;({ wrapper } = await mountApp('/devices'))
    const links = navLinks(wrapper)
    expect(links).toEqual(
      expect.arrayContaining(['Dashboard', 'Devices', 'Configurations', 'Calibrations', 'Monitoring', 'Alerts', 'Commands', 'Tokens']),
    )
    expect(links).not.toContain('Users')
    expect(links).not.toContain('Groups')
    expect(links).not.toContain('Audit')
  })

  it('shows the audit log to an expert with audit.read, but not the admin pages', async () => {
    fakeServer({ ...quiet, 'GET /api/auth/me': meAnswer(user(), ['read', 'audit.read']) })
    ;({ wrapper } = await mountApp('/devices'))
    const links = navLinks(wrapper)
    expect(links).toContain('Audit')
    expect(links).not.toContain('Users')
  })

  it('shows every admin link to an admin', async () => {
    fakeServer({ ...quiet, 'GET /api/auth/me': meAnswer(admin()) })
    ;({ wrapper } = await mountApp('/devices'))
    expect(navLinks(wrapper)).toEqual(expect.arrayContaining(['Users', 'Groups', 'Tokens', 'Audit']))
  })

  it('shows the name and role in the top bar, and marks the current page', async () => {
    fakeServer({ ...quiet, 'GET /api/auth/me': meAnswer(viewer()) })
    ;({ wrapper } = await mountApp('/devices'))
    const bar = wrapper.find('header')
    expect(bar.text()).toContain('DCS portal')
    expect(bar.text()).toContain('Vic Viewer')
    expect(bar.text()).toContain('viewer')
    expect(bar.find('button').text()).toBe('Log out')
    expect(wrapper.find('nav a[aria-current="page"]').text()).toBe('Devices')
  })

  it('tells a viewer which role an admin page needs', async () => {
    fakeServer({ ...quiet, 'GET /api/auth/me': meAnswer(viewer()) })
    ;({ wrapper } = await mountApp('/admin/users'))
    expect(wrapper.find('h1').text()).toBe('Not allowed')
    expect(wrapper.text()).toContain('admin role')
  })

  it('shows "Page not found" for an unknown path', async () => {
    fakeServer({ ...quiet, 'GET /api/auth/me': meAnswer(viewer()) })
    ;({ wrapper } = await mountApp('/nowhere'))
    expect(wrapper.find('h1').text()).toBe('Page not found')
  })

  it('logs out and shows the sign-in page', async () => {
    const seen = fakeServer({
      ...quiet,
      'GET /api/auth/me': meAnswer(viewer()),
      'POST /api/auth/logout': { body: { ok: true } },
    })
    ;({ wrapper } = await mountApp('/devices'))
    await wrapper.find('header button').trigger('click')
    await until(() => wrapper.find('h1').text() === 'Sign in')
    expect(seen.some((r) => r.method === 'POST' && r.path === '/api/auth/logout')).toBe(true)
    expect(wrapper.find('h1').text()).toBe('Sign in')
    expect(wrapper.find('nav[aria-label="Main"]').exists()).toBe(false)
  })
})
