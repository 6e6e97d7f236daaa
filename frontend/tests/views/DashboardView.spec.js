import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user } from '../fakeServer.js'
import { mountApp } from '../mountApp.js'

let wrapper
afterEach(() => wrapper?.unmount())

describe('dashboard', () => {
  it('welcomes the person and shows server health, counts and memberships', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'GET /api/health': { body: { ok: true, version: '0.1.0', database: 'ok', time: '2026-11-21T17:40:00+00:00' } },
      'GET /api/devices': { body: { ok: true, devices: [{ name: 'cspad-0001' }, { name: 'sipm-1' }] } },
      'GET /api/groups': { body: { ok: true, groups: [{ name: 'ecal', members: [] }] } },
    })
    ;({ wrapper } = await mountApp('/'))
    expect(wrapper.find('h1').text()).toBe('Dashboard')
    expect(wrapper.text()).toContain('Welcome, Alice Doe.')
    const card = (title) => wrapper.findAll('section.card').find((s) => s.find('h2').text() === title)
    expect(card('Server').text()).toContain('Running normally')
    expect(card('Server').text()).toContain('0.1.0')
    expect(card('Devices').text()).toContain('2 devices')
    expect(card('Groups').text()).toContain('1 group')
    expect(card('Your memberships').text()).toContain('ecal — expert')
  })

  it('says what went wrong when a part cannot be loaded', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(user({ memberships: [], role: null })),
      'GET /api/health': { status: 503, body: 'down' },
      'GET /api/devices': error(403, 'Viewers and up may read devices.'),
      'GET /api/groups': error(403, 'Viewers and up may read groups.'),
    })
    ;({ wrapper } = await mountApp('/'))
    const alerts = wrapper.findAll('[role="alert"]').map((a) => a.text())
    expect(alerts).toContain('Viewers and up may read devices.')
    expect(alerts.some((a) => a.includes('503'))).toBe(true)
    expect(wrapper.text()).toContain('You are not a member of any group yet.')
  })
})
