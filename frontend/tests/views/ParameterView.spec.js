import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, query, region } from '../finders.js'
import { panel, parameter, series, stubCanvas } from '../monitoringFixtures.js'

let wrapper
afterEach(() => wrapper?.unmount())
beforeEach(() => stubCanvas())

const PATH = '/api/monitoring/devices/sipm-ecal08/parameters/temperature'
const expert = () => meAnswer(user({ username: 'erin', memberships: [{ group: 'ecal', role: 'expert' }] }))

function routes(me, can, extra = {}) {
  return {
    'GET /api/auth/me': me,
    'GET /api/monitoring/devices/sipm-ecal08': { body: panel({ can }) },
    [`GET ${PATH}/series`]: { body: series() },
    ...extra,
  }
}

describe('parameter page', () => {
  it('shows the latest value against the limits, the plot of the series and downloads of the window', async () => {
    const seen = fakeServer(routes(meAnswer(viewer()), { operate: false, configure: false }))
    ;({ wrapper } = await mountApp('/monitoring/devices/sipm-ecal08/temperature'))
    expect(wrapper.find('h1').text()).toBe('temperature of sipm-ecal08')
    expect(wrapper.find('.latest').text()).toBe('35.2 degC')
    expect(wrapper.find('.latest').classes()).toContain('level-warning')
    expect(wrapper.text()).toContain('alarm < 10 · warn < 15 · warn > 32 · alarm > 38')

    await until(() => wrapper.find('[data-testid="series-plot"]').attributes('data-points') === '3')
    const asked = query(seen.find((r) => r.path === `${PATH}/series`))
    const from = Number(asked.get('from'))
    const to = Number(asked.get('to'))
    expect(to - from).toBe(86400) // the last 24 h
    expect(wrapper.find('[data-testid="series-plot"] canvas').exists()).toBe(true)
    expect(wrapper.find('[data-testid="series-plot"]').attributes('aria-label')).toContain('warn high 32 degC')

    const csv = wrapper.findAll('a').find((a) => a.text() === 'CSV').attributes('href')
    expect(csv).toBe(`${PATH}/export?format=csv&from=${from}&to=${to}`)
    // Viewers: no limits editor.
    expect(wrapper.findAll('h2').map((h) => h.text())).not.toContain('Limits')
  })

  it('asks for another window when a range is picked', async () => {
    const seen = fakeServer(routes(meAnswer(viewer()), { operate: false, configure: false }))
    ;({ wrapper } = await mountApp('/monitoring/devices/sipm-ecal08/temperature'))
    await button(wrapper, '1 h').trigger('click')
    await settle()
    const asked = query(seen.filter((r) => r.path === `${PATH}/series`).at(-1))
    expect(Number(asked.get('to')) - Number(asked.get('from'))).toBe(3600)
    expect(button(wrapper, '1 h').attributes('aria-pressed')).toBe('true')
  })

  it('lets an expert change the limits and shows the server’s sentence next to each field it refuses', async () => {
    const seen = fakeServer(
      routes(expert(), { operate: true, configure: true }, {
        [`PUT ${PATH}`]: error(400, 'The limits are not valid: warn high must not be below warn low (12 < 15).', {
          errors: [{ field: 'warn_high', error: 'must not be below warn low (12 < 15)' }],
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/monitoring/devices/sipm-ecal08/temperature'))
    const limits = region(wrapper, 'Limits')
    await field(limits, 'Warn high').setValue('12')
    await field(limits, 'Alarm low').setValue('')
    await field(limits, 'Warn high').trigger('keydown', { key: 'Enter', ctrlKey: true })
    await settle()

    const put = seen.find((r) => r.method === 'PUT')
    expect(put.body).toEqual({
      unit: 'degC',
      nominal: 25,
      alarm_low: null,
      warn_low: 15,
      warn_high: 12,
      alarm_high: 38,
      deadband: 0.5,
      delay_s: 0,
      n_bad: 1,
      m_window: 1,
      alarm_severity: 'alarm',
      latching: true,
      guidance: 'Check the chiller.\nThen ramp down the HV.',
    })
    const warnHigh = field(limits, 'Warn high')
    expect(warnHigh.attributes('aria-invalid')).toBe('true')
    expect(limits.find(`#${warnHigh.attributes('aria-describedby').split(' ').at(-1)}`).text()).toBe(
      'must not be below warn low (12 < 15)',
    )
    expect(limits.find('[role="alert"]').text()).toContain('The limits are not valid')
  })

  it('checks the numbers before sending and saves what is right', async () => {
    const seen = fakeServer(
      routes(expert(), { operate: true, configure: true }, {
        [`PUT ${PATH}`]: (request) => ({ body: { ok: true, parameter: parameter({ ...request.body, alert: undefined }) } }),
      }),
    )
    ;({ wrapper } = await mountApp('/monitoring/devices/sipm-ecal08/temperature'))
    const limits = region(wrapper, 'Limits')
    await field(limits, 'N bad').setValue('1.5')
    await limits.find('form').trigger('submit')
    await settle()
    expect(seen.some((r) => r.method === 'PUT')).toBe(false)
    expect(limits.text()).toContain('Give a whole number.')

    await field(limits, 'N bad').setValue('2')
    await field(limits, 'of M samples').setValue('3')
    await button(limits, 'Save limits').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'PUT').body).toMatchObject({ n_bad: 2, m_window: 3 })
    expect(wrapper.find('[role="status"]').text()).toBe('Limits of temperature saved.')
  })

  it('says plainly when the device has no such parameter', async () => {
    fakeServer(routes(meAnswer(viewer()), { operate: false, configure: false }))
    ;({ wrapper } = await mountApp('/monitoring/devices/sipm-ecal08/pressure'))
    expect(wrapper.find('[role="alert"]').text()).toContain('sipm-ecal08 has no parameter named “pressure”.')
  })
})
