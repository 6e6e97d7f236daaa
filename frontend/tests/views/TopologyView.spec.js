import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { error, fakeServer, meAnswer, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, query } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

// jsdom draws nothing: a context that keeps the texts written on the canvas instead.
let texts
beforeEach(() => {
  texts = []
  const ctx = new Proxy(
    { fillText: (text) => texts.push(text), measureText: (text) => ({ width: text.length * 7 }) },
    { get: (target, key) => (key in target ? target[key] : () => {}), set: () => true },
  )
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(ctx)
})

const COLUMNS = ['name', 'dettype', 'subsystem', 'group', 'experiment']
const row = (name, subsystem = 'ECal', experiment = 'padme-run3') => [name, name.split('-')[0], subsystem, 'padme-ecal', experiment]

// A crate, two HV boards, four crystals and a digitizer: 8 devices, 8 connections.
function graph(overrides = {}) {
  const devices = [
    row('bgo-000'),
    row('bgo-001'),
    row('bgo-002'),
    row('bgo-003'),
    row('mainframe-ecal'),
    row('sipm-ecal01'),
    row('sipm-ecal02'),
    row('v1742-ecal01'),
  ]
  const connections = [
    [4, 5, 'network'],
    [4, 6, 'network'],
    [5, 0, 'HV'],
    [5, 1, 'HV'],
    [6, 2, 'HV'],
    [6, 3, 'HV'],
    [0, 7, 'readout'],
    [1, 7, 'readout'],
  ]
  return {
    ok: true,
    columns: COLUMNS,
    devices,
    connections,
    outside: 0,
    subsystems: ['ECal', 'SAC'],
    experiments: ['padme-run3', 'xpplv1225'],
    ...overrides,
  }
}

function routes(answer = () => ({ body: graph() }), extra = {}) {
  return {
    'GET /api/auth/me': meAnswer(viewer()),
    'GET /api/topology': answer,
    ...extra,
  }
}

const countText = (w) => w.find('[data-testid="topology-count"]').text()
const canvas = (w) => w.find('[data-testid="topology-canvas"]')
const panel = (w) => w.find('aside')

async function find(w, name) {
  await field(w, 'Find a device').setValue(name)
  await w.find('form[role="search"]').trigger('submit')
  await settle()
}

describe('topology page', () => {
  it('shows how many devices and connections it draws, with a legend of the kinds', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/topology'))
    expect(wrapper.find('h1').text()).toBe('Topology')
    expect(countText(wrapper)).toBe('8 devices, 8 connections')
    await until(() => texts.length > 0) // drawn at the next animation frame
    expect(texts).toContain('ECal · 8 devices') // the block of the subsystem
    expect(canvas(wrapper).attributes('aria-label')).toBe('Topology graph: 8 devices, 8 connections')
    const legend = wrapper.find('fieldset').text()
    expect(legend).toContain('HV (4)')
    expect(legend).toContain('Readout (2)')
    expect(legend).toContain('Network (2)')
  })

  it('hides a kind of connection when its box is unticked', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/topology'))
    await field(wrapper, 'HV (4)').setValue(false)
    expect(countText(wrapper)).toBe('8 devices, 8 connections (4 shown)')
    await field(wrapper, 'HV (4)').setValue(true)
    expect(countText(wrapper)).toBe('8 devices, 8 connections')
  })

  it('asks the server for one subsystem and keeps the choice in the address', async () => {
    const seen = fakeServer(routes())
    const mounted = await mountApp('/topology')
    wrapper = mounted.wrapper
    await field(wrapper, 'Subsystem').setValue('ECal')
    await until(() => seen.filter((r) => r.path === '/api/topology').length === 2)
    expect(query(seen.at(-1)).get('subsystem')).toBe('ECal')
    expect(mounted.router.currentRoute.value.query).toEqual({ subsystem: 'ECal' })

    await field(wrapper, 'Experiment').setValue('xpplv1225')
    await until(() => seen.filter((r) => r.path === '/api/topology').length === 3)
    expect(Object.fromEntries(query(seen.at(-1)))).toEqual({ subsystem: 'ECal', experiment: 'xpplv1225' })
  })

  it('says so when nothing matches the filters, and offers all devices again', async () => {
    const seen = fakeServer(
      routes((request) => ({ body: query(request).get('experiment') ? graph({ devices: [], connections: [] }) : graph() })),
    )
    const mounted = await mountApp('/topology?experiment=xcsx10126')
    wrapper = mounted.wrapper
    expect(wrapper.find('.empty').text()).toContain('No device matches these filters.')
    expect(canvas(wrapper).exists()).toBe(false)
    await button(wrapper, 'Show all devices').trigger('click')
    await until(() => canvas(wrapper).exists())
    expect(mounted.router.currentRoute.value.query).toEqual({})
    expect(seen.filter((r) => r.path === '/api/topology')).toHaveLength(2)
    expect(countText(wrapper)).toBe('8 devices, 8 connections')
  })

  it('says when no device is registered at all', async () => {
    fakeServer(routes(() => ({ body: graph({ devices: [], connections: [], subsystems: [], experiments: [] }) })))
    ;({ wrapper } = await mountApp('/topology'))
    expect(wrapper.find('.empty').text()).toContain('No devices are registered yet.')
    expect(countText(wrapper)).toBe('0 devices, 0 connections')
  })

  it('shows the server’s sentence when it cannot answer', async () => {
    fakeServer(routes(() => error(500, 'The database is not reachable.')))
    ;({ wrapper } = await mountApp('/topology'))
    expect(wrapper.find('[role="alert"]').text()).toBe('The database is not reachable.')
  })

  it('finds a device by name, selects it with its neighbours, and opens its page', async () => {
    fakeServer(routes(undefined, { 'GET /api/devices/sipm-ecal01': error(404, 'There is no device named x.') }))
    const mounted = await mountApp('/topology')
    wrapper = mounted.wrapper
    await find(wrapper, 'ecal01')
    expect(panel(wrapper).find('h2').text()).toBe('sipm-ecal01')
    await until(() => texts.includes('sipm-ecal01')) // zoomed in on it: the names are drawn
    expect(panel(wrapper).text()).toContain('Feeds (2)')
    expect(panel(wrapper).text()).toContain('Fed by (1)')
    expect(panel(wrapper).findAll('li').map((li) => [li.find('button').text(), li.find('.tag').text()])).toEqual([
      ['bgo-000 (select it)', 'HV'],
      ['bgo-001 (select it)', 'HV'],
      ['mainframe-ecal (select it)', 'Network'],
    ])

    // A neighbour's button selects that one instead.
    await panel(wrapper).findAll('li button')[2].trigger('click')
    expect(panel(wrapper).find('h2').text()).toBe('mainframe-ecal')

    await button(wrapper, 'Open device page').trigger('click')
    await until(() => mounted.router.currentRoute.value.path !== '/topology')
    expect(mounted.router.currentRoute.value.path).toBe('/devices/mainframe-ecal')
  })

  it('says when no device has such a name', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/topology'))
    await find(wrapper, 'cspad')
    expect(wrapper.find('form[role="search"] [role="alert"]').text()).toBe('No device shown here is named like “cspad”.')
    expect(panel(wrapper).exists()).toBe(false)
  })

  it('selects the device clicked on the canvas and opens it with Enter', async () => {
    fakeServer(routes())
    const mounted = await mountApp('/topology')
    wrapper = mounted.wrapper
    // Finding centres the device in the canvas (900 × 560 where nothing is measured, as here).
    await find(wrapper, 'bgo-002')
    await button(wrapper, 'Clear selection').trigger('click')
    expect(panel(wrapper).exists()).toBe(false)
    await canvas(wrapper).trigger('click', { clientX: 450, clientY: 280 })
    expect(panel(wrapper).find('h2').text()).toBe('bgo-002')
    await canvas(wrapper).trigger('click', { clientX: 5, clientY: 5 })
    expect(panel(wrapper).exists()).toBe(false)

    await canvas(wrapper).trigger('click', { clientX: 450, clientY: 280 })
    await canvas(wrapper).trigger('keydown', { key: 'Escape' })
    expect(panel(wrapper).exists()).toBe(false)
    await canvas(wrapper).trigger('click', { clientX: 450, clientY: 280 })
    await canvas(wrapper).trigger('keydown', { key: 'Enter' })
    await until(() => mounted.router.currentRoute.value.path !== '/topology')
    expect(mounted.router.currentRoute.value.path).toBe('/devices/bgo-002')
  })

  it('opens a device on double click', async () => {
    fakeServer(routes())
    const mounted = await mountApp('/topology')
    wrapper = mounted.wrapper
    await find(wrapper, 'v1742-ecal01')
    await canvas(wrapper).trigger('dblclick', { clientX: 452, clientY: 281 })
    await until(() => mounted.router.currentRoute.value.path !== '/topology')
    expect(mounted.router.currentRoute.value.path).toBe('/devices/v1742-ecal01')
  })

  it('zooms with the keyboard and the buttons, and fits it all with 0', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/topology'))
    const zoom = () => wrapper.find('[aria-label="Zoom of the topology graph"]').text()
    const fitted = zoom()
    await canvas(wrapper).trigger('keydown', { key: '+' })
    expect(zoom()).not.toBe(fitted)
    await canvas(wrapper).trigger('keydown', { key: '0' })
    expect(zoom()).toBe(fitted)
    await wrapper.find('button[aria-label="Zoom out"]').trigger('click')
    expect(zoom()).not.toBe(fitted)
    await button(wrapper, 'Fit all').trigger('click')
    expect(zoom()).toBe(fitted)
  })
})
