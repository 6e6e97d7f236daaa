import { afterEach, describe, expect, it } from 'vitest'
import { fakeServer, meAnswer, user } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'

let wrapper
afterEach(() => wrapper?.unmount())

const entry = (id, overrides = {}) => ({
  id,
  time: '2026-11-21T17:40:00.123456789+00:00',
  actor: 'user:root',
  action: 'user.create',
  object_type: 'user',
  object_id: `u${id}`,
  summary: `Created user u${id}`,
  before: null,
  after: { username: `u${id}`, display_name: '<b>not bold</b>' },
  ip: '127.0.0.1',
  ...overrides,
})

describe('audit log page', () => {
  it('filters, pages to older entries and shows changes as plain text', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(user(), ['read', 'audit.read']),
      'GET /api/audit': (r) => {
        const url = new URL(r.url, 'http://x')
        if (url.searchParams.get('before_id') === '2') {
          return { body: { ok: true, entries: [entry(1)], next_before_id: null } }
        }
        return { body: { ok: true, entries: [entry(3), entry(2)], next_before_id: 2 } }
      },
    })
    ;({ wrapper } = await mountApp('/audit'))
    expect(wrapper.find('h1').text()).toBe('Audit log')
    expect(wrapper.findAll('tbody tr')).toHaveLength(2)

    await wrapper.find('#audit-actor').setValue('user:root')
    await wrapper.find('#audit-since').setValue('2026-11-01T00:00:00Z')
    await wrapper.findAll('button').find((b) => b.text() === 'Filter').trigger('click')
    await settle()
    const filtered = new URL(seen.at(-1).url, 'http://x').searchParams
    expect(filtered.get('actor')).toBe('user:root')
    expect(filtered.get('since')).toBe('2026-11-01T00:00:00Z')
    expect(filtered.get('limit')).toBe('50')
    expect(filtered.has('action')).toBe(false)

    await wrapper.findAll('button').find((b) => b.text() === 'Older').trigger('click')
    await settle()
    expect(new URL(seen.at(-1).url, 'http://x').searchParams.get('before_id')).toBe('2')
    expect(wrapper.findAll('tbody tr')).toHaveLength(3)
    expect(wrapper.findAll('button').some((b) => b.text() === 'Older')).toBe(false)

    const toggle = wrapper.find('button[aria-expanded]')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    await toggle.trigger('click')
    expect(toggle.attributes('aria-expanded')).toBe('true')
    const pres = wrapper.findAll('pre')
    expect(pres[0].text()).toBe('(nothing)')
    expect(pres[1].text()).toContain('"display_name": "<b>not bold</b>"')
    expect(pres[1].find('b').exists()).toBe(false)
  })
})
