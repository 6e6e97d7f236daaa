import { afterEach, describe, expect, it } from 'vitest'
import { admin, error, fakeServer, meAnswer, user } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const groupsAnswer = {
  body: {
    ok: true,
    groups: [
      { name: 'ecal', description: 'Calorimeter', members: [] },
      { name: 'tracker', description: 'Tracker', members: [] },
    ],
  },
}
const rolesAnswer = {
  body: {
    ok: true,
    roles: ['admin', 'expert', 'operator', 'member', 'viewer'].map((name) => ({ name, description: '' })),
    scopes: [],
  },
}

function base(extra = {}) {
  return {
    'GET /api/auth/me': meAnswer(admin()),
    'GET /api/users': { body: { ok: true, users: [admin(), user()] } },
    'GET /api/groups': groupsAnswer,
    'GET /api/roles': rolesAnswer,
    ...extra,
  }
}

describe('users page', () => {
  it('lists users with their role and memberships', async () => {
    fakeServer(base())
    ;({ wrapper } = await mountApp('/admin/users'))
    expect(wrapper.find('h1').text()).toBe('Users')
    const rows = wrapper.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[1].text()).toContain('alice')
    expect(rows[1].text()).toContain('ecal (expert)')
    expect(rows[1].text()).toContain('Active')
  })

  it('creates a user with a membership', async () => {
    const bob = user({ id: 2, username: 'bob', display_name: 'Bob', role: 'operator', memberships: [{ group: 'tracker', role: 'operator' }] })
    const seen = fakeServer(base({ 'POST /api/users': { status: 201, body: { ok: true, user: bob } } }))
    ;({ wrapper } = await mountApp('/admin/users'))

    await field(wrapper, 'User name').setValue('bob')
    await field(wrapper, 'Display name').setValue('Bob')
    await field(wrapper, 'Initial password').setValue('a long enough password')
    await button(wrapper, 'Add membership').trigger('click')
    await field(wrapper, 'Group 1').setValue('tracker')
    await field(wrapper, 'Role in tracker').setValue('operator')
    await button(wrapper, 'Create user').trigger('click')
    await settle()

    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      username: 'bob',
      display_name: 'Bob',
      email: '',
      password: 'a long enough password',
      is_admin: false,
      memberships: [{ group: 'tracker', role: 'operator' }],
    })
    expect(wrapper.find('[role="status"]').text()).toBe('User bob created.')
    expect(wrapper.findAll('tbody tr')).toHaveLength(3)
  })

  it('shows the server’s sentence beside the field it is about', async () => {
    fakeServer(
      base({
        'POST /api/users': error(400, 'The user was not created.', {
          errors: [{ field: 'username', error: 'The user name alice is taken.' }],
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/admin/users'))
    await field(wrapper, 'User name').setValue('alice')
    await field(wrapper, 'Initial password').setValue('a long enough password')
    await button(wrapper, 'Create user').trigger('click')
    await settle()
    const input = field(wrapper, 'User name')
    expect(input.attributes('aria-invalid')).toBe('true')
    const described = wrapper.find(`#${input.attributes('aria-describedby')}`)
    expect(described.text()).toBe('The user name alice is taken.')
    expect(wrapper.find('[role="alert"]').text()).toBe('The user was not created.')
  })

  it('disables a user after confirmation', async () => {
    const seen = fakeServer(
      base({ 'PATCH /api/users/alice': (r) => ({ body: { ok: true, user: user({ disabled: r.body.disabled }) } }) }),
    )
    ;({ wrapper } = await mountApp('/admin/users'))
    await button(wrapper, 'Disable alice').trigger('click')
    expect(wrapper.find('[role="dialog"]').text()).toContain('Disable alice?')
    await button(wrapper.find('[role="dialog"]'), 'Disable').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'PATCH').body).toEqual({ disabled: true })
    expect(wrapper.findAll('tbody tr')[1].text()).toContain('Disabled')
    expect(button(wrapper, 'Enable alice')).toBeTruthy()
  })
})
