import { afterEach, describe, expect, it } from 'vitest'
import { admin, error, fakeServer, meAnswer, user } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const token = (overrides = {}) => ({
  id: 3,
  name: 'ecal-ctl',
  user: 'alice',
  prefix: 'ab12cd34',
  scopes: ['heartbeat'],
  created: '2026-11-20T10:00:00.000000000+00:00',
  expires: null,
  last_used: null,
  revoked: null,
  ...overrides,
})

const rolesAnswer = {
  body: {
    ok: true,
    roles: [],
    scopes: [
      { name: 'read', description: 'Read data.' },
      { name: 'write', description: 'Change data.' },
      { name: 'heartbeat', description: 'Send heartbeats.' },
      { name: 'admin', description: 'Administer.' },
    ],
  },
}

// The input a person finds by its label text.

describe('API tokens page', () => {
  it('lists the own tokens', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'GET /api/roles': rolesAnswer,
      'GET /api/tokens': { body: { ok: true, tokens: [token()] } },
    })
    ;({ wrapper } = await mountApp('/tokens'))
    expect(wrapper.find('h1').text()).toBe('API tokens')
    const row = wrapper.find('tbody tr')
    expect(row.text()).toContain('ecal-ctl')
    expect(row.text()).toContain('ab12cd34…')
    expect(row.text()).toContain('heartbeat')
    expect(row.text()).toContain('Active')
    // The full ISO time is in the tooltip.
    expect(row.find('time').attributes('title')).toBe('2026-11-20T10:00:00.000000000+00:00')
    // Not an admin: no "all users" switch.
    expect(wrapper.find('#tokens-all').exists()).toBe(false)
  })

  it('shows the new secret once, then forgets it', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'GET /api/roles': rolesAnswer,
      'GET /api/tokens': { body: { ok: true, tokens: [] } },
      'POST /api/tokens': { status: 201, body: { ok: true, token: token(), secret: 'dcs_s3cr3t' } },
    })
    ;({ wrapper } = await mountApp('/tokens'))
    await field(wrapper, 'Token name').setValue('ecal-ctl')
    await wrapper.find('#token-scope-heartbeat').setValue(true)
    await button(wrapper, 'Create token').trigger('click')
    await settle()

    const post = seen.find((r) => r.method === 'POST')
    expect(post.body).toEqual({ name: 'ecal-ctl', scopes: ['heartbeat'] })
    expect(post.headers['X-CSRF-Token']).toBe('csrf-123')

    expect(wrapper.find('code.secret').text()).toBe('dcs_s3cr3t')
    expect(wrapper.text()).toContain('you will not see it again')
    expect(wrapper.find('tbody').text()).toContain('ecal-ctl')

    await wrapper.findAll('button').find((b) => b.text().startsWith('Done')).trigger('click')
    expect(wrapper.text()).not.toContain('dcs_s3cr3t')
  })

  it('shows why a token could not be created', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'GET /api/roles': rolesAnswer,
      'GET /api/tokens': { body: { ok: true, tokens: [] } },
      'POST /api/tokens': error(400, 'The token was not created.', {
        errors: [{ field: 'name', error: 'You already have a token with this name.' }],
      }),
    })
    ;({ wrapper } = await mountApp('/tokens'))
    await field(wrapper, 'Token name').setValue('ecal-ctl')
    await wrapper.find('#token-scope-read').setValue(true)
    await button(wrapper, 'Create token').trigger('click')
    await settle()
    expect(wrapper.find('[role="alert"]').text()).toBe('The token was not created.')
    expect(wrapper.text()).toContain('You already have a token with this name.')
    expect(wrapper.find('code.secret').exists()).toBe(false)
  })

  it('revokes a token only after confirmation', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'GET /api/roles': rolesAnswer,
      'GET /api/tokens': { body: { ok: true, tokens: [token()] } },
      'DELETE /api/tokens/3': { body: { ok: true, token: token({ revoked: '2026-11-21T17:40:00.123456789+00:00' }) } },
    })
    ;({ wrapper } = await mountApp('/tokens'))
    await wrapper.find('tbody button').trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Revoke token ecal-ctl?')
    expect(seen.some((r) => r.method === 'DELETE')).toBe(false)

    await button(dialog, 'Revoke').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'DELETE')).toHaveLength(1)
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(wrapper.find('tbody tr').text()).toContain('Revoked')
    expect(wrapper.find('tbody button').exists()).toBe(false)
    expect(wrapper.find('[role="status"]').text()).toBe('Token ecal-ctl revoked.')
  })

  it('closes the confirmation with Escape without revoking', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'GET /api/roles': rolesAnswer,
      'GET /api/tokens': { body: { ok: true, tokens: [token()] } },
    })
    ;({ wrapper } = await mountApp('/tokens'))
    await wrapper.find('tbody button').trigger('click')
    expect(wrapper.find('[role="dialog"]').exists()).toBe(true)
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await settle()
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(seen.some((r) => r.method === 'DELETE')).toBe(false)
  })

  it('lets an admin see everyone’s tokens and create one for another user', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(admin()),
      'GET /api/roles': rolesAnswer,
      'GET /api/tokens': (r) => ({
        body: { ok: true, tokens: r.url.includes('all=1') ? [token(), token({ id: 4, name: 'bob-script', user: 'bob' })] : [] },
      }),
      'POST /api/tokens': { status: 201, body: { ok: true, token: token({ id: 5, user: 'bob', name: 'b2' }), secret: 'dcs_b2' } },
    })
    ;({ wrapper } = await mountApp('/tokens'))
    expect(wrapper.text()).toContain('You have no tokens yet.')
    await wrapper.find('#tokens-all').setValue(true)
    await settle()
    expect(seen.at(-1).url).toBe('/api/tokens?all=1')
    expect(wrapper.find('tbody').text()).toContain('bob-script')

    await field(wrapper, 'Token name').setValue('b2')
    await field(wrapper, 'For user').setValue('bob')
    await field(wrapper, 'Expires in days').setValue('30')
    await wrapper.find('#token-scope-read').setValue(true)
    await button(wrapper, 'Create token').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      name: 'b2',
      scopes: ['read'],
      expires_in_days: 30,
      user: 'bob',
    })
    expect(wrapper.find('code.secret').text()).toBe('dcs_b2')
  })
})
