// Answers of the commands API, as the server gives them, for the specs.

const CHANNEL = { name: 'channel', type: 'int', minimum: 0, maximum: 31, unit: '', choices: [], default: null, required: true, help: 'channel number, 0 to 31' }

export const SIPM = {
  name: 'sipm',
  description: 'SiPM high-voltage controller boards (32 channels up to 60 V), through sipm-ctl',
  device_types: ['sipm'],
  source: 'entry point dcs.commands.sipm:module',
  commands: [
    { module: 'sipm', name: 'status', key: 'sipm.status', summary: "Read the board: temperature and every channel's state, voltages and current", args: [], role: 'viewer', danger: 'safe', timeout_s: 10 },
    {
      module: 'sipm',
      name: 'set-hv',
      key: 'sipm.set-hv',
      summary: "Set a channel's bias voltage (it ramps there if the channel is on)",
      args: [CHANNEL, { name: 'volts', type: 'float', minimum: 0, maximum: 60, unit: 'V', choices: [], default: null, required: true, help: 'target bias, at most 60 V' }],
      role: 'operator',
      danger: 'confirm',
      timeout_s: 30,
    },
    { module: 'sipm', name: 'hv-off', key: 'sipm.hv-off', summary: "Ramp a channel's high voltage down and switch it off (clears a trip)", args: [CHANNEL], role: 'operator', danger: 'safe', timeout_s: 30 },
    { module: 'sipm', name: 'power-cycle', key: 'sipm.power-cycle', summary: 'Switch the board off and on: every channel goes to 0 V', args: [], role: 'expert', danger: 'confirm', timeout_s: 20 },
  ],
}

export const modulesAnswer = { body: { ok: true, modules: [SIPM] } }

export function board(name, overrides = {}) {
  return { name, dettype: 'sipm', detid: name.slice(5), description: `SiPM HV board ${name}`, subsystem: 'ECal', group: 'ecal', ...overrides }
}

export const BOARDS = [board('sipm-ecal01'), board('sipm-ecal02'), board('sipm-ecal03'), board('sipm-pveto01', { subsystem: 'PVeto', group: 'veto' })]
export const devicesAnswer = { body: { ok: true, devices: BOARDS } }

export function run(overrides = {}) {
  return {
    id: 17,
    batch: 'b17',
    command: 'sipm.set-hv',
    device: 'sipm-ecal01',
    arguments: { channel: 3, volts: 38.5 },
    actor: 'user:olaf',
    state: 'running',
    exit_code: null,
    output: '',
    errors: '',
    message: '',
    result: {},
    started: '2026-11-21T21:00:00.000000000+00:00',
    finished: null,
    duration_s: null,
    cancel_requested: false,
    ...overrides,
  }
}

export const finished = (overrides = {}) =>
  run({
    state: 'done',
    exit_code: 0,
    output: 'ok ch 3 set_v 38.50 ramp 0.2 s\n',
    message: 'channel 3 set to 38.50 V',
    finished: '2026-11-21T21:00:00.120000000+00:00',
    duration_s: 0.12,
    ...overrides,
  })

/** A status result: every channel on at 38 V but those given ({3: {set_v: 38.5}, 7: {state: 'trip'}}). */
export function statusResult(changes = {}) {
  const channels = Array.from({ length: 32 }, (_, ch) => ({ ch, state: 'on', set_v: 38, mon_v: 37.99, i_ua: 2.1, ...(changes[ch] ?? {}) }))
  return { board: 'sipm-ecal01', firmware: '3.2', uptime_s: 3600, temp_c: 26.4, channels }
}
