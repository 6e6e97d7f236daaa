import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field, region } from '../finders.js'
import { panel, series, stubCanvas, watch } from '../monitoringFixtures.js'

let wrapper
afterEach(() => wrapper?.unmount())
beforeEach(() => stubCanvas())

const device = { name: 'sipm-ecal08', dettype: 'sipm', subsystem: 'ECal', group: 'ecal', ports: [], connections: [], placements: [], aliases: [], behind_count: 0, can: { edit: false } }

function routes(me, current, extra = {}) {
  return {
    'GET /api/auth/me': me,
    'GET /api/devices/sipm-ecal08': { body: { ok: true, device } },
    'GET /api/monitoring/devices/sipm-ecal08': () => ({ body: current() }),
    'GET /api/monitoring/devices/sipm-ecal08/parameters/temperature/series': { body: series() },
    ...extra,
  }
}

describe('the health of a device on its page', () => {
  it('shows the heartbeat, open alerts, parameters against their limits and a plot', async () => {
    fakeServer(routes(meAnswer(viewer()), () => panel({ suppressed_by: 'mainframe-ecal' })))
    ;({ wrapper } = await mountApp('/devices/sipm-ecal08'))
    const health = region(wrapper, 'Health')
    expect(health.find('[data-testid="heartbeat-state"]').text()).toContain('up')
    expect(health.text()).toContain('every 60 s, 30 s grace')
    expect(health.find('[data-testid="suppressed-by"]').text()).toContain('suppressed: behind mainframe-ecal')
    expect(health.find('[data-alert-id="1"] a').attributes('href')).toBe('/alerts/1')

    const rows = health.findAll('tbody tr[data-parameter]')
    expect(rows.map((r) => r.attributes('data-parameter'))).toEqual(['temperature', 'hv_current'])
    expect(rows[0].find('[data-level]').attributes('data-level')).toBe('warning')
    expect(rows[0].find('[data-level]').text()).toBe('35.2 degC')
    expect(rows[1].find('[data-level]').attributes('data-level')).toBe('ok')
    expect(rows[0].find('th a').attributes('href')).toBe('/monitoring/devices/sipm-ecal08/temperature')
    expect(health.find('[data-testid="series-plot"]').exists()).toBe(true)
    // A viewer: no pause, settings or acknowledge.
    expect(health.findAll('button').some((b) => /Pause|Resume|settings|Acknowledge/.test(b.text()))).toBe(false)
  })

  it('lets an operator pause the heartbeat for a while with a comment, then resume it', async () => {
    let current = panel({ can: { operate: true, configure: false } })
    const seen = fakeServer(
      routes(meAnswer(user({ role: 'operator', memberships: [{ group: 'ecal', role: 'operator' }] })), () => current, {
        'POST /api/monitoring/devices/sipm-ecal08/heartbeat/pause': (request) => {
          current = panel({ can: { operate: true, configure: false }, heartbeat: watch({ state: 'paused', paused_until: '2026-11-21T25:00:00Z', pause_comment: request.body.comment }) })
          return { body: { ok: true, heartbeat: current.heartbeat } }
        },
        'POST /api/monitoring/devices/sipm-ecal08/heartbeat/resume': () => {
          current = panel({ can: { operate: true, configure: false } })
          return { body: { ok: true, heartbeat: current.heartbeat } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal08'))
    const health = region(wrapper, 'Health')
    expect(button(health, 'Heartbeat settings…')).toBeUndefined()
    await button(health, 'Pause…').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    await dialog.findAll('input[type="radio"]').find((r) => r.element.value === '240').setValue(true)
    await field(dialog, 'Comment').setValue('firmware update')
    await dialog.find('form').trigger('submit')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ minutes: 240, comment: 'firmware update' })
    expect(wrapper.findAll('[role="status"]').map((s) => s.text())).toEqual(['Heartbeat watch paused.'])
    expect(health.find('[data-testid="heartbeat-state"]').text()).toContain('paused')
    await button(health, 'Resume').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'POST').at(-1).path).toBe('/api/monitoring/devices/sipm-ecal08/heartbeat/resume')
    expect(health.find('[data-testid="heartbeat-state"]').text()).toContain('up')
  })

  it('lets an expert set the period and grace', async () => {
    const seen = fakeServer(
      routes(meAnswer(user()), () => panel({ can: { operate: true, configure: true } }), {
        'PUT /api/monitoring/devices/sipm-ecal08/heartbeat': (request) => ({ body: { ok: true, heartbeat: watch(request.body) } }),
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal08'))
    await button(region(wrapper, 'Health'), 'Heartbeat settings…').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    await field(dialog, 'Period (s)').setValue('10')
    await field(dialog, 'Grace (s)').setValue('5')
    await field(dialog, 'Severity when down').setValue('critical')
    await dialog.find('form').trigger('submit')
    await settle()
    expect(seen.find((r) => r.method === 'PUT').body).toEqual({ period_s: 10, grace_s: 5, severity: 'critical' })
  })
})
