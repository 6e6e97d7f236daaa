import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field, region } from '../finders.js'
import { alert, series, stubCanvas } from '../monitoringFixtures.js'

let wrapper
afterEach(() => wrapper?.unmount())
beforeEach(() => stubCanvas())

const operator = () => meAnswer(user({ username: 'olaf', role: 'operator', memberships: [{ group: 'ecal', role: 'operator' }] }))

function page(overrides = {}) {
  return {
    ...alert({
      id: 1,
      device: 'sipm-ecal08',
      subsystem: 'ECal',
      kind: 'limit',
      parameter: 'temperature',
      unit: 'degC',
      severity: 'warning',
      value: 35.2,
      message: 'sipm-ecal08 temperature is 35.2 degC, above its warn high limit of 32 degC',
      guidance: 'Check the chiller.\n<b>Then</b> ramp down the HV.',
    }),
    history: [
      { id: 1, alert: 1, at: '2026-11-21T20:59:00Z', event: 'raised', actor: null, comment: 'too warm', state: 'active', severity: 'warning', value: 35.2 },
      { id: 2, alert: 1, at: '2026-11-21T20:59:30Z', event: 'suppressed', actor: null, comment: 'mainframe-ecal is down', state: 'active', severity: 'warning', value: 35.2 },
    ],
    offers: [{ id: 3, name: 'hv-safe', action: 'config.apply-recipe', arguments: { recipe: 'safe' }, mode: 'offer', confirm: 'Ramp the ECal HV down to 0 V?' }],
    runs: [],
    can: { operate: false },
    ...overrides,
  }
}

function routes(me, current, extra = {}) {
  return {
    'GET /api/auth/me': me,
    'GET /api/alerts/1': () => ({ body: { ok: true, alert: current() } }),
    'GET /api/monitoring/devices/sipm-ecal08/parameters/temperature/series': { body: series() },
    ...extra,
  }
}

describe('alert page', () => {
  it('shows the message, device, parameter, guidance as plain text, the history and a plot around the alert', async () => {
    fakeServer(routes(meAnswer(viewer()), () => page()))
    ;({ wrapper } = await mountApp('/alerts/1'))
    expect(wrapper.find('h1').text()).toContain('Alert 1: sipm-ecal08 temperature is 35.2 degC')
    expect(wrapper.find('h1 .level-badge').text()).toContain('warning')
    const facts = region(wrapper, 'What and where')
    expect(facts.find('a').attributes('href')).toBe('/devices/sipm-ecal08')
    expect(facts.text()).toContain('35.2 degC')
    const guidance = wrapper.find('[data-testid="guidance"]')
    expect(guidance.text()).toBe('Check the chiller.\n<b>Then</b> ramp down the HV.')
    expect(guidance.find('b').exists()).toBe(false)
    expect(region(wrapper, 'History').findAll('tbody tr').map((r) => r.find('th').text())).toEqual(['raised', 'suppressed'])
    expect(region(wrapper, 'temperature around the alert').find('[data-testid="series-plot"]').exists()).toBe(true)
    // A viewer: nothing to press but the plot's ranges; the reaction is shown but disabled.
    expect(wrapper.findAll('button').some((b) => /Acknowledge|Shelve/.test(b.text()))).toBe(false)
    expect(button(wrapper, 'hv-safe…').attributes('disabled')).toBeDefined()
  })

  it('lets an operator acknowledge it with a comment', async () => {
    let current = page({ can: { operate: true } })
    const seen = fakeServer(
      routes(operator(), () => current, {
        'POST /api/alerts/acknowledge': () => {
          current = page({ can: { operate: true }, state: 'acknowledged', acked_by: 'user:olaf', ack_comment: 'on it' })
          return { body: { ok: true, states: { 1: 'acknowledged' } } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/alerts/1'))
    await button(wrapper, 'Acknowledge…').trigger('click')
    await settle()
    await field(wrapper.find('[role="dialog"]'), 'Comment').setValue('on it')
    await wrapper.find('[role="dialog"] form').trigger('submit')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ ids: [1], comment: 'on it' })
    expect(wrapper.find('[role="status"]').text()).toBe('Acknowledged.')
    expect(wrapper.find('.alert-state').text()).toContain('acknowledged')
    expect(button(wrapper, 'Acknowledge…')).toBeUndefined()
  })

  it('runs an offered reaction only after its question is confirmed, and shows what it did', async () => {
    const seen = fakeServer(
      routes(operator(), () => page({ can: { operate: true } }), {
        'POST /api/alerts/1/reactions/hv-safe': {
          body: {
            ok: true,
            run: { reaction: 'hv-safe', how: 'button', actor: 'user:olaf', state: 'done', result: 'applied the recipe safe: 4 configuration(s) activated', at: '2026-11-21T21:00:00Z' },
            alert: page({ can: { operate: true }, runs: [{ reaction: 'hv-safe', how: 'button', actor: 'user:olaf', state: 'done', result: 'applied the recipe safe', at: '2026-11-21T21:00:00Z' }] }),
          },
        },
      }),
    )
    ;({ wrapper } = await mountApp('/alerts/1'))
    await button(wrapper, 'hv-safe…').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Ramp the ECal HV down to 0 V?')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)
    await button(dialog, 'Run hv-safe').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ confirm: true })
    expect(wrapper.find('[role="status"]').text()).toBe('hv-safe done: applied the recipe safe: 4 configuration(s) activated')
    expect(region(wrapper, 'Reactions run').text()).toContain('applied the recipe safe')
  })

  it('says plainly when there is no such alert', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/alerts/99': { status: 404, body: { ok: false, error: 'There is no alert 99.', status: 404 } },
    })
    ;({ wrapper } = await mountApp('/alerts/99'))
    expect(wrapper.find('[role="alert"]').text()).toContain('There is no alert 99.')
  })
})
