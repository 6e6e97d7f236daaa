import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, region } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const range = { ctype: 'pedestals', name: 'r1', begin: '2026-11-01T00:00:00Z', end: null, begin_s: 0, end_s: null }

const pin = (versionId, overrides = {}) => ({
  version_id: versionId,
  detname: 'cspad-0001',
  workspace: 'default',
  ctype: 'pedestals',
  range,
  version: { id: versionId, versind: versionId - 10 },
  url: `/api/calib/versions/${versionId}/abc.npy`,
  ...overrides,
})

const NONE = { edit: false, propose: false, approve: false, reject: false, revise: false }

const setDetail = (overrides = {}) => ({
  name: 'exp1-dec',
  experiment: 'exp1',
  description: 'After the cooling stop',
  state: 'proposed',
  created_by: 'alice',
  created: '2026-11-20T09:00:00Z',
  proposed_by: 'alice',
  proposed: '2026-11-20T10:00:00Z',
  decided_by: null,
  decided: null,
  decision_comment: '',
  revised_from: null,
  pins_count: 2,
  pins: [pin(14), pin(15, { detname: 'epix-0002', ctype: 'pixel_status' })],
  history: [
    { from_state: null, to_state: 'draft', actor: 'alice', comment: '', time: '2026-11-20T09:00:00Z' },
    { from_state: 'draft', to_state: 'proposed', actor: 'alice', comment: 'Ready', time: '2026-11-20T10:00:00Z' },
  ],
  previous_approved: 'exp1-nov',
  diff: {
    against: 'exp1-nov',
    added: [pin(15, { detname: 'epix-0002', ctype: 'pixel_status' })],
    removed: [],
    changed: [{ detname: 'cspad-0001', ctype: 'pedestals', range, from: pin(12), to: pin(14) }],
    same: 4,
  },
  can: NONE,
  ...overrides,
})

function routes(detail, extra = {}) {
  return {
    'GET /api/auth/me': meAnswer(user(), ['read', 'calib.write', 'calib.approve']),
    'GET /api/calib/sets/exp1-dec': () => ({ body: { ok: true, set: detail() } }),
    ...extra,
  }
}

const ACTIONS = ['Propose', 'Approve', 'Reject', 'Make a new draft']
const actionButtons = (w) => w.findAll('main button').map((b) => b.text()).filter((t) => ACTIONS.includes(t))

describe('calibration set page', () => {
  it('shows the state, the pins, the changes against the approved set and the history', async () => {
    fakeServer(routes(() => setDetail()))
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    expect(wrapper.find('h1').text()).toBe('Calibration set exp1-dec proposed')
    expect(wrapper.find('[aria-current="step"]').text()).toBe('Proposed')

    const pins = region(wrapper, 'Pins').findAll('tbody tr')
    expect(pins).toHaveLength(2)
    expect(pins[0].find('a').attributes('href')).toBe('/calibrations/versions/14')
    expect(pins[0].text()).toContain('open end')

    const diff = region(wrapper, 'Changes against the approved set')
    expect(diff.text()).toContain('1 added, 0 removed, 1 changed, 4 the same')
    const compare = diff.findAll('a').find((a) => a.text() === 'Compare cspad-0001 pedestals')
    expect(compare.attributes('href')).toBe('/calibrations/compare?a=12&b=14')

    const history = region(wrapper, 'History').findAll('tbody tr')
    expect(history[1].text()).toContain('draft → proposed')
    expect(history[1].text()).toContain('Ready')
  })

  it('a viewer sees no action buttons', async () => {
    fakeServer(routes(() => setDetail(), { 'GET /api/auth/me': meAnswer(viewer(), ['read']) }))
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    expect(wrapper.find('h1').text()).toContain('exp1-dec')
    expect(wrapper.find('.set-actions').exists()).toBe(false)
    expect(wrapper.findAll('main button')).toHaveLength(0)
  })

  it('the proposer sees no Approve button', async () => {
    fakeServer(routes(() => setDetail({ can: { ...NONE, revise: true } })))
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    expect(actionButtons(wrapper)).toEqual(['Make a new draft'])
  })

  it('reject needs a comment', async () => {
    let state = 'proposed'
    const seen = fakeServer(
      routes(() => setDetail({ state, can: state === 'proposed' ? { ...NONE, approve: true, reject: true } : NONE }), {
        'POST /api/calib/sets/exp1-dec/reject': () => {
          state = 'rejected'
          return { body: { ok: true, set: setDetail({ state }) } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    expect(actionButtons(wrapper)).toEqual(['Approve', 'Reject'])
    await button(wrapper, 'Reject').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Reject exp1-dec?')
    const submit = button(dialog, 'Reject')
    expect(submit.attributes('disabled')).toBeDefined()
    await field(dialog, 'Comment').setValue('   ')
    expect(submit.attributes('disabled')).toBeDefined()
    await dialog.find('form').trigger('submit')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)

    await field(dialog, 'Comment').setValue('Pedestals of panel 3 look wrong.')
    expect(submit.attributes('disabled')).toBeUndefined()
    await submit.trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ comment: 'Pedestals of panel 3 look wrong.' })
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(wrapper.find('[role="status"]').text()).toBe('Set exp1-dec rejected.')
    expect(wrapper.find('[aria-current="step"]').text()).toBe('Rejected')
    expect(actionButtons(wrapper)).toEqual([])
  })

  it('approve asks for confirmation, with an optional comment', async () => {
    let state = 'proposed'
    const seen = fakeServer(
      routes(() => setDetail({ state, can: state === 'proposed' ? { ...NONE, approve: true, reject: true } : NONE }), {
        'POST /api/calib/sets/exp1-dec/approve': () => {
          state = 'approved'
          return { body: { ok: true, set: setDetail({ state }) } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    await button(wrapper, 'Approve').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Approve exp1-dec?')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)
    await button(dialog, 'Approve').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({})
    expect(wrapper.find('[role="status"]').text()).toBe('Set exp1-dec approved.')

    const exports = region(wrapper, 'Export').findAll('a').map((a) => [a.text(), a.attributes('href')])
    expect(exports).toEqual([
      ['bundle.h5', '/api/calib/sets/exp1-dec/bundle.h5'],
      ['psana.tar.gz', '/api/calib/sets/exp1-dec/psana.tar.gz'],
    ])
  })

  it('shows why the server refused a decision inside the dialog', async () => {
    fakeServer(
      routes(() => setDetail({ can: { ...NONE, approve: true } }), {
        'POST /api/calib/sets/exp1-dec/approve': error(403, 'You proposed this set: someone else must approve it.'),
      }),
    )
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    await button(wrapper, 'Approve').trigger('click')
    await settle()
    await button(wrapper.find('[role="dialog"]'), 'Approve').trigger('click')
    await settle()
    expect(wrapper.find('[role="dialog"] [role="alert"]').text()).toBe('You proposed this set: someone else must approve it.')
  })

  it('proposes a draft', async () => {
    let state = 'draft'
    const seen = fakeServer(
      routes(() => setDetail({ state, proposed: null, can: state === 'draft' ? { ...NONE, edit: true, propose: true } : NONE }), {
        'POST /api/calib/sets/exp1-dec/propose': () => {
          state = 'proposed'
          return { body: { ok: true, set: setDetail() } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    expect(wrapper.find('[aria-current="step"]').text()).toBe('Draft')
    await button(wrapper, 'Propose').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').path).toBe('/api/calib/sets/exp1-dec/propose')
    expect(wrapper.find('[role="status"]').text()).toBe('Set exp1-dec proposed for approval.')
    expect(wrapper.find('[aria-current="step"]').text()).toBe('Proposed')
  })

  it('edits the pins of a draft: removes one and adds others by version id', async () => {
    const draft = () => setDetail({ state: 'draft', can: { ...NONE, edit: true, propose: true } })
    const seen = fakeServer(
      routes(draft, {
        // The server answers a change of pins with the draft, which the page shows.
        'PUT /api/calib/sets/exp1-dec/pins': () => ({ body: { ok: true, set: draft() } }),
      }),
    )
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    const pins = region(wrapper, 'Pins')
    await button(pins, 'Remove pin for epix-0002 pixel_status, version id 15').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'PUT').at(-1).body).toEqual({ add: [], remove: [15] })

    await field(pins, 'Version ids').setValue('21, 22 23')
    await button(pins, 'Add pins').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'PUT').at(-1).body).toEqual({ add: [21, 22, 23], remove: [] })
    expect(wrapper.find('[role="status"]').text()).toBe('Versions 21, 22, 23 pinned.')
  })

  it('shows the server’s sentence beside the version ids', async () => {
    fakeServer(
      routes(() => setDetail({ state: 'draft', can: { ...NONE, edit: true } }), {
        'PUT /api/calib/sets/exp1-dec/pins': error(400, 'The pins were not changed.', {
          errors: [{ field: 'add', error: 'There is no version 99.' }],
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    const pins = region(wrapper, 'Pins')
    await field(pins, 'Version ids').setValue('99')
    await button(pins, 'Add pins').trigger('click')
    await settle()
    const input = field(pins, 'Version ids')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby').split(' ').map((id) => pins.find(`#${id}`).text())).toContain(
      'There is no version 99.',
    )
  })

  it('says so when there is no previously approved set', async () => {
    fakeServer(routes(() => setDetail({ previous_approved: null, diff: null })))
    ;({ wrapper } = await mountApp('/calibrations/sets/exp1-dec'))
    expect(region(wrapper, 'Changes against the approved set').text()).toContain('no previously approved set')
  })

  it('makes a new draft with the same pins and opens it', async () => {
    const seen = fakeServer(
      routes(() => setDetail({ state: 'rejected', can: { ...NONE, revise: true } }), {
        'POST /api/calib/sets/exp1-dec/revise': (r) => ({
          status: 201,
          body: { ok: true, set: setDetail({ name: r.body.name, state: 'draft' }) },
        }),
        'GET /api/calib/sets/exp1-dec-b': { body: { ok: true, set: setDetail({ name: 'exp1-dec-b', state: 'draft' }) } },
      }),
    )
    let router
    ;({ wrapper, router } = await mountApp('/calibrations/sets/exp1-dec'))
    await button(wrapper, 'Make a new draft').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    await field(dialog, 'Name of the new draft').setValue('exp1-dec-b')
    await button(dialog, 'Create draft').trigger('click')
    await until(() => router.currentRoute.value.path === '/calibrations/sets/exp1-dec-b')
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ name: 'exp1-dec-b' })
    await until(() => wrapper.find('h1').text().startsWith('Calibration set exp1-dec-b'))
    expect(wrapper.find('[aria-current="step"]').text()).toBe('Draft')
  })
})
