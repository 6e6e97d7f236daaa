import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, query } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const set = (name, overrides = {}) => ({
  name,
  experiment: 'exp1',
  description: '',
  state: 'draft',
  created_by: 'alice',
  created: '2026-11-20T09:00:00Z',
  proposed_by: null,
  proposed: null,
  decided_by: null,
  decided: null,
  decision_comment: '',
  revised_from: null,
  pins_count: 3,
  ...overrides,
})

const SETS = [
  set('exp1-nov', {
    state: 'approved',
    proposed_by: 'alice',
    proposed: '2026-11-20T10:00:00Z',
    decided_by: 'erin',
    decided: '2026-11-20T11:00:00Z',
  }),
  set('exp1-dec', { description: 'After the cooling stop' }),
]

const experiments = { body: { ok: true, experiments: [{ name: 'exp1' }, { name: 'exp2' }] } }

function routes(extra = {}) {
  return {
    'GET /api/auth/me': meAnswer(user(), ['read', 'calib.write']),
    'GET /api/experiments': experiments,
    'GET /api/calib/sets': { body: { ok: true, sets: SETS } },
    ...extra,
  }
}

describe('calibration sets page', () => {
  it('lists the sets with their state, and who proposed and decided them', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/calibrations/sets'))
    expect(wrapper.find('h1').text()).toBe('Calibration sets')
    const rows = wrapper.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0].find('a').attributes('href')).toBe('/calibrations/sets/exp1-nov')
    expect(rows[0].find('.tag').text()).toBe('approved')
    expect(rows[0].text()).toContain('erin')
    expect(rows[1].text()).toContain('After the cooling stop')
    expect(rows[1].find('.tag').text()).toBe('draft')
  })

  it('filters by experiment and state', async () => {
    const seen = fakeServer(routes())
    ;({ wrapper } = await mountApp('/calibrations/sets'))
    await field(wrapper, 'Filter by experiment').setValue('exp2')
    await settle()
    expect(query(seen.at(-1)).get('experiment')).toBe('exp2')
    await field(wrapper, 'Filter by state').setValue('proposed')
    await settle()
    expect(query(seen.at(-1)).get('experiment')).toBe('exp2')
    expect(query(seen.at(-1)).get('state')).toBe('proposed')
  })

  it('a viewer sees no form for new sets', async () => {
    fakeServer(routes({ 'GET /api/auth/me': meAnswer(viewer(), ['read']) }))
    ;({ wrapper } = await mountApp('/calibrations/sets'))
    expect(wrapper.findAll('tbody tr')).toHaveLength(2)
    expect(wrapper.text()).not.toContain('New set')
    expect(button(wrapper, 'Create set')).toBeUndefined()
  })

  it('creates a draft from a snapshot of detectors and opens it', async () => {
    const seen = fakeServer(
      routes({
        'POST /api/calib/sets': (r) => ({ status: 201, body: { ok: true, set: set(r.body.name, { experiment: r.body.experiment }) } }),
        'GET /api/calib/sets/exp2-jan': {
          body: { ok: true, set: { ...set('exp2-jan'), pins: [], history: [], previous_approved: null, diff: null, can: {} } },
        },
      }),
    )
    let router
    ;({ wrapper, router } = await mountApp('/calibrations/sets'))
    await field(wrapper, 'Name').setValue('exp2-jan')
    await field(wrapper, 'Experiment').setValue('exp2')
    await field(wrapper, 'Description').setValue('January darks')
    await field(wrapper, 'Snapshot of detectors').setValue('cspad-0001, epix-0002,')
    await button(wrapper, 'Create set').trigger('click')
    await until(() => router.currentRoute.value.path === '/calibrations/sets/exp2-jan')

    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      name: 'exp2-jan',
      experiment: 'exp2',
      description: 'January darks',
      snapshot: { detectors: ['cspad-0001', 'epix-0002'] },
    })
    await until(() => wrapper.find('h1').text().startsWith('Calibration set exp2-jan'))
  })

  it('shows the server’s sentence beside the name', async () => {
    fakeServer(
      routes({
        'POST /api/calib/sets': error(409, 'The set was not created.', {
          errors: [{ field: 'name', error: 'A set named exp1-nov exists already.' }],
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/calibrations/sets'))
    await field(wrapper, 'Name').setValue('exp1-nov')
    await button(wrapper, 'Create set').trigger('click')
    await settle()
    const name = field(wrapper, 'Name')
    expect(name.attributes('aria-invalid')).toBe('true')
    const described = name.attributes('aria-describedby').split(' ').map((id) => wrapper.find(`#${id}`).text())
    expect(described).toContain('A set named exp1-nov exists already.')
    expect(wrapper.find('[role="alert"]').text()).toBe('The set was not created.')
  })
})
