import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, query } from '../finders.js'
import { alert } from '../monitoringFixtures.js'
import { fromLocalInput, localInput } from '@/components/monitoring/series.js'

let wrapper
afterEach(() => wrapper?.unmount())

const operator = () => meAnswer(user({ username: 'olaf', display_name: 'Olaf', role: 'operator', memberships: [{ group: 'ecal', role: 'operator' }] }))
const summary = { body: { ok: true, subsystems: [{ name: 'ECal', devices: [] }, { name: 'PVeto', devices: [] }], counts: {}, engine: {} } }

const two = [
  alert({ id: 7 }),
  alert({ id: 8, device: 'v1742-ecal01', subsystem: 'ECal', message: 'No heartbeat from v1742-ecal01 for 4 s', raised: '2026-11-21T20:58:00Z' }),
]

/** The page's own list requests (the navigation's count asks for state=active). */
const listRequests = (seen) => seen.filter((r) => r.path === '/api/alerts' && query(r).get('state') !== 'active')
const rows = (w) => w.findAll('tbody tr[data-alert-id]')
const dialog = (w) => w.find('[role="dialog"]')

async function press(key) {
  const target = document.activeElement && document.activeElement !== document.body ? document.activeElement : document.body
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
  await settle()
}

function server(me, answers, extra = {}) {
  return fakeServer({
    'GET /api/auth/me': me,
    'GET /api/monitoring/summary': summary,
    'GET /api/alerts': (request) => answers(request),
    ...extra,
  })
}

// An operator selects alert 8 and opens the shelve dialog; the requests the server sees.
async function openShelve() {
  const seen = server(operator(), () => ({ body: { ok: true, revision: 3, alerts: two } }), {
    'POST /api/alerts/shelve': (request) => ({ body: { ok: true, alerts: request.body.ids.map((id) => alert({ id, shelved: true })) } }),
  })
  ;({ wrapper } = await mountApp('/alerts'))
  await rows(wrapper)[1].find('input[type="checkbox"]').setValue(true)
  await button(wrapper, 'Shelve (1)…').trigger('click')
  await settle()
  return seen
}

describe('alerts page', () => {
  it('asks every second with the revision it has, keeps the rows while nothing changed, and shows a change without a reload', async () => {
    let current = { revision: 5, alerts: [two[0]] }
    const seen = server(meAnswer(viewer()), (request) =>
      query(request).get('unless') === String(current.revision)
        ? { body: { ok: true, unchanged: true, revision: current.revision } }
        : { body: { ok: true, ...current } },
    )
    ;({ wrapper } = await mountApp('/alerts'))
    expect(wrapper.find('h1').text()).toBe('Alerts')
    expect(rows(wrapper)).toHaveLength(1)
    expect(query(listRequests(seen)[0]).get('unless')).toBeNull()
    expect(query(listRequests(seen)[0]).get('state')).toBe('open')

    await until(() => listRequests(seen).filter((r) => query(r).get('unless') === '5').length >= 2, { timeout: 4000 })
    expect(rows(wrapper)).toHaveLength(1)
    expect(rows(wrapper)[0].text()).toContain('No heartbeat from mainframe-pveto')

    current = { revision: 6, alerts: two }
    await until(() => rows(wrapper).length === 2, { timeout: 4000 })
    expect(wrapper.find('[data-testid="alert-count"]').text()).toContain('2 alerts shown')
  })

  it('lets an operator select alerts with the keyboard and acknowledge them with one comment', async () => {
    const seen = server(operator(), () => ({ body: { ok: true, revision: 3, alerts: two } }), {
      'POST /api/alerts/acknowledge': { body: { ok: true, states: { 7: 'acknowledged', 8: 'acknowledged' } } },
    })
    ;({ wrapper } = await mountApp('/alerts'))
    expect(rows(wrapper)).toHaveLength(2)

    await press('j')
    expect(rows(wrapper)[0].classes()).toContain('cursor')
    await press('x')
    await press('j')
    await press('x')
    expect(button(wrapper, 'Acknowledge (2)…').exists()).toBe(true)
    await press('a')
    expect(dialog(wrapper).find('h2').text()).toBe('Acknowledge 2 alerts')
    const comment = field(dialog(wrapper), 'Comment')
    expect(document.activeElement).toBe(comment.element)
    await comment.setValue('crate power-cycled, watching it')
    await dialog(wrapper).find('form').trigger('submit')
    await settle()

    const sent = seen.filter((r) => r.method === 'POST')
    expect(sent).toHaveLength(1)
    expect(sent[0].path).toBe('/api/alerts/acknowledge')
    expect([...sent[0].body.ids].sort()).toEqual([7, 8])
    expect(sent[0].body.comment).toBe('crate power-cycled, watching it')
    expect(dialog(wrapper).exists()).toBe(false)
    expect(wrapper.find('[role="status"]').text()).toBe('Acknowledged 2 alerts.')
    // Asked again at once, without the revision.
    expect(query(listRequests(seen).at(-1)).get('unless')).toBeNull()
  })

  it('selects every alert it may act on with the heading checkbox', async () => {
    server(operator(), () => ({ body: { ok: true, revision: 3, alerts: [...two, alert({ id: 9, group: 'beam', device: 'bmon-mimosa' })] } }))
    ;({ wrapper } = await mountApp('/alerts'))
    // The beam alert is not for this operator: no checkbox.
    expect(wrapper.findAll('tbody input[type="checkbox"]')).toHaveLength(2)
    await wrapper.find('thead input[type="checkbox"]').setValue(true)
    expect(button(wrapper, 'Acknowledge (2)…').exists()).toBe(true)
    await wrapper.find('thead input[type="checkbox"]').setValue(false)
    expect(button(wrapper, 'Acknowledge…').attributes('disabled')).toBeDefined()
  })

  it('shows a viewer the alerts but no checkbox and no acknowledge or shelve button', async () => {
    const seen = server(meAnswer(viewer()), () => ({ body: { ok: true, revision: 3, alerts: two } }))
    ;({ wrapper } = await mountApp('/alerts'))
    expect(rows(wrapper)).toHaveLength(2)
    expect(wrapper.findAll('table input[type="checkbox"]')).toHaveLength(0)
    expect(wrapper.findAll('button').some((b) => /Acknowledge|Shelve/.test(b.text()))).toBe(false)
    await press('j')
    await press('x')
    await press('a')
    expect(dialog(wrapper).exists()).toBe(false)
    expect(seen.some((r) => r.method === 'POST')).toBe(false)
  })

  it('shows the server’s sentence when an acknowledgement is refused', async () => {
    const refusal = 'Acknowledging alert 7 (mainframe-pveto) is for operators of ecal and those above them.'
    server(operator(), () => ({ body: { ok: true, revision: 3, alerts: two } }), {
      'POST /api/alerts/acknowledge': error(403, refusal),
    })
    ;({ wrapper } = await mountApp('/alerts'))
    await rows(wrapper)[0].find('input[type="checkbox"]').setValue(true)
    await button(wrapper, 'Acknowledge (1)…').trigger('click')
    await settle()
    expect(dialog(wrapper).find('h2').text()).toBe('Acknowledge alert 7 (mainframe-pveto)')
    await dialog(wrapper).find('form').trigger('submit')
    await settle()
    expect(dialog(wrapper).find('[role="alert"]').text()).toBe(refusal)
  })

  it('shelves the selected alerts for a chosen time with a reason, which it asks for first', async () => {
    const seen = await openShelve()
    await dialog(wrapper).find('form').trigger('submit')
    await settle()
    expect(dialog(wrapper).text()).toContain('Say why these alerts are shelved.')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)

    await dialog(wrapper).findAll('input[type="radio"]').find((r) => r.element.value === '480').setValue(true)
    await field(dialog(wrapper), 'Reason').setValue('digitizer swapped tomorrow')
    await dialog(wrapper).find('form').trigger('submit')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ ids: [8], minutes: 480, comment: 'digitizer swapped tomorrow' })
    expect(wrapper.find('[role="status"]').text()).toBe('Shelved 1 alert.')
  })

  it('shelves until a time, which must be one to come', async () => {
    const seen = await openShelve()
    await dialog(wrapper).findAll('input[type="radio"]').find((r) => r.element.value === 'until').setValue(true)
    await field(dialog(wrapper), 'Until').setValue('2000-01-01T00:00')
    await field(dialog(wrapper), 'Reason').setValue('beam off')
    await dialog(wrapper).find('form').trigger('submit')
    await settle()
    expect(dialog(wrapper).text()).toContain('The time must be in the future.')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)

    const later = localInput(Date.now() / 1000 + 3600)
    await field(dialog(wrapper), 'Until').setValue(later)
    await dialog(wrapper).find('form').trigger('submit')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      ids: [8],
      until: new Date(fromLocalInput(later) * 1000).toISOString(),
      comment: 'beam off',
    })
  })

  it('asks the server again, from scratch, when a filter changes, and keeps the filters in the address', async () => {
    const seen = server(meAnswer(viewer()), () => ({ body: { ok: true, revision: 3, alerts: two } }))
    const mounted = await mountApp('/alerts')
    wrapper = mounted.wrapper
    await field(wrapper, 'State').setValue('cleared')
    await field(wrapper, 'Severity at least').setValue('alarm')
    await settle()
    const last = query(listRequests(seen).at(-1))
    expect(last.get('state')).toBe('cleared')
    expect(last.get('severity')).toBe('alarm')
    expect(last.get('unless')).toBeNull()
    expect(mounted.router.currentRoute.value.query).toEqual({ state: 'cleared', severity: 'alarm' })

    await field(wrapper, 'Device').setValue('v1742')
    await settle()
    expect(rows(wrapper).map((r) => r.attributes('data-alert-id'))).toEqual(['8'])
  })

  it('hides suppressed and shelved alerts unless asked, and greys the suppressed ones saying what they are behind', async () => {
    const alerts = [
      two[0],
      alert({ id: 20, device: 'bgo-001', subsystem: 'ECal', suppressed_by: 'mainframe-ecal', severity: 'warning' }),
      alert({ id: 21, device: 'bgo-002', subsystem: 'ECal', shelved: true, shelved_by: 'user:olaf', shelved_until: '2026-11-21T23:00:00Z', shelve_comment: 'known' }),
    ]
    server(meAnswer(viewer()), () => ({ body: { ok: true, revision: 3, alerts } }))
    ;({ wrapper } = await mountApp('/alerts'))
    expect(rows(wrapper)).toHaveLength(1)
    const count = wrapper.find('[data-testid="alert-count"]').text()
    expect(count).toContain('1 shelved hidden')
    expect(count).toContain('1 suppressed hidden (behind mainframe-ecal)')

    await wrapper.findAll('label.checkbox').find((l) => l.text() === 'show suppressed').find('input').setValue(true)
    await settle()
    const suppressed = wrapper.find('tr[data-alert-id="20"]')
    expect(suppressed.classes()).toContain('suppressed')
    expect(suppressed.text()).toContain('suppressed: behind mainframe-ecal')

    await wrapper.findAll('label.checkbox').find((l) => l.text() === 'show shelved').find('input').setValue(true)
    await settle()
    expect(wrapper.find('tr[data-alert-id="21"]').text()).toContain('shelved by user:olaf')
  })

  it('opens the alert under the cursor with Enter', async () => {
    server(meAnswer(viewer()), () => ({ body: { ok: true, revision: 3, alerts: two } }), {
      'GET /api/alerts/8': { body: { ok: true, alert: { ...two[1], history: [], offers: [], runs: [], can: { operate: false } } } },
    })
    const mounted = await mountApp('/alerts')
    wrapper = mounted.wrapper
    await press('ArrowDown')
    await press('ArrowDown')
    await press('Enter')
    await until(() => mounted.router.currentRoute.value.path === '/alerts/8')
  })
})
