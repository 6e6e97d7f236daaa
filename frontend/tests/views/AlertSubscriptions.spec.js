import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field, region } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const mine = (overrides = {}) => ({
  id: 4,
  user: 'alice',
  channel: 'email',
  target: 'alice@example.org',
  min_severity: 'alarm',
  subsystem: null,
  remind_s: 900,
  on_recovery: true,
  created: '2026-11-21T20:00:00Z',
  ...overrides,
})

describe('alert notifications on the profile page', () => {
  it('lists, adds and deletes the own subscriptions', async () => {
    let list = [mine()]
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'GET /api/subscriptions': () => ({ body: { ok: true, subscriptions: list } }),
      'POST /api/subscriptions': (request) => {
        const made = mine({ id: 5, ...request.body, subsystem: request.body.subsystem || null })
        list = [...list, made]
        return { status: 201, body: { ok: true, subscription: made } }
      },
      'DELETE /api/subscriptions/4': () => {
        list = list.filter((s) => s.id !== 4)
        return { body: { ok: true } }
      },
    })
    ;({ wrapper } = await mountApp('/profile'))
    const card = region(wrapper, 'Alert notifications')
    expect(card.find('tbody tr').text()).toContain('alice@example.org')
    expect(card.find('tbody tr').text()).toContain('every 15 min')

    await field(card, 'Channel').setValue('webhook')
    await field(card, 'Webhook address').setValue('not a url')
    await button(card, 'Add').trigger('click')
    await settle()
    expect(card.text()).toContain('starting with https://')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)

    await field(card, 'Webhook address').setValue('https://chat.example.org/hooks/ecal')
    await field(card, 'From severity').setValue('warning')
    await field(card, 'Subsystem').setValue('ECal')
    await field(card, 'Reminders').setValue('300')
    await button(card, 'Add').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      channel: 'webhook',
      target: 'https://chat.example.org/hooks/ecal',
      min_severity: 'warning',
      subsystem: 'ECal',
      remind_s: 300,
      on_recovery: true,
    })
    expect(card.findAll('tbody tr')).toHaveLength(2)

    await button(card, 'Delete the subscription to alice@example.org').trigger('click')
    await settle()
    await button(wrapper.find('[role="dialog"]'), 'Delete').trigger('click')
    await settle()
    expect(seen.some((r) => r.method === 'DELETE' && r.path === '/api/subscriptions/4')).toBe(true)
    expect(card.findAll('tbody tr')).toHaveLength(1)
  })

  it('shows the server’s sentence when a subscription is refused', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'GET /api/subscriptions': { body: { ok: true, subscriptions: [] } },
      'POST /api/subscriptions': error(400, 'Webhooks must go to an https:// address.', { errors: [{ field: 'target', error: 'must start with https://' }] }),
    })
    ;({ wrapper } = await mountApp('/profile'))
    const card = region(wrapper, 'Alert notifications')
    expect(card.text()).toContain('You are not told about any alerts yet.')
    await field(card, 'Email address').setValue('me@example.org')
    await button(card, 'Add').trigger('click')
    await settle()
    expect(card.find('[role="alert"]').text()).toBe('Webhooks must go to an https:// address.')
    expect(card.text()).toContain('must start with https://')
  })
})
