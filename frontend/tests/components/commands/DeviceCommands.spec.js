import { afterEach, describe, expect, it } from 'vitest'
import { fakeServer, meAnswer, user, viewer } from '../../fakeServer.js'
import { mountApp, settle, until } from '../../mountApp.js'
import { button, field, query, region } from '../../finders.js'
import { finished, modulesAnswer, run, statusResult } from '../../commandsFixtures.js'

let wrapper
afterEach(() => wrapper?.unmount())

const operator = () => meAnswer(user({ username: 'olaf', role: 'operator', memberships: [{ group: 'ecal', role: 'operator' }] }))
const page = (name, dettype = 'sipm') => ({
  name,
  dettype,
  subsystem: 'ECal',
  group: 'ecal',
  type: { name: dettype, group: 'ecal' },
  ports: [],
  connections: [],
  placements: [],
  aliases: [],
  behind_count: 0,
  can: { edit: false },
})

function server(me, runs, extra = {}) {
  return fakeServer({
    'GET /api/auth/me': me,
    'GET /api/devices/sipm-ecal01': { body: { ok: true, device: page('sipm-ecal01') } },
    'GET /api/commands': modulesAnswer,
    'GET /api/commands/runs': (request) => ({ body: { ok: true, runs: runs(request) } }),
    ...extra,
  })
}

const commands = (w) => region(w, 'Commands')
const cell = (w, ch) => commands(w).find(`[data-channel="${ch}"]`)
const dialogs = () => document.querySelectorAll('[role="dialog"]')

describe('commands on a device’s page', () => {
  it('has a button a command and the channels of the latest good status as a grid, coloured by state', async () => {
    const seen = server(operator(), () => [
      finished({ id: 30, command: 'sipm.status', state: 'failed', exit_code: 1, message: 'error: board not answering', result: {} }),
      finished({ id: 29, command: 'sipm.status', arguments: {}, message: '31 of 32 channels on', result: statusResult({ 3: { set_v: 38.5, mon_v: 38.49 }, 7: { state: 'trip', mon_v: 0, i_ua: 0 } }) }),
      finished({ id: 28 }),
    ])
    ;({ wrapper } = await mountApp('/devices/sipm-ecal01'))
    expect(query(seen.find((r) => r.path === '/api/commands/runs')).get('device')).toBe('sipm-ecal01')
    const labels = commands(wrapper).findAll('[role="group"] button').map((b) => b.text())
    expect(labels).toEqual(['Status', 'Set HV…', 'HV off…', 'Power cycle…'])
    // The expert's power cycle is greyed out for an operator, and the page says why.
    expect(button(commands(wrapper), 'Power cycle…').attributes('disabled')).toBeDefined()
    expect(commands(wrapper).find('[data-testid="commands-refused"]').text()).toBe('Power cycle is for experts and above of ecal. You are an operator there.')

    expect(commands(wrapper).findAll('[data-channel]')).toHaveLength(32)
    expect(cell(wrapper, 3).find('[data-testid="set-v"]').text()).toBe('38.5 V')
    expect(cell(wrapper, 3).attributes('aria-label')).toBe('channel 3: on, set 38.5 V, monitored 38.49 V, 2.1 µA')
    expect(cell(wrapper, 3).classes()).toContain('health-ok')
    expect(cell(wrapper, 7).classes()).toContain('health-alarm')
    expect(commands(wrapper).text()).toContain('31 on')
    expect(commands(wrapper).text()).toContain('1 tripped')
    // The last runs, with the failed status first.
    expect(commands(wrapper).findAll('tbody tr[data-run-id]').map((r) => r.attributes('data-run-id'))).toEqual(['30', '29', '28'])
  })

  it('reads the status with one press and shows the channels once the run is done', async () => {
    let runs = []
    const seen = server(operator(), () => runs, {
      'POST /api/commands/runs': () => {
        runs = [run({ id: 40, command: 'sipm.status', arguments: {} })]
        return { status: 202, body: { ok: true, runs } }
      },
    })
    ;({ wrapper } = await mountApp('/devices/sipm-ecal01'))
    expect(commands(wrapper).text()).toContain('No status read yet')
    await button(commands(wrapper), 'Read status').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ command: 'sipm.status', devices: ['sipm-ecal01'], arguments: {}, confirm: false })
    expect(wrapper.find('[role="status"]').text()).toBe('Started: Read the status of every channel on sipm-ecal01.')
    expect(commands(wrapper).find('tr[data-run-id="40"] [data-testid="run-state"]').attributes('data-state')).toBe('running')
    runs = [finished({ id: 40, command: 'sipm.status', arguments: {}, result: statusResult({ 3: { set_v: 38.5 } }) })]
    await until(() => commands(wrapper).findAll('[data-channel]').length === 32, { timeout: 4000 })
    expect(cell(wrapper, 3).find('[data-testid="set-v"]').text()).toBe('38.5 V')
  })

  it('opens a command’s form for this device; its confirmation closes alone on Esc, and Yes sends it confirmed', async () => {
    const seen = server(operator(), () => [], {
      'POST /api/commands/runs': (request) => ({ status: 202, body: { ok: true, runs: [run({ id: 41, arguments: request.body.arguments })] } }),
    })
    ;({ wrapper } = await mountApp('/devices/sipm-ecal01'))
    await button(commands(wrapper), 'Set HV…').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.find('h2').text()).toBe('Set HV on sipm-ecal01')
    expect(document.activeElement).toBe(field(dialog, 'Channel').element)
    await field(dialog, 'Channel').setValue('3')
    await field(dialog, 'Volts (V)').setValue('61')
    await dialog.find('form').trigger('submit')
    await settle()
    expect(dialog.text()).toContain('Volts must be at most 60 V (it is 61 V)')
    await field(dialog, 'Volts (V)').setValue('38.5')
    await field(dialog, 'Volts (V)').trigger('keydown', { key: 'Enter', ctrlKey: true })
    await settle()
    expect(dialogs()).toHaveLength(2)
    expect(dialogs()[1].textContent).toContain('Set channel 3 to 38.5 V on sipm-ecal01.')

    document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }))
    await settle()
    expect(dialogs()).toHaveLength(1)
    expect(seen.some((r) => r.method === 'POST')).toBe(false)

    await field(dialog, 'Volts (V)').trigger('keydown', { key: 'Enter', ctrlKey: true })
    await settle()
    dialogs()[1].querySelector('button[data-autofocus]').click()
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      command: 'sipm.set-hv',
      devices: ['sipm-ecal01'],
      arguments: { channel: 3, volts: 38.5 },
      confirm: true,
    })
    expect(dialogs()).toHaveLength(0)
    expect(wrapper.find('[role="status"]').text()).toBe('Started: Set channel 3 to 38.5 V on sipm-ecal01.')
    expect(commands(wrapper).find('tr[data-run-id="41"]').exists()).toBe(true)
  })

  it('gives a viewer the status and nothing that changes the board', async () => {
    server(meAnswer(viewer()), () => [run({ id: 50, command: 'sipm.set-hv' })])
    ;({ wrapper } = await mountApp('/devices/sipm-ecal01'))
    expect(button(commands(wrapper), 'Status').attributes('disabled')).toBeUndefined()
    for (const label of ['Set HV…', 'HV off…', 'Power cycle…']) {
      expect(button(commands(wrapper), label).attributes('disabled')).toBeDefined()
    }
    expect(commands(wrapper).find('[data-testid="commands-refused"]').text()).toBe(
      'Set HV and HV off are for operators and above of ecal. Power cycle is for experts and above. You are a viewer there.',
    )
    // Not theirs to cancel either.
    expect(commands(wrapper).find('tr[data-run-id="50"]').text()).not.toContain('Cancel')
  })

  it('is not there for a device whose type has no command module', async () => {
    fakeServer({
      'GET /api/auth/me': operator(),
      'GET /api/devices/cspad-0001': { body: { ok: true, device: { ...page('cspad-0001', 'cspad') } } },
      'GET /api/commands': modulesAnswer,
    })
    ;({ wrapper } = await mountApp('/devices/cspad-0001'))
    expect(wrapper.find('h1').text()).toBe('Device cspad-0001')
    expect(wrapper.findAll('h2').map((h) => h.text())).not.toContain('Commands')
  })
})
