import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, query, region } from '../finders.js'
import { devicesAnswer, finished, modulesAnswer, run } from '../commandsFixtures.js'

let wrapper
afterEach(() => wrapper?.unmount())

const operator = () => meAnswer(user({ username: 'olaf', display_name: 'Olaf', role: 'operator', memberships: [{ group: 'ecal', role: 'operator' }] }))

/** The commands page's server: the log answers log(request), a batch batch(request), a start start(request). */
function server(me, { log = () => [], batch = () => [], start = () => ({ status: 202, body: { ok: true, runs: [run()] } }), extra = {} } = {}) {
  return fakeServer({
    'GET /api/auth/me': me,
    'GET /api/commands': modulesAnswer,
    'GET /api/devices': devicesAnswer,
    'GET /api/commands/runs': (request) =>
      query(request).get('batch') ? { body: { ok: true, runs: batch(request) } } : { body: { ok: true, runs: log(request) } },
    'POST /api/commands/runs': (request) => start(request),
    ...extra,
  })
}

const posts = (seen) => seen.filter((r) => r.method === 'POST')
const choose = (w, key) => w.find(`[data-command="${key}"] input`).setValue(true)
const tick = (w, name) => w.find(`[data-device="${name}"] input[type="checkbox"]`).setValue(true)
const dialog = (w) => w.find('[role="dialog"]')
const runRow = (w, id, within = 'This run') => region(w, within).find(`tr[data-run-id="${id}"]`)

/** Set HV on channel 3 of sipm-ecal01 and sipm-ecal02 at this voltage, and press Run. */
async function setHv(w, volts) {
  await choose(w, 'sipm.set-hv')
  await tick(w, 'sipm-ecal01')
  await tick(w, 'sipm-ecal02')
  await field(w, 'Channel').setValue('3')
  await field(w, 'Volts (V)').setValue(volts)
  await region(w, 'Arguments').find('form').trigger('submit')
  await settle()
}

describe('commands page', () => {
  it('lists the commands by module with the role they need and a mark on those that change the hardware', async () => {
    server(operator())
    ;({ wrapper } = await mountApp('/commands'))
    expect(wrapper.find('h1').text()).toBe('Commands')
    const picker = region(wrapper, 'Command')
    expect(picker.find('legend').text()).toContain('sipm')
    const setHv = picker.find('[data-command="sipm.set-hv"]')
    expect(setHv.text()).toContain('operator')
    expect(setHv.text()).toContain('changes the hardware')
    expect(picker.find('[data-command="sipm.status"]').text()).not.toContain('changes the hardware')
    // An operator cannot choose the expert's power-cycle, and is told why.
    expect(picker.find('[data-command="sipm.power-cycle"] input').attributes('disabled')).toBeDefined()
    expect(picker.find('[data-command="sipm.power-cycle"]').text()).toContain(
      'Not for you: experts and above of ecal or veto.',
    )
    // The devices are those of the module's type, with the whole of a subsystem one click away.
    await choose(wrapper, 'sipm.set-hv')
    const devices = region(wrapper, 'Devices')
    expect(devices.findAll('[data-device]').map((d) => d.attributes('data-device'))).toEqual(['sipm-ecal01', 'sipm-ecal02', 'sipm-ecal03', 'sipm-pveto01'])
    await button(devices, 'ECal (3)').trigger('click')
    expect(devices.find('[data-testid="device-count"]').text()).toBe('3 of 4 chosen: sipm-ecal01, sipm-ecal02, sipm-ecal03')
    await devices.find('input[type="search"]').setValue('pveto')
    expect(devices.findAll('[data-device]')).toHaveLength(1)
    // The limits are shown before anything is sent.
    expect(region(wrapper, 'Arguments').text()).toContain('0 to 60 V · target bias, at most 60 V')
    expect(field(wrapper, 'Volts (V)').attributes('max')).toBe('60')
  })

  it('refuses a voltage above the limit next to the field without sending anything', async () => {
    const seen = server(operator())
    ;({ wrapper } = await mountApp('/commands'))
    await setHv(wrapper, '75')
    const volts = field(wrapper, 'Volts (V)')
    expect(volts.attributes('aria-invalid')).toBe('true')
    expect(wrapper.find(`#${volts.attributes('id')}-error`).text()).toBe('Volts must be at most 60 V (it is 75 V)')
    expect(region(wrapper, 'Arguments').find('[role="alert"]').text()).toBe('Nothing was sent: see the marked fields.')
    expect(dialog(wrapper).exists()).toBe(false)
    expect(posts(seen)).toHaveLength(0)
  })

  it('asks before a command that changes the hardware, repeating what will happen, and sends it confirmed', async () => {
    const seen = server(operator(), {
      start: (request) => ({ status: 202, body: { ok: true, runs: request.body.devices.map((device, i) => run({ id: 17 + i, device })) } }),
      batch: () => [finished({ id: 17 }), finished({ id: 18, device: 'sipm-ecal02' })],
    })
    ;({ wrapper } = await mountApp('/commands'))
    await setHv(wrapper, '38.5')
    expect(posts(seen)).toHaveLength(0)
    expect(dialog(wrapper).find('h2').text()).toBe('Set HV: this changes the hardware')
    expect(dialog(wrapper).text()).toContain('Set channel 3 to 38.5 V on 2 devices: sipm-ecal01, sipm-ecal02.')
    const yes = button(dialog(wrapper), 'Set HV on 2 devices')
    expect(document.activeElement).toBe(yes.element)

    await dialog(wrapper).find('form').trigger('submit')
    await settle()
    expect(posts(seen)).toHaveLength(1)
    expect(posts(seen)[0].body).toEqual({
      command: 'sipm.set-hv',
      devices: ['sipm-ecal01', 'sipm-ecal02'],
      arguments: { channel: 3, volts: 38.5 },
      confirm: true,
    })
    expect(dialog(wrapper).exists()).toBe(false)
    expect(wrapper.find('[role="status"]').text()).toBe('Started: Set channel 3 to 38.5 V on 2 devices: sipm-ecal01, sipm-ecal02.')
    expect(region(wrapper, 'This run').findAll('tbody tr[data-run-id]')).toHaveLength(2)
  })

  it('sends nothing when the confirmation is cancelled', async () => {
    const seen = server(operator())
    ;({ wrapper } = await mountApp('/commands'))
    await setHv(wrapper, '38.5')
    await button(dialog(wrapper), 'Cancel').trigger('click')
    await settle()
    expect(dialog(wrapper).exists()).toBe(false)
    expect(posts(seen)).toHaveLength(0)
  })

  it('follows the runs it started every second until they end, with state, duration, summary, exit code and output', async () => {
    let current = [run({ id: 17 })]
    const seen = server(operator(), {
      start: () => ({ status: 202, body: { ok: true, runs: [run({ id: 17, arguments: {}, command: 'sipm.status' })] } }),
      batch: () => current,
    })
    ;({ wrapper } = await mountApp('/commands'))
    await choose(wrapper, 'sipm.status')
    await tick(wrapper, 'sipm-ecal01')
    await region(wrapper, 'Arguments').find('form').trigger('submit')
    await settle()
    expect(posts(seen)[0].body).toEqual({ command: 'sipm.status', devices: ['sipm-ecal01'], arguments: {}, confirm: false })
    expect(runRow(wrapper, 17).find('[data-testid="run-state"]').attributes('data-state')).toBe('running')
    expect(button(runRow(wrapper, 17), 'Cancel run 17 on sipm-ecal01')).toBeDefined()

    await until(() => seen.filter((r) => query(r).get('batch') === 'b17').length >= 1, { timeout: 3000 })
    current = [finished({ id: 17, command: 'sipm.status', arguments: {}, message: '32 of 32 channels on, 26.4 °C', output: 'board sipm-ecal01 firmware 3.2\n' })]
    await until(() => runRow(wrapper, 17).find('[data-testid="run-state"]').attributes('data-state') === 'done', { timeout: 4000 })
    const row = runRow(wrapper, 17)
    expect(row.find('[data-testid="run-message"]').text()).toBe('32 of 32 channels on, 26.4 °C')
    expect(row.find('[data-testid="run-exit"]').text()).toBe('exit code 0')
    expect(row.find('[data-testid="run-duration"]').text()).toBe('0.12 s')
    expect(button(row, 'Cancel run 17 on sipm-ecal01')).toBeUndefined()
    await button(row, 'Output of run 17').trigger('click')
    expect(region(wrapper, 'This run').find('[data-testid="run-output"]').text()).toBe('board sipm-ecal01 firmware 3.2')
    expect(region(wrapper, 'This run').find('[data-testid="batch-counts"]').text()).toBe('1 done')

    // Once they have ended it stops asking.
    const asked = seen.filter((r) => query(r).get('batch')).length
    await new Promise((resolve) => setTimeout(resolve, 1300))
    expect(seen.filter((r) => query(r).get('batch')).length).toBe(asked)
  })

  it('cancels a running run', async () => {
    const seen = server(operator(), {
      log: () => [run({ id: 21, command: 'sipm.hv-off', arguments: { channel: 2 } })],
      extra: { 'POST /api/commands/runs/21/cancel': { body: { ok: true, run: run({ id: 21, cancel_requested: true }) } } },
    })
    ;({ wrapper } = await mountApp('/commands'))
    const row = runRow(wrapper, 21, 'Run log')
    expect(row.text()).toContain('channel 2')
    await button(row, 'Cancel run 21 on sipm-ecal01').trigger('click')
    await settle()
    expect(posts(seen).map((r) => r.path)).toEqual(['/api/commands/runs/21/cancel'])
    // The log is asked again at once.
    expect(seen.filter((r) => r.path === '/api/commands/runs' && r.method === 'GET').length).toBeGreaterThanOrEqual(2)
  })

  it('shows the server’s sentence next to the field when it refuses an argument', async () => {
    const refusal = 'sipm.set-hv was not run: volts must be at most 55 V (it is 58 V).'
    server(operator(), { start: () => error(400, refusal, { errors: [{ field: 'volts', error: 'must be at most 55 V (it is 58 V)' }] }) })
    ;({ wrapper } = await mountApp('/commands'))
    await setHv(wrapper, '58')
    await dialog(wrapper).find('form').trigger('submit')
    await settle()
    expect(dialog(wrapper).exists()).toBe(false)
    const volts = field(wrapper, 'Volts (V)')
    expect(wrapper.find(`#${volts.attributes('id')}-error`).text()).toBe('Volts must be at most 55 V (it is 58 V)')
    expect(region(wrapper, 'Arguments').find('[role="alert"]').text()).toBe(refusal)
  })

  it('shows the server’s sentence when a device is busy', async () => {
    const busy = 'sipm-ecal01 is busy with sipm.set-hv (run 17, by user:otto); wait for it to end or cancel it.'
    server(operator(), { start: () => error(409, busy) })
    ;({ wrapper } = await mountApp('/commands'))
    await choose(wrapper, 'sipm.hv-off')
    await tick(wrapper, 'sipm-ecal01')
    await field(wrapper, 'Channel').setValue('4')
    await region(wrapper, 'Arguments').find('form').trigger('submit')
    await settle()
    expect(region(wrapper, 'Arguments').find('[role="alert"]').text()).toBe(busy)
    expect(wrapper.find('[data-testid="batch"]').exists()).toBe(false)
  })

  it('runs with Ctrl+Enter from a field', async () => {
    const seen = server(operator())
    ;({ wrapper } = await mountApp('/commands'))
    await choose(wrapper, 'sipm.hv-off')
    await tick(wrapper, 'sipm-ecal02')
    const channel = field(wrapper, 'Channel')
    await channel.setValue('7')
    await channel.trigger('keydown', { key: 'Enter', ctrlKey: true })
    await settle()
    expect(posts(seen).map((r) => r.body)).toEqual([{ command: 'sipm.hv-off', devices: ['sipm-ecal02'], arguments: { channel: 7 }, confirm: false }])
  })

  it('gives a viewer no operator command to choose, says why, and keeps Run off on a device they only view', async () => {
    const seen = server(meAnswer(viewer({ memberships: [{ group: 'ecal', role: 'viewer' }, { group: 'veto', role: 'operator' }] })))
    ;({ wrapper } = await mountApp('/commands?command=sipm.set-hv&device=sipm-ecal01'))
    const picker = region(wrapper, 'Command')
    // Operator of veto: set-hv can be chosen for sipm-pveto01, not on sipm-ecal01.
    expect(picker.find('[data-command="sipm.set-hv"] input').element.checked).toBe(true)
    expect(region(wrapper, 'Devices').find('[data-testid="device-count"]').text()).toContain('sipm-ecal01')
    const arguments_ = region(wrapper, 'Arguments')
    expect(arguments_.find('[data-testid="run-blocked"]').text()).toBe(
      'sipm.set-hv is for operators of ecal and those above them; you are a viewer there. Untick sipm-ecal01.',
    )
    expect(button(arguments_, 'Run on sipm-ecal01').attributes('disabled')).toBeDefined()
    expect(region(wrapper, 'Devices').find('[data-device="sipm-ecal01"]').text()).toContain('not for you (operators)')
    await field(wrapper, 'Channel').setValue('3')
    await field(wrapper, 'Volts (V)').trigger('keydown', { key: 'Enter', ctrlKey: true })
    await settle()
    expect(posts(seen)).toHaveLength(0)
  })

  it('gives someone with no role in the boards’ groups no command to choose, and says why', async () => {
    server(meAnswer(viewer({ memberships: [{ group: 'beam', role: 'viewer' }] })))
    ;({ wrapper } = await mountApp('/commands'))
    const picker = region(wrapper, 'Command')
    for (const key of ['sipm.status', 'sipm.set-hv', 'sipm.hv-off', 'sipm.power-cycle']) {
      expect(picker.find(`[data-command="${key}"] input`).attributes('disabled')).toBeDefined()
    }
    expect(picker.find('[data-command="sipm.set-hv"]').text()).toContain(
      'Not for you: operators and above of ecal or veto.',
    )
    expect(region(wrapper, 'Arguments').find('[data-testid="none-allowed"]').text()).toContain('None of these commands is yours to run')
  })

  it('filters the run log by device', async () => {
    const seen = server(operator(), {
      log: (request) => (query(request).get('device') === 'sipm-ecal02' ? [finished({ id: 5, device: 'sipm-ecal02' })] : [finished({ id: 4 }), finished({ id: 5, device: 'sipm-ecal02' })]),
    })
    ;({ wrapper } = await mountApp('/commands'))
    expect(region(wrapper, 'Run log').findAll('tbody tr[data-run-id]')).toHaveLength(2)
    await field(wrapper, 'Device').setValue('sipm-ecal02')
    await settle()
    const asked = seen.filter((r) => r.path === '/api/commands/runs').at(-1)
    expect(query(asked).get('device')).toBe('sipm-ecal02')
    expect(region(wrapper, 'Run log').findAll('tbody tr[data-run-id]').map((r) => r.attributes('data-device'))).toEqual(['sipm-ecal02'])
  })
})
