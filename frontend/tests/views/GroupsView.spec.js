import { afterEach, describe, expect, it } from 'vitest'
import { admin, fakeServer, meAnswer } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const ecal = { name: 'ecal', description: 'Calorimeter', members: [{ username: 'alice', role: 'expert' }] }

describe('groups page', () => {
  it('lists groups with members, creates one and edits a description', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(admin()),
      'GET /api/groups': { body: { ok: true, groups: [ecal] } },
      'POST /api/groups': (r) => ({ status: 201, body: { ok: true, group: { ...r.body, members: [] } } }),
      'PATCH /api/groups/ecal': (r) => ({ body: { ok: true, group: { ...ecal, ...r.body } } }),
    })
    ;({ wrapper } = await mountApp('/admin/groups'))
    expect(wrapper.find('h1').text()).toBe('Groups')
    expect(wrapper.find('tbody tr').text()).toContain('alice')
    expect(wrapper.find('tbody tr').text()).toContain('expert')

    await field(wrapper, 'Name').setValue('tracker')
    await field(wrapper, 'Description').setValue('Silicon tracker')
    await button(wrapper, 'Create group').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ name: 'tracker', description: 'Silicon tracker' })
    expect(wrapper.findAll('tbody tr')).toHaveLength(2)
    expect(wrapper.find('[role="status"]').text()).toBe('Group tracker created.')

    await button(wrapper, 'Edit description of ecal').trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.find('h2').text()).toBe('Description of ecal')
    await dialog.find('textarea').setValue('Electromagnetic calorimeter')
    await button(dialog, 'Save description').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'PATCH').body).toEqual({ description: 'Electromagnetic calorimeter' })
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(wrapper.find('tbody tr').text()).toContain('Electromagnetic calorimeter')
  })
})
