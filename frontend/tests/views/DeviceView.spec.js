import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, region } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const CAN_EDIT = { edit: true, write_config: true, activate: true }
const CANNOT = { edit: false, write_config: false, activate: false }

const connection = (id, from, to, kind = 'HV') => ({
  id,
  from,
  to,
  kind,
  note: '',
  created_by: 'system:demo',
  created: '2026-11-21T19:51:14Z',
})

function page(overrides = {}) {
  return {
    name: 'sipm-ecal07',
    dettype: 'sipm',
    detid: 'ecal07',
    description: 'ECal SiPM HV board 7',
    subsystem: 'ECal',
    group: 'padme-ecal',
    hw_index: '20.26.7.7.0.3.2',
    firmware: '3.2',
    address: { host: 'hv-ecal.example.org', port: 1470, crate: 1, slot: 7 },
    created: '2026-11-21T19:51:12Z',
    updated: null,
    predecessors: ['sipm-ecal00'],
    successors: [],
    predecessor: 'sipm-ecal00',
    type: { name: 'sipm', description: 'SiPM HV controller board', group: 'padme-ecal', schema_version: 2, ports: [] },
    ports: [
      { name: 'bus', kind: 'network' },
      { name: 'ch00', kind: 'HV' },
      { name: 'ch01', kind: 'HV' },
    ],
    placements: [
      {
        id: 8,
        device: 'sipm-ecal07',
        instrument: 'BTF',
        hatch: 'BTF-hall',
        experiment: 'padme-run3',
        begin: '2026-09-19T11:06:40Z',
        end: null,
        note: '',
      },
    ],
    aliases: [{ id: 3, alias: 'Ecal.0:Board.7', detname: 'sipm-ecal07', begin: '2026-10-19T11:06:40Z', end: null }],
    connections: [
      connection(446, 'sipm-ecal07:ch00', 'bgo-192:hv'),
      connection(12, 'mainframe-ecal:slot07', 'sipm-ecal07:bus', 'network'),
    ],
    behind_count: 2,
    config: { type_version: 2, device_version: 1, versions: 3, problems: [] },
    live: { read: '2026-11-21T19:51:19Z', matches: false, counts: { ok: 67, drift: 1, missing: 0, extra: 0 } },
    calibrations: [{ workspace: 'default', ctype: 'gain', versions: 2 }],
    can: CANNOT,
    ...overrides,
  }
}

const behind = [
  { name: 'bgo-192', depth: 1, via: 'sipm-ecal07', kind: 'HV' },
  { name: 'v1742-ecal07', depth: 2, via: 'bgo-192', kind: 'readout' },
]

function routes(current, extra = {}) {
  return {
    'GET /api/auth/me': meAnswer(viewer()),
    'GET /api/devices/sipm-ecal07': () => ({ body: { ok: true, device: current() } }),
    'GET /api/devices/sipm-ecal07/behind': { body: { ok: true, device: 'sipm-ecal07', behind } },
    ...extra,
  }
}

const expert = () => meAnswer(user({ username: 'elena', memberships: [{ group: 'padme-ecal', role: 'expert' }] }), ['read', 'topology.write'])
const dialog = (w) => w.find('[role="dialog"]')
const writes = (seen) => seen.filter((r) => r.method !== 'GET')

describe('device page', () => {
  it('shows what the device is, where it is, how it is connected and what hangs off it', async () => {
    fakeServer(routes(() => page()))
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    expect(wrapper.find('h1').text()).toBe('Device sipm-ecal07')

    const about = region(wrapper, 'About')
    expect(about.text()).toContain('SiPM HV controller board')
    expect(about.text()).toContain('20.26.7.7.0.3.2')
    expect(about.text()).toContain('host hv-ecal.example.org, port 1470, crate 1, slot 7')
    expect(about.find('a').attributes('href')).toBe('/devices/sipm-ecal00')

    expect(region(wrapper, 'Placements').find('tbody tr').text()).toContain('padme-run3')
    expect(region(wrapper, 'Aliases').find('tbody th').text()).toBe('Ecal.0:Board.7')

    const ports = region(wrapper, 'Ports and connections').findAll('tbody tr')
    expect(ports.map((r) => r.find('th').text())).toEqual(['bus', 'ch00', 'ch01'])
    expect(ports[0].text()).toContain('← from')
    expect(ports[0].find('a').attributes('href')).toBe('/devices/mainframe-ecal')
    expect(ports[1].text()).toContain('→ to')
    expect(ports[1].find('a').attributes('href')).toBe('/devices/bgo-192')
    expect(ports[2].text()).toContain('free')

    const hanging = region(wrapper, 'Behind this device')
    expect(hanging.text()).toContain('2 devices hang off this device')
    expect(hanging.findAll('summary').map((s) => s.text())).toEqual(['1 device 1 step away', '1 device 2 steps away'])
    expect(hanging.text()).toContain('via bgo-192')

    const config = region(wrapper, 'Configuration')
    expect(config.text()).toContain('version 2 of sipm active')
    expect(config.text()).toContain('version 1 active')
    expect(config.find('a').attributes('href')).toBe('/configurations/devices/sipm-ecal07')
    const live = region(wrapper, 'Live values')
    expect(live.text()).toContain('1 drifting parameter')
    expect(live.find('a').attributes('href')).toBe('/configurations/devices/sipm-ecal07#live')
    const calib = region(wrapper, 'Calibrations')
    expect(calib.text()).toContain('gain in default: 2 versions')
    expect(calib.find('a').attributes('href')).toBe('/calibrations/sipm-ecal07')
  })

  it('follows a link to another device and shows that one', async () => {
    fakeServer(
      routes(() => page(), {
        'GET /api/devices/sipm-ecal00': {
          body: { ok: true, device: page({ name: 'sipm-ecal00', predecessors: [], successors: ['sipm-ecal07'], behind_count: 0 }) },
        },
      }),
    )
    const mounted = await mountApp('/devices/sipm-ecal07')
    wrapper = mounted.wrapper
    await region(wrapper, 'About').find('a').trigger('click')
    await until(() => wrapper.find('h1').text() === 'Device sipm-ecal00')
    expect(region(wrapper, 'About').find('a').attributes('href')).toBe('/devices/sipm-ecal07')
    expect(region(wrapper, 'Behind this device').text()).toContain('Nothing hangs off this device')
  })

  it('folds a long group of what hangs off the device', async () => {
    const many = Array.from({ length: 32 }, (_, i) => ({ name: `bgo-${200 + i}`, depth: 1, via: 'sipm-ecal07', kind: 'HV' }))
    fakeServer(
      routes(() => page({ behind_count: 32 }), {
        'GET /api/devices/sipm-ecal07/behind': { body: { ok: true, behind: many } },
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    const group = region(wrapper, 'Behind this device').find('details')
    expect(group.find('summary').text()).toBe('32 devices 1 step away')
    expect(group.attributes('open')).toBeUndefined()
  })

  it('a viewer sees no write buttons', async () => {
    fakeServer(routes(() => page()))
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    expect(wrapper.find('h1').text()).toContain('sipm-ecal07')
    expect(wrapper.findAll('main button')).toHaveLength(0)
  })

  it('says plainly when there is no such device', async () => {
    fakeServer(routes(() => page(), { 'GET /api/devices/nosuch-1': error(404, "There is no device named 'nosuch-1'.") }))
    ;({ wrapper } = await mountApp('/devices/nosuch-1'))
    expect(wrapper.find('[role="alert"]').text()).toContain('There is no device named “nosuch-1”.')
    expect(wrapper.find('main').text()).not.toContain('About')
  })

  it('an expert connects a free port and sees the connection listed', async () => {
    let connections = page().connections
    const seen = fakeServer(
      routes(() => page({ can: CAN_EDIT, connections }), {
        'GET /api/auth/me': expert(),
        'POST /api/connections': (request) => {
          const made = connection(500, request.body.from, request.body.to, request.body.kind)
          connections = [...connections, made]
          return { status: 201, body: { ok: true, connection: made } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    const ports = region(wrapper, 'Ports and connections')
    await button(ports, 'Connect… port ch01').trigger('click')
    await settle()
    expect(dialog(wrapper).find('h2').text()).toBe('Connect two ports')
    expect(field(dialog(wrapper), 'From (device:port)').element.value).toBe('sipm-ecal07:ch01')
    expect(field(dialog(wrapper), 'Kind').element.value).toBe('HV')
    await field(dialog(wrapper), 'To (device:port)').setValue('bgo-193:hv')
    await button(dialog(wrapper), 'Connect').trigger('click')
    await settle()

    expect(writes(seen)).toEqual([
      expect.objectContaining({ method: 'POST', path: '/api/connections', body: { from: 'sipm-ecal07:ch01', to: 'bgo-193:hv', kind: 'HV', note: '' } }),
    ])
    expect(dialog(wrapper).exists()).toBe(false)
    expect(wrapper.find('[role="status"]').text()).toBe('Connected sipm-ecal07:ch01 → bgo-193:hv (HV).')
    const row = region(wrapper, 'Ports and connections').findAll('tbody tr')[2]
    expect(row.text()).toContain('→ to')
    expect(row.find('a').attributes('href')).toBe('/devices/bgo-193')
  })

  it('checks the ends before connecting and puts the server’s refusal next to its field', async () => {
    const seen = fakeServer(
      routes(() => page({ can: CAN_EDIT }), {
        'GET /api/auth/me': expert(),
        'POST /api/connections': error(409, 'bgo-192:hv is connected already (sipm-ecal07:ch00 -> bgo-192:hv).', {
          errors: [{ field: 'to', error: 'Connected already.' }],
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    await button(wrapper, 'Connect…').trigger('click')
    await settle()
    await field(dialog(wrapper), 'To (device:port)').setValue('bgo-192')
    await dialog(wrapper).find('form').trigger('submit')
    await settle()
    expect(writes(seen)).toHaveLength(0)
    expect(dialog(wrapper).text()).toContain('Write the end as device:port, like sipm-ecal07:ch00.')
    expect(dialog(wrapper).text()).toContain('Choose the kind of connection.')

    await field(dialog(wrapper), 'From (device:port)').setValue('sipm-ecal07:ch01')
    await field(dialog(wrapper), 'To (device:port)').setValue('bgo-192:hv')
    await field(dialog(wrapper), 'Kind').setValue('HV')
    await dialog(wrapper).find('form').trigger('submit')
    await settle()
    expect(writes(seen)).toHaveLength(1)
    const to = field(dialog(wrapper), 'To (device:port)')
    expect(to.attributes('aria-invalid')).toBe('true')
    expect(dialog(wrapper).find(`#${to.attributes('aria-describedby')}`).text()).toBe('Connected already.')
    expect(dialog(wrapper).find('[role="alert"]').text()).toContain('is connected already')
  })

  it('disconnects only after a confirmation', async () => {
    const seen = fakeServer(
      routes(() => page({ can: CAN_EDIT }), {
        'GET /api/auth/me': expert(),
        'DELETE /api/connections/446': { body: { ok: true } },
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    await button(wrapper, 'Disconnect sipm-ecal07:ch00 → bgo-192:hv').trigger('click')
    await settle()
    expect(dialog(wrapper).find('h2').text()).toBe('Disconnect sipm-ecal07:ch00 → bgo-192:hv?')
    expect(writes(seen)).toHaveLength(0)
    await button(dialog(wrapper), 'Disconnect').trigger('click')
    await settle()
    expect(writes(seen).map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /api/connections/446'])
    expect(wrapper.find('[role="status"]').text()).toBe('Disconnected sipm-ecal07:ch00 → bgo-192:hv.')
  })

  it('moves the device: the new placement is sent with move', async () => {
    const seen = fakeServer(
      routes(() => page({ can: CAN_EDIT }), {
        'GET /api/auth/me': expert(),
        'POST /api/devices/sipm-ecal07/placements': { status: 201, body: { ok: true, placements: [] } },
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    await button(wrapper, 'Move to…').trigger('click')
    await settle()
    const d = dialog(wrapper)
    expect(d.find('h2').text()).toBe('Move sipm-ecal07 to…')
    await field(d, 'From').setValue('2026-11-22T08:00:00Z')
    await button(d, 'Move').trigger('click')
    await settle()
    expect(d.text()).toContain('Name an instrument, an experiment or both.')
    await field(d, 'Instrument').setValue('BTF')
    await field(d, 'Experiment').setValue('padme-run4')
    await button(d, 'Move').trigger('click')
    await settle()
    expect(writes(seen).map((r) => r.body)).toEqual([
      { begin: '2026-11-22T08:00:00Z', instrument: 'BTF', hatch: '', experiment: 'padme-run4', note: '', move: true },
    ])
    expect(wrapper.find('[role="status"]').text()).toBe('sipm-ecal07 moved.')
  })

  it('ends an open placement and an alias at the time given', async () => {
    const seen = fakeServer(
      routes(() => page({ can: CAN_EDIT }), {
        'GET /api/auth/me': expert(),
        'PATCH /api/devices/sipm-ecal07/placements/8': { body: { ok: true, placements: [] } },
        'PATCH /api/aliases/3': { body: { ok: true, alias: {} } },
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    await button(wrapper, 'End placement in padme-run3').trigger('click')
    await settle()
    await field(dialog(wrapper), 'End').setValue('2026-11-23T00:00:00Z')
    await button(dialog(wrapper), 'End placement').trigger('click')
    await settle()
    await button(wrapper, 'End alias Ecal.0:Board.7').trigger('click')
    await settle()
    expect(field(dialog(wrapper), 'End').element.value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    await button(dialog(wrapper), 'End alias').trigger('click')
    await settle()
    expect(writes(seen).map((r) => [r.method, r.path, r.body.end.slice(0, 4)])).toEqual([
      ['PATCH', '/api/devices/sipm-ecal07/placements/8', '2026'],
      ['PATCH', '/api/aliases/3', '2026'],
    ])
    expect(writes(seen)[0].body).toEqual({ end: '2026-11-23T00:00:00Z' })
  })

  it('edits the device, sending only what changed, and shows a refusal beside its field', async () => {
    const seen = fakeServer(
      routes(() => page({ can: CAN_EDIT }), {
        'GET /api/auth/me': expert(),
        'PATCH /api/devices/sipm-ecal07': (request) =>
          request.body.hw_index
            ? error(409, 'The hardware index 20.26.8 belongs to sipm-ecal08 already.', { errors: [{ field: 'hw_index', error: 'Taken.' }] })
            : { body: { ok: true, device: page() } },
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    await button(wrapper, 'Edit').trigger('click')
    await settle()
    const d = dialog(wrapper)
    await field(d, 'Firmware').setValue('3.3')
    await field(d, 'Hardware index').setValue('20.26.8')
    await field(d, 'Slot').setValue('8')
    await button(d, 'Save changes').trigger('click')
    await settle()
    expect(writes(seen).at(-1).body).toEqual({
      firmware: '3.3',
      hw_index: [20, 26, 8],
      address: { host: 'hv-ecal.example.org', port: 1470, crate: 1, slot: 8 },
    })
    expect(d.text()).toContain('Taken.')
    expect(d.find('[role="alert"]').text()).toBe('The hardware index 20.26.8 belongs to sipm-ecal08 already.')

    await field(d, 'Hardware index').setValue('20.26.7.7.0.3.2')
    await button(d, 'Save changes').trigger('click')
    await settle()
    expect(writes(seen).at(-1).body).toEqual({ firmware: '3.3', address: { host: 'hv-ecal.example.org', port: 1470, crate: 1, slot: 8 } })
    expect(wrapper.find('[role="status"]').text()).toBe('sipm-ecal07 saved.')
  })

  it('adds an alias and a port', async () => {
    const seen = fakeServer(
      routes(() => page({ can: CAN_EDIT }), {
        'GET /api/auth/me': expert(),
        'POST /api/aliases': (request) => ({ status: 201, body: { ok: true, alias: { id: 9, ...request.body } } }),
        'POST /api/devices/sipm-ecal07/ports': { status: 201, body: { ok: true, ports: [] } },
      }),
    )
    ;({ wrapper } = await mountApp('/devices/sipm-ecal07'))
    await button(wrapper, 'Add alias').trigger('click')
    await settle()
    await field(dialog(wrapper), 'Alias').setValue('Ecal.0:Board.7b')
    await field(dialog(wrapper), 'From').setValue('2026-11-22T00:00:00Z')
    await button(dialog(wrapper), 'Add alias').trigger('click')
    await settle()
    expect(writes(seen).at(-1).body).toEqual({ alias: 'Ecal.0:Board.7b', detname: 'sipm-ecal07', begin: '2026-11-22T00:00:00Z' })
    expect(wrapper.find('[role="status"]').text()).toBe('Alias Ecal.0:Board.7b added.')

    await button(wrapper, 'Add port').trigger('click')
    await settle()
    await field(dialog(wrapper), 'Port name').setValue('ch32')
    await field(dialog(wrapper), 'Kind').setValue('HV')
    await button(dialog(wrapper), 'Add port').trigger('click')
    await settle()
    expect(writes(seen).at(-1)).toMatchObject({ path: '/api/devices/sipm-ecal07/ports', body: { name: 'ch32', kind: 'HV' } })
    expect(wrapper.find('[role="status"]').text()).toBe('Port added.')
  })
})
