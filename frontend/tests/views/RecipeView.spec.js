import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, region } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const as = (role) => user({ username: role, role, memberships: [{ group: 'padme-ecal', role }] })

const entry = (owner, number, active, overrides = {}) => ({
  owner,
  number,
  version_id: 10 + number,
  comment: `version ${number}`,
  active,
  differs: active !== number,
  ...overrides,
})

const recipe = (overrides = {}) => ({
  name: 'ecal-cosmics',
  mode: 'COSMICS',
  description: 'ECal HV for cosmics runs',
  group: 'padme-ecal',
  created_by: 'system:demo',
  created: '2026-11-21T10:00:00Z',
  applied_by: null,
  applied: null,
  entries_count: 3,
  entries: [entry('device:sipm-ecal01', 2, 1), entry('device:sipm-ecal02', 2, 2), entry('type:sipm', 2, null)],
  ...overrides,
})

const summary = (name, mode) => ({ ...recipe({ name, mode }), entries: undefined })

describe('recipes', () => {
  it('lists the recipes grouped by run mode', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer(), ['read']),
      'GET /api/recipes': {
        body: { ok: true, recipes: [summary('ecal-calib', 'CALIBRATION'), summary('ecal-cosmics', 'COSMICS'), summary('ecal-cosmics-b', 'COSMICS')] },
      },
    })
    ;({ wrapper } = await mountApp('/recipes'))
    const names = (mode) => region(wrapper, mode).findAll('tbody th a').map((a) => a.text())
    expect(wrapper.findAll('h2').map((h) => h.text().replace(/\s+/g, ' '))).toEqual(['PHYSICS 0', 'COSMICS 2', 'CALIBRATION 1'])
    expect(region(wrapper, 'PHYSICS 0').text()).toContain('No recipe for PHYSICS yet.')
    expect(names('COSMICS 2')).toEqual(['ecal-cosmics', 'ecal-cosmics-b'])
    expect(names('CALIBRATION 1')).toEqual(['ecal-calib'])
    expect(wrapper.text()).not.toContain('New recipe') // viewers do not make recipes
  })

  it('creates a recipe from a configuration set and opens it', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(as('expert'), ['read', 'topology.write', 'configs.write']),
      'GET /api/recipes': { body: { ok: true, recipes: [] } },
      'GET /api/config-sets': { body: { ok: true, sets: [{ name: 'ecal-hv-good-1', state: 'approved' }] } },
      'POST /api/recipes': (r) => ({ status: 201, body: { ok: true, recipe: recipe({ name: r.body.name }) } }),
      'GET /api/recipes/ecal-physics-2027': { body: { ok: true, recipe: recipe({ name: 'ecal-physics-2027' }) } },
    })
    let router
    ;({ wrapper, router } = await mountApp('/recipes'))
    const form = region(wrapper, 'New recipe')
    await field(form, 'Name').setValue('ecal-physics-2027')
    await field(form, 'Start from').setValue('ecal-hv-good-1')
    expect(field(form, 'Group').element.value).toBe('padme-ecal')
    await button(form, 'Create recipe').trigger('click')
    await until(() => router.currentRoute.value.path === '/recipes/ecal-physics-2027')
    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      name: 'ecal-physics-2027',
      mode: 'PHYSICS',
      group: 'padme-ecal',
      description: '',
      entries: [],
      from_set: 'ecal-hv-good-1',
    })
  })

  it('shows the entries with the version active now and what applying changes', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer(), ['read']),
      'GET /api/recipes/ecal-cosmics': { body: { ok: true, recipe: recipe() } },
    })
    ;({ wrapper } = await mountApp('/recipes/ecal-cosmics'))
    expect(wrapper.find('h1').text()).toBe('Recipe ecal-cosmics COSMICS')
    const rows = region(wrapper, 'Entries').findAll('tbody tr')
    expect(rows.map((r) => r.findAll('th, td').map((c) => c.text()))).toEqual([
      ['sipm-ecal01', 'v2 of device:sipm-ecal01', 'version 2', 'v1', 'will change'],
      ['sipm-ecal02', 'v2 of device:sipm-ecal02', 'version 2', 'v2', 'active already'],
      ['sipm (type default)', 'v2 of type:sipm', 'version 2', 'none', 'will change'],
    ])
    expect(rows[0].find('th a').attributes('href')).toBe('/configurations/devices/sipm-ecal01')
    expect(rows[2].findAll('a')[1].attributes('href')).toBe('/configurations/types/sipm?version=2')
    expect(region(wrapper, 'About').text()).toContain('Applying it changes the active version of 2 configurations.')
    expect(wrapper.findAll('main button')).toHaveLength(0) // a viewer neither applies nor edits
  })

  it('an operator applies the recipe after a dialog listing what will change', async () => {
    let applied = false
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(as('operator'), ['read', 'configs.write', 'configs.activate']),
      'GET /api/recipes/ecal-cosmics': { body: { ok: true, recipe: recipe() } },
      'POST /api/recipes/ecal-cosmics/apply': () => {
        applied = true
        const after = recipe({
          applied_by: 'user:operator',
          applied: '2026-11-25T10:00:00Z',
          entries: recipe().entries.map((e) => ({ ...e, active: e.number, differs: false })),
        })
        return { body: { ok: true, activated: [{ owner: 'device:sipm-ecal01', number: 2 }, { owner: 'type:sipm', number: 2 }], recipe: after } }
      },
    })
    ;({ wrapper } = await mountApp('/recipes/ecal-cosmics'))
    expect(region(wrapper, 'Entries').findAll('button')).toHaveLength(0) // operators do not edit entries
    await button(wrapper, 'Apply').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Apply ecal-cosmics?')
    expect(dialog.findAll('li').map((li) => li.text())).toEqual(['sipm-ecal01: v1 → v2', 'sipm (type default): none active → v2'])
    expect(applied).toBe(false)
    await field(dialog, 'Comment').setValue('cosmics run 812')
    await button(dialog, 'Apply').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ comment: 'cosmics run 812' })
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(wrapper.find('.status-message').text()).toBe('Recipe ecal-cosmics applied: 2 configurations activated.')
    expect(region(wrapper, 'About').text()).toContain('Every entry is active now')
  })

  it('shows why the server refused to apply, inside the dialog', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(as('operator'), ['read', 'configs.activate']),
      'GET /api/recipes/ecal-cosmics': { body: { ok: true, recipe: recipe() } },
      'POST /api/recipes/ecal-cosmics/apply': error(409, 'Version 2 of type:sipm does not pass the type’s schema as it is now.'),
    })
    ;({ wrapper } = await mountApp('/recipes/ecal-cosmics'))
    await button(wrapper, 'Apply').trigger('click')
    await settle()
    await button(wrapper.find('[role="dialog"]'), 'Apply').trigger('click')
    await settle()
    expect(wrapper.find('[role="dialog"] [role="alert"]').text()).toBe('Version 2 of type:sipm does not pass the type’s schema as it is now.')
  })

  it('an expert sets and removes entries', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(as('expert'), ['read', 'topology.write', 'configs.activate']),
      'GET /api/recipes/ecal-cosmics': { body: { ok: true, recipe: recipe() } },
      'PUT /api/recipes/ecal-cosmics/entries': (r) =>
        r.body.set[0]?.version === 99
          ? error(404, 'The device sipm-ecal03 has no configuration version 99.')
          : { body: { ok: true, recipe: recipe() } },
    })
    ;({ wrapper } = await mountApp('/recipes/ecal-cosmics'))
    const entries = region(wrapper, 'Entries')
    await button(entries, 'Remove the entry of type:sipm').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'PUT').at(-1).body).toEqual({ set: [], remove: ['type:sipm'] })
    expect(wrapper.find('.status-message').text()).toBe('Entry of type:sipm removed.')

    await button(entries, 'Set entry').trigger('click')
    expect(field(entries, 'Version').attributes('aria-invalid')).toBe('true')
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(1)

    await field(entries, 'Configuration').setValue('sipm-ecal03')
    await field(entries, 'Version').setValue('99')
    await button(entries, 'Set entry').trigger('click')
    await settle()
    expect(entries.find('[role="alert"]').text()).toBe('The device sipm-ecal03 has no configuration version 99.')

    await field(entries, 'Version').setValue('3')
    await button(entries, 'Set entry').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'PUT').at(-1).body).toEqual({ set: [{ owner: 'sipm-ecal03', version: 3 }], remove: [] })
    expect(wrapper.find('.status-message').text()).toBe('sipm-ecal03 takes version 3 in this recipe.')
  })
})
