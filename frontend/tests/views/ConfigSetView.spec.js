import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, query, region } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const as = (username, role) => user({ username, role, memberships: [{ group: 'padme-ecal', role }] })

const pin = (owner, number, overrides = {}) => ({
  owner,
  version_id: 10 * number + owner.length,
  number,
  comment: `version ${number}`,
  author: 'system:demo',
  ...overrides,
})

const NONE = { edit: false, propose: false, withdraw: false, approve: false, reject: false, revise: false, apply: false }

const setDetail = (overrides = {}) => ({
  name: 'ecal-hv-good-2',
  group: 'padme-ecal',
  description: 'Board 20 at +2 V',
  created: '2026-11-21T09:00:00Z',
  revised_from: null,
  pins_count: 2,
  state: 'proposed',
  created_by: 'user:mira',
  proposed_by: 'mira',
  proposed: '2026-11-21T10:00:00Z',
  decided_by: null,
  decided: null,
  decision_comment: '',
  pins: [pin('device:sipm-ecal19', 1), pin('device:sipm-ecal20', 2), pin('type:sipm', 2)],
  history: [
    { from_state: '', to_state: 'draft', actor: 'user:mira', comment: '', time: '2026-11-21T09:00:00Z' },
    { from_state: 'draft', to_state: 'proposed', actor: 'user:mira', comment: 'board 20 needs more gain', time: '2026-11-21T10:00:00Z' },
  ],
  previous_approved: 'ecal-hv-good-1',
  diff: {
    against: 'ecal-hv-good-1',
    added: [pin('type:sipm', 2)],
    removed: [],
    changed: [{ owner: 'device:sipm-ecal20', from: pin('device:sipm-ecal20', 1), to: pin('device:sipm-ecal20', 2) }],
    same: 1,
  },
  can: NONE,
  ...overrides,
})

const PATH = '/api/config-sets/ecal-hv-good-2'
const ACTIONS = ['Propose', 'Withdraw', 'Approve', 'Reject', 'Apply', 'Revise']
const actionButtons = (w) => w.findAll('main button').map((b) => b.text()).filter((t) => ACTIONS.includes(t))

function routes(detail, me = as('elena', 'expert'), extra = {}) {
  return {
    'GET /api/auth/me': meAnswer(me, ['read', 'configs.write', 'configs.activate', 'configs.approve']),
    [`GET ${PATH}`]: () => ({ body: { ok: true, set: detail() } }),
    ...extra,
  }
}

describe('configuration set page', () => {
  it('shows the state, the changes against the approved set, the pins and the history', async () => {
    fakeServer(routes(() => setDetail()))
    ;({ wrapper } = await mountApp('/config-sets/ecal-hv-good-2'))
    expect(wrapper.find('h1').text()).toBe('Configuration set ecal-hv-good-2 proposed')
    expect(wrapper.find('[aria-current="step"]').text()).toBe('Proposed')

    const diff = region(wrapper, 'Changes against the approved set')
    expect(diff.text()).toContain('Against ecal-hv-good-1: 1 added, 0 removed, 1 changed, 1 the same.')
    const changed = diff.find('[aria-labelledby="config-diff-changed"] tbody tr')
    expect(changed.find('th').text()).toBe('sipm-ecal20')
    const compare = changed.findAll('a').find((a) => a.text().startsWith('Differences'))
    expect(compare.attributes('href')).toBe('/configurations/devices/sipm-ecal20?a=1&b=2#diff')

    const pins = region(wrapper, 'Pins').findAll('tbody tr')
    expect(pins.map((r) => r.find('th').text())).toEqual(['sipm-ecal19', 'sipm-ecal20', 'sipm (type default)'])
    expect(pins[1].find('td a').attributes('href')).toBe('/configurations/devices/sipm-ecal20?version=2')
    expect(pins[2].find('th a').attributes('href')).toBe('/configurations/types/sipm')

    const history = region(wrapper, 'History').findAll('tbody tr')
    expect(history[1].text()).toContain('draft → proposed')
    expect(history[1].text()).toContain('board 20 needs more gain')
  })

  it('a viewer sees no action buttons', async () => {
    fakeServer(routes(() => setDetail(), viewer()))
    ;({ wrapper } = await mountApp('/config-sets/ecal-hv-good-2'))
    expect(wrapper.find('h1').text()).toContain('ecal-hv-good-2')
    expect(wrapper.findAll('main button')).toHaveLength(0)
  })

  it('the proposer sees Withdraw and Revise, never Approve', async () => {
    fakeServer(routes(() => setDetail({ can: { ...NONE, withdraw: true, revise: true } }), as('mira', 'member')))
    ;({ wrapper } = await mountApp('/config-sets/ecal-hv-good-2'))
    expect(actionButtons(wrapper)).toEqual(['Withdraw', 'Revise'])
  })

  it('reject needs a comment', async () => {
    let state = 'proposed'
    const seen = fakeServer(
      routes(() => setDetail(), undefined, {
        [`GET ${PATH}`]: () => ({ body: { ok: true, set: setDetail({ state, can: { ...NONE, approve: true, reject: true } }) } }),
        [`POST ${PATH}/reject`]: () => {
          state = 'rejected'
          return { body: { ok: true, set: setDetail({ state, can: { ...NONE, revise: true } }) } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/config-sets/ecal-hv-good-2'))
    expect(actionButtons(wrapper)).toEqual(['Approve', 'Reject'])
    await button(wrapper, 'Reject').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Reject ecal-hv-good-2?')
    expect(button(dialog, 'Reject').attributes('disabled')).toBeDefined()
    await dialog.find('form').trigger('submit')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)
    await field(dialog, 'Comment').setValue('board 20 was not re-measured')
    await button(dialog, 'Reject').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ comment: 'board 20 was not re-measured' })
    expect(wrapper.find('.status-message').text()).toBe('Set ecal-hv-good-2 rejected.')
    expect(wrapper.find('[aria-current="step"]').text()).toBe('Rejected')
    expect(actionButtons(wrapper)).toEqual(['Revise'])
  })

  it('approves with an optional comment, and shows a refusal inside the dialog', async () => {
    let refuse = true
    fakeServer(
      routes(() => setDetail({ can: { ...NONE, approve: true, reject: true } }), undefined, {
        [`POST ${PATH}/approve`]: () =>
          refuse
            ? error(403, 'You proposed the configuration set ecal-hv-good-2; someone else must approve it (two-person rule).')
            : { body: { ok: true, set: setDetail({ state: 'approved', decided_by: 'elena', decided: '2026-11-22T10:00:00Z', can: { ...NONE, revise: true, apply: true } }) } },
      }),
    )
    ;({ wrapper } = await mountApp('/config-sets/ecal-hv-good-2'))
    await button(wrapper, 'Approve').trigger('click')
    await settle()
    await button(wrapper.find('[role="dialog"]'), 'Approve').trigger('click')
    await settle()
    expect(wrapper.find('[role="dialog"] [role="alert"]').text()).toContain('two-person rule')
    refuse = false
    await button(wrapper.find('[role="dialog"]'), 'Approve').trigger('click')
    await settle()
    expect(wrapper.find('.status-message').text()).toBe('Set ecal-hv-good-2 approved.')
    expect(wrapper.find('h1').text()).toBe('Configuration set ecal-hv-good-2 approved')
    expect(actionButtons(wrapper)).toEqual(['Apply', 'Revise'])
  })

  it('an operator applies an approved set', async () => {
    const seen = fakeServer(
      routes(() => setDetail({ state: 'approved', can: { ...NONE, apply: true } }), as('otto', 'operator'), {
        [`POST ${PATH}/apply`]: {
          body: { ok: true, activated: [{ owner: 'device:sipm-ecal20', number: 2 }], set: setDetail({ state: 'approved', can: { ...NONE, apply: true } }) },
        },
      }),
    )
    ;({ wrapper } = await mountApp('/config-sets/ecal-hv-good-2'))
    await button(wrapper, 'Apply').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Every version ecal-hv-good-2 pins becomes the active one')
    await button(dialog, 'Apply').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').path).toBe(`${PATH}/apply`)
    expect(wrapper.find('.status-message').text()).toBe('Set ecal-hv-good-2 applied: 1 configuration activated.')
  })

  it('a member proposes a draft, edits its pins, and withdraws it', async () => {
    let state = 'draft'
    const can = () => (state === 'draft' ? { ...NONE, edit: true, propose: true, revise: true } : { ...NONE, withdraw: true, revise: true })
    const seen = fakeServer(
      routes(() => setDetail({ state, can: can() }), as('mira', 'member'), {
        [`PUT ${PATH}/pins`]: () => ({ body: { ok: true, set: setDetail({ state, can: can() }) } }),
        [`POST ${PATH}/propose`]: () => {
          state = 'proposed'
          return { body: { ok: true, set: setDetail({ state, can: can() }) } }
        },
        [`POST ${PATH}/withdraw`]: () => {
          state = 'draft'
          return { body: { ok: true, set: setDetail({ state, proposed: null, can: can() }) } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/config-sets/ecal-hv-good-2'))
    const pins = region(wrapper, 'Pins')
    await button(pins, 'Remove pin of type:sipm, version 2').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'PUT').at(-1).body).toEqual({ add: [], remove: [29] })
    await field(pins, 'Version ids').setValue('66 2')
    await button(pins, 'Add pins').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'PUT').at(-1).body).toEqual({ add: [66, 2], remove: [] })
    expect(wrapper.find('.status-message').text()).toBe('Version ids 66, 2 pinned.')

    await button(wrapper, 'Propose').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    await field(dialog, 'Comment').setValue('ready for the shift')
    await button(dialog, 'Propose').trigger('click')
    await settle()
    expect(seen.find((r) => r.path === `${PATH}/propose`).body).toEqual({ comment: 'ready for the shift' })
    expect(wrapper.find('[aria-current="step"]').text()).toBe('Proposed')
    expect(region(wrapper, 'Pins').find('button').exists()).toBe(false) // frozen while proposed

    await button(wrapper, 'Withdraw').trigger('click')
    await settle()
    await button(wrapper.find('[role="dialog"]'), 'Withdraw').trigger('click')
    await settle()
    expect(wrapper.find('.status-message').text()).toBe('Set ecal-hv-good-2 withdrawn: it is a draft again.')
    expect(wrapper.find('[aria-current="step"]').text()).toBe('Draft')
  })

  it('revises a set into a new draft and opens it', async () => {
    const seen = fakeServer(
      routes(() => setDetail({ state: 'approved', can: { ...NONE, revise: true } }), undefined, {
        [`POST ${PATH}/revise`]: (r) => ({ status: 201, body: { ok: true, set: setDetail({ name: r.body.name, state: 'draft' }) } }),
        'GET /api/config-sets/ecal-hv-good-3': { body: { ok: true, set: setDetail({ name: 'ecal-hv-good-3', state: 'draft' }) } },
      }),
    )
    let router
    ;({ wrapper, router } = await mountApp('/config-sets/ecal-hv-good-2'))
    await button(wrapper, 'Revise').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    await field(dialog, 'Name of the new draft').setValue('ecal-hv-good-3')
    await button(dialog, 'Create draft').trigger('click')
    await until(() => router.currentRoute.value.path === '/config-sets/ecal-hv-good-3')
    expect(seen.find((r) => r.method === 'POST').path).toBe(`${PATH}/revise`)
    await until(() => wrapper.find('h1').text().startsWith('Configuration set ecal-hv-good-3'))
  })
})

describe('configuration sets list', () => {
  const summary = (name, state, group = 'padme-ecal') => ({ ...setDetail({ name, state, group }), pins: undefined })

  it('lists the sets with their state, narrows them by group and state, and creates one', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(as('mira', 'member'), ['read', 'configs.write']),
      'GET /api/groups': { body: { ok: true, groups: [{ name: 'padme-ecal' }, { name: 'padme-veto' }] } },
      'GET /api/config-sets': (r) => ({
        body: {
          ok: true,
          sets: [summary('ecal-hv-good-2', 'proposed'), summary('ecal-hv-good-1', 'approved'), summary('veto-1', 'draft', 'padme-veto')].filter(
            (s) => (!query(r).get('state') || s.state === query(r).get('state')) && (!query(r).get('group') || s.group === query(r).get('group')),
          ),
        },
      }),
      'POST /api/config-sets': (r) => ({ status: 201, body: { ok: true, set: setDetail({ name: r.body.name, state: 'draft' }) } }),
      'GET /api/config-sets/ecal-hv-good-3': { body: { ok: true, set: setDetail({ name: 'ecal-hv-good-3', state: 'draft' }) } },
    })
    let router
    ;({ wrapper, router } = await mountApp('/config-sets'))
    const rows = () => wrapper.findAll('tbody tr').map((r) => [r.find('th a').text(), r.find('.tag').text()])
    expect(rows()).toEqual([
      ['ecal-hv-good-2', 'proposed'],
      ['ecal-hv-good-1', 'approved'],
      ['veto-1', 'draft'],
    ])
    await field(wrapper, 'Filter by state').setValue('approved')
    await settle()
    expect(rows()).toEqual([['ecal-hv-good-1', 'approved']])
    await field(wrapper, 'Filter by group').setValue('padme-veto')
    await settle()
    expect(wrapper.text()).toContain('No set matches these filters.')

    const form = region(wrapper, 'New set')
    await field(form, 'Name').setValue('ecal-hv-good-3')
    await field(form, 'Snapshot of configurations').setValue('sipm-ecal19, type:sipm')
    await field(form, 'Version ids').setValue('66')
    await button(form, 'Create set').trigger('click')
    await until(() => router.currentRoute.value.path === '/config-sets/ecal-hv-good-3')
    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      name: 'ecal-hv-good-3',
      group: 'padme-ecal',
      description: '',
      versions: [66],
      snapshot: ['sipm-ecal19', 'type:sipm'],
    })
  })

  it('puts the server’s field errors beside the fields of the new set', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(as('mira', 'member'), ['read', 'configs.write']),
      'GET /api/groups': { body: { ok: true, groups: [] } },
      'GET /api/config-sets': { body: { ok: true, sets: [] } },
      'POST /api/config-sets': error(400, 'device:sipm-ecal99 has no active configuration to snapshot.', {
        errors: [{ field: 'snapshot', error: 'device:sipm-ecal99 has none active.' }],
      }),
    })
    ;({ wrapper } = await mountApp('/config-sets'))
    const form = region(wrapper, 'New set')
    await field(form, 'Name').setValue('x-1')
    await field(form, 'Snapshot of configurations').setValue('sipm-ecal99')
    await button(form, 'Create set').trigger('click')
    await settle()
    const input = field(form, 'Snapshot of configurations')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby').split(' ').map((id) => form.find(`#${id}`).text())).toContain(
      'device:sipm-ecal99 has none active.',
    )
    expect(form.find('[role="alert"]').text()).toBe('device:sipm-ecal99 has no active configuration to snapshot.')
  })
})
