import { vi } from 'vitest'

// Answers of the monitoring and alerts API, as the server gives them, for the specs.

export const NOW = '2026-11-21T21:00:00.000000000+00:00'

export function alert(overrides = {}) {
  return {
    id: 7,
    device: 'mainframe-pveto',
    subsystem: 'PVeto',
    group: 'ecal',
    kind: 'heartbeat',
    parameter: null,
    unit: '',
    severity: 'alarm',
    state: 'active',
    bad: true,
    latching: true,
    message: 'No heartbeat from mainframe-pveto for 7 s (it beats every 5 s, 2 s grace)',
    value: null,
    raised: '2026-11-21T20:59:00.000000000+00:00',
    changed: '2026-11-21T20:59:00.000000000+00:00',
    cleared: null,
    acked_by: null,
    acked: null,
    ack_comment: '',
    shelved: false,
    shelved_until: null,
    shelved_by: null,
    shelve_comment: '',
    suppressed_by: null,
    guidance: '',
    ...overrides,
  }
}

export function parameter(overrides = {}) {
  return {
    id: 3,
    device: 'sipm-ecal08',
    name: 'temperature',
    unit: 'degC',
    nominal: 25,
    alarm_low: 10,
    warn_low: 15,
    warn_high: 32,
    alarm_high: 38,
    deadband: 0.5,
    delay_s: 0,
    n_bad: 1,
    m_window: 1,
    alarm_severity: 'alarm',
    latching: true,
    guidance: 'Check the chiller.\nThen ramp down the HV.',
    last: '2026-11-21T20:59:50.000000000+00:00',
    last_value: 35.2,
    updated: '2026-11-21T20:00:00.000000000+00:00',
    alert: { id: 1, severity: 'warning', state: 'active' },
    ...overrides,
  }
}

export function watch(overrides = {}) {
  return {
    device: 'sipm-ecal08',
    state: 'up',
    period_s: 60,
    grace_s: 30,
    severity: 'alarm',
    last: '2026-11-21T20:59:48.000000000+00:00',
    last_seq: 12,
    last_signal: 'beat',
    last_status: 'HV on',
    exit_code: null,
    started: '2026-11-21T20:00:00.000000000+00:00',
    beats: 61,
    paused_until: null,
    pause_comment: '',
    changed: '2026-11-21T20:00:00.000000000+00:00',
    ...overrides,
  }
}

export function panel(overrides = {}) {
  return {
    ok: true,
    device: 'sipm-ecal08',
    heartbeat: watch(),
    heartbeats: [{ received: '2026-11-21T20:59:48.000000000+00:00', seq: 12, signal: 'beat', exit_code: null, status: 'HV on', source: 'token:ctl' }],
    parameters: [parameter(), parameter({ id: 4, name: 'hv_current', unit: 'uA', nominal: 2, alarm_low: null, warn_low: null, warn_high: 4, alarm_high: 6, last_value: 1.93, alert: null, guidance: '' })],
    alerts: [alert({ id: 1, device: 'sipm-ecal08', subsystem: 'ECal', kind: 'limit', parameter: 'temperature', unit: 'degC', severity: 'warning', value: 35.2, message: 'sipm-ecal08 temperature is 35.2 degC, above its warn high limit of 32 degC' })],
    suppressed_by: null,
    now: NOW,
    can: { operate: false, configure: false },
    ...overrides,
  }
}

export function series(overrides = {}) {
  return {
    ok: true,
    parameter: parameter(),
    from: '2026-11-20T21:00:00+00:00',
    to: NOW,
    t: [1795200000, 1795200060, 1795200120],
    min: [24, 25, 26],
    mean: [25, 26, 27],
    max: [26, 27, 28],
    count: [10, 10, 10],
    source: 'raw',
    bucket_s: 60,
    ...overrides,
  }
}

export const engine = (overrides = {}) => ({
  holder: 'vm:1234',
  beat: NOW,
  ticks: 1200,
  stalled: false,
  since_s: 0.4,
  last_error: null,
  message: 'The alert engine is running.',
  ...overrides,
})

/** Something that takes every method call (a canvas path, a context). */
const sink = (target = {}) => new Proxy(target, { get: (t, key) => (key in t ? t[key] : () => {}) })

/**
 * uPlot draws on a canvas, which jsdom does not have: a 2D context that takes every call, Path2D and a
 * matchMedia (uPlot watches the pixel ratio with it). Only for specs that mount a plot.
 */
export function stubCanvas() {
  vi.stubGlobal('matchMedia', () => ({ matches: false, addEventListener() {}, removeEventListener() {} }))
  vi.stubGlobal(
    'Path2D',
    class {
      constructor() {
        return sink(this)
      }
    },
  )
  const calls = []
  const ctx = new Proxy(
    {},
    {
      get(target, key) {
        if (key in target) return target[key]
        return (...args) => {
          calls.push(key)
          return key === 'measureText' ? { width: 8 * String(args[0] ?? '').length } : undefined
        }
      },
      set(target, key, value) {
        target[key] = value
        return true
      },
    },
  )
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(ctx)
  return calls
}
