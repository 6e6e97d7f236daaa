import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field, query } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const experiment = (name) => ({
  name,
  instrument: 'xpp',
  group: 'ecal',
  created: '2026-11-01T08:00:00Z',
  runs: 2,
  dark_runs: 1,
  dark_detectors: ['cspad-0001'],
})

const run = (number, overrides = {}) => ({
  experiment: 'exp1',
  number,
  begin: '2026-11-20T10:00:00Z',
  end: '2026-11-20T10:30:00Z',
  data_type: 'physics',
  dark: null,
  files: [],
  notes_count: 0,
  ...overrides,
})

const darkTag = (overrides = {}) => ({
  reason: 'power_cycled',
  reason_label: 'Power cycled',
  reason_text: '',
  notes: '',
  tagged_by: 'alice',
  tagged: '2026-11-20T11:00:00Z',
  ...overrides,
})

const REASONS = [
  { value: 'power_cycled', label: 'Power cycled' },
  { value: 'temperature_changed', label: 'Temperature changed' },
  { value: 'other', label: 'Other' },
]

const writer = () => meAnswer(user({ role: 'member' }), ['read', 'runs.write'])

function routes(extra = {}) {
  return {
    'GET /api/auth/me': writer(),
    'GET /api/experiments': { body: { ok: true, experiments: [experiment('exp1'), experiment('exp2')] } },
    'GET /api/experiments/exp1/runs': {
      body: {
        ok: true,
        total: 2,
        runs: [run(12), run(11, { data_type: 'dark', dark: darkTag(), files: [{ detname: 'cspad-0001', path: 'a.h5' }] })],
      },
    },
    'GET /api/dark-reasons': { body: { ok: true, reasons: REASONS } },
    ...extra,
  }
}

describe('runs page', () => {
  it('lists the runs of the chosen experiment newest first, with their dark tag and files', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/runs?experiment=exp1'))
    expect(wrapper.find('h1').text()).toBe('Runs')
    const rows = wrapper.findAll('tbody tr')
    expect(rows.map((r) => r.find('th').text())).toEqual(['12', '11'])
    expect(rows[0].find('a').attributes('href')).toBe('/runs/exp1/12')
    expect(rows[1].text()).toContain('Dark')
    expect(rows[1].text()).toContain('Power cycled')
    expect(rows[1].findAll('td')[4].text()).toBe('1')
    expect(rows[0].find('time').attributes('datetime')).toBe('2026-11-20T10:00:00Z')
  })

  it('starts with the first experiment and remembers another choice in the address', async () => {
    const seen = fakeServer(
      routes({ 'GET /api/experiments/exp2/runs': { body: { ok: true, total: 1, runs: [run(3, { experiment: 'exp2' })] } } }),
    )
    let router
    ;({ wrapper, router } = await mountApp('/runs'))
    expect(router.currentRoute.value.query.experiment).toBe('exp1')
    expect(wrapper.findAll('tbody tr')).toHaveLength(2)

    await field(wrapper, 'Experiment').setValue('exp2')
    await settle()
    expect(router.currentRoute.value.query.experiment).toBe('exp2')
    expect(seen.at(-1).path).toBe('/api/experiments/exp2/runs')
    expect(wrapper.find('tbody tr a').attributes('href')).toBe('/runs/exp2/3')
  })

  it('shows only the dark runs when asked, and keeps that in the address', async () => {
    const seen = fakeServer(routes())
    let router
    ;({ wrapper, router } = await mountApp('/runs?experiment=exp1'))
    expect(query(seen.at(-1)).has('dark')).toBe(false)

    await field(wrapper, 'Dark runs only').setValue(true)
    await settle()
    expect(router.currentRoute.value.query.dark).toBe('1')
    expect(query(seen.at(-1)).get('dark')).toBe('1')
  })

  it('pages through an experiment with many runs', async () => {
    const seen = fakeServer(
      routes({
        'GET /api/experiments/exp1/runs': (r) => {
          const offset = Number(query(r).get('offset'))
          return { body: { ok: true, total: 120, runs: [run(120 - offset)] } }
        },
      }),
    )
    let router
    ;({ wrapper, router } = await mountApp('/runs?experiment=exp1'))
    expect(wrapper.text()).toContain('Runs 1–50 of 120')
    expect(button(wrapper, 'Newer runs').attributes('disabled')).toBeDefined()

    await button(wrapper, 'Older runs').trigger('click')
    await settle()
    expect(router.currentRoute.value.query.page).toBe('2')
    expect(query(seen.at(-1)).get('offset')).toBe('50')
    expect(wrapper.text()).toContain('Runs 51–100 of 120')
  })

  it('a viewer sees no action buttons', async () => {
    fakeServer(routes({ 'GET /api/auth/me': meAnswer(viewer(), ['read']) }))
    ;({ wrapper } = await mountApp('/runs?experiment=exp1'))
    expect(wrapper.findAll('tbody tr')).toHaveLength(2)
    expect(wrapper.find('tbody button').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('Tag as dark')
  })

  it('tagging sends the reason and notes', async () => {
    const seen = fakeServer(
      routes({
        'PUT /api/experiments/exp1/runs/12/dark': (r) => ({
          body: { ok: true, run: run(12, { dark: darkTag({ reason: r.body.reason, reason_label: 'Other', reason_text: r.body.reason_text }) }) },
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/runs?experiment=exp1'))
    await button(wrapper, 'Tag as dark: run 12').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Tag run 12 as dark')
    expect(dialog.findAll('option').map((o) => o.text())).toContain('Temperature changed')
    // "Other reason" is only asked for the reason "other".
    expect(dialog.findAll('label').some((l) => l.text() === 'Other reason')).toBe(false)

    await field(dialog, 'Reason').setValue('other')
    await field(dialog, 'Other reason').setValue('lamp replaced')
    await field(dialog, 'Notes').setValue('Taken after the cooling stop.')
    await button(dialog, 'Tag as dark').trigger('click')
    await settle()

    expect(seen.find((r) => r.method === 'PUT').body).toEqual({
      reason: 'other',
      reason_text: 'lamp replaced',
      notes: 'Taken after the cooling stop.',
    })
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(wrapper.find('[role="status"]').text()).toBe('Run 12 tagged as dark.')
    const row = wrapper.findAll('tbody tr')[0]
    expect(row.text()).toContain('lamp replaced')
    expect(button(row, 'Remove dark tag: run 12')).toBeTruthy()
  })

  it('asks for a reason before sending anything', async () => {
    const seen = fakeServer(routes())
    ;({ wrapper } = await mountApp('/runs?experiment=exp1'))
    await button(wrapper, 'Tag as dark: run 12').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    await button(dialog, 'Tag as dark').trigger('click')
    expect(seen.some((r) => r.method === 'PUT')).toBe(false)
    expect(dialog.text()).toContain('Choose why this run is a dark run.')
  })

  it('shows the server’s sentences beside the fields they are about', async () => {
    fakeServer(
      routes({
        'PUT /api/experiments/exp1/runs/12/dark': error(400, 'The run was not tagged.', {
          errors: [{ field: 'notes', error: 'Notes are at most 2000 characters long.' }],
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/runs?experiment=exp1'))
    await button(wrapper, 'Tag as dark: run 12').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    await field(dialog, 'Reason').setValue('power_cycled')
    await field(dialog, 'Notes').setValue('x'.repeat(3000))
    await button(dialog, 'Tag as dark').trigger('click')
    await settle()

    const notes = field(dialog, 'Notes')
    expect(notes.attributes('aria-invalid')).toBe('true')
    const described = notes.attributes('aria-describedby').split(' ').map((id) => dialog.find(`#${id}`).text())
    expect(described).toContain('Notes are at most 2000 characters long.')
    expect(dialog.find('[role="alert"]').text()).toBe('The run was not tagged.')
  })

  it('removes a dark tag only after confirmation', async () => {
    const seen = fakeServer(
      routes({ 'DELETE /api/experiments/exp1/runs/11/dark': { body: { ok: true, run: run(11, { data_type: 'dark' }) } } }),
    )
    ;({ wrapper } = await mountApp('/runs?experiment=exp1'))
    await button(wrapper, 'Remove dark tag: run 11').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Remove the dark tag of run 11?')
    expect(seen.some((r) => r.method === 'DELETE')).toBe(false)

    await field(dialog, 'Comment').setValue('wrong run')
    await button(dialog, 'Remove dark tag').trigger('click')
    await settle()
    const removal = seen.find((r) => r.method === 'DELETE')
    expect(query(removal).get('comment')).toBe('wrong run')
    expect(wrapper.find('[role="status"]').text()).toBe('Dark tag of run 11 removed.')
    expect(button(wrapper, 'Tag as dark: run 11')).toBeTruthy()
  })
})
