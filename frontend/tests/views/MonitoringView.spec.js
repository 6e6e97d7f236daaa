import { afterEach, describe, expect, it } from 'vitest'
import { fakeServer, meAnswer, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { field, region } from '../finders.js'
import { engine, watch } from '../monitoringFixtures.js'

let wrapper
afterEach(() => wrapper?.unmount())

const counts = (overrides = {}) => ({
  warning: { active: 0, acknowledged: 0, returned: 0, shelved: 0, suppressed: 2 },
  alarm: { active: 3, acknowledged: 1, returned: 0, shelved: 0, suppressed: 0 },
  critical: { active: 1, acknowledged: 0, returned: 0, shelved: 0, suppressed: 0 },
  ...overrides,
})

function summary(devices) {
  return {
    ok: true,
    engine: engine(),
    counts: counts(),
    health: ['critical', 'alarm', 'down', 'warning', 'late', 'suppressed', 'paused', 'ok', 'unknown'],
    revision: 12,
    subsystems: [
      { name: 'ECal', devices: devices.slice(0, 4) },
      { name: 'PVeto', devices: devices.slice(4) },
    ],
  }
}

const DEVICES = [
  { name: 'mainframe-ecal', health: 'down', alerts: 1 },
  { name: 'bgo-000', health: 'suppressed', alerts: 1 },
  { name: 'bgo-001', health: 'unknown', alerts: 0 },
  { name: 'sipm-ecal07', health: 'ok', alerts: 0 },
  { name: 'mainframe-pveto', health: 'critical', alerts: 1 },
]

const heartbeats = [
  { ...watch({ device: 'mainframe-ecal', state: 'down', last_status: 'ramping' }), subsystem: 'ECal' },
  { ...watch({ device: 'sipm-ecal07', state: 'up' }), subsystem: 'ECal' },
  { ...watch({ device: 'mainframe-pveto', state: 'late', period_s: 5, grace_s: 2 }), subsystem: 'PVeto' },
]

function routes(current = () => summary(DEVICES)) {
  return {
    'GET /api/auth/me': meAnswer(viewer()),
    'GET /api/monitoring/summary': () => ({ body: current() }),
    'GET /api/monitoring/heartbeats': { body: { ok: true, heartbeats } },
  }
}

const tiles = (w) => w.findAll('.health-tile')

describe('monitoring dashboard', () => {
  it('draws one tile per device, coloured and named by its health, grouped by subsystem', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/monitoring'))
    expect(wrapper.find('h1').text()).toBe('Monitoring')
    expect(tiles(wrapper).map((t) => [t.attributes('data-device'), t.attributes('data-health')])).toEqual(
      DEVICES.map((d) => [d.name, d.health]),
    )
    const down = tiles(wrapper)[0]
    expect(down.classes()).toContain('health-down')
    expect(down.attributes('title')).toBe('mainframe-ecal: down, 1 open alert')
    expect(down.attributes('href')).toBe('/devices/mainframe-ecal')
    expect(tiles(wrapper)[2].attributes('aria-label')).toBe('bgo-001: no data')
    const grid = region(wrapper, 'Health of 5 devices')
    expect(grid.findAll('h3').map((h) => h.text())).toEqual([
      'ECal 4 devices · 1 down · 1 suppressed',
      'PVeto 1 device · 1 critical',
    ])
    // The legend counts the devices of each health.
    expect(grid.find('[data-health="ok"]').text()).toContain('ok 1')
  })

  it('opens a device from its tile, and moves between tiles with the arrow keys', async () => {
    fakeServer({ ...routes(), 'GET /api/devices/bgo-000': { body: { ok: true, device: { name: 'bgo-000' } } } })
    const mounted = await mountApp('/monitoring')
    wrapper = mounted.wrapper
    expect(tiles(wrapper).filter((t) => t.attributes('tabindex') === '0')).toHaveLength(1)
    tiles(wrapper)[0].element.focus()
    await tiles(wrapper)[0].trigger('keydown', { key: 'ArrowRight' })
    await settle()
    expect(document.activeElement).toBe(tiles(wrapper)[1].element)
    expect(wrapper.find('[data-testid="health-pointed"]').text()).toContain('bgo-000 · ECal · suppressed')
    await tiles(wrapper)[1].trigger('click')
    await until(() => mounted.router.currentRoute.value.path === '/devices/bgo-000')
  })

  it('counts open alerts by severity and state, each number leading to those alerts', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/monitoring'))
    const card = region(wrapper, 'Open alerts')
    expect(card.find('[data-testid="unacknowledged"]').text()).toContain('4')
    const alarm = card.find('tr[data-severity="alarm"]')
    expect(alarm.findAll('td').map((td) => td.text())).toEqual(['3', '1', '0', '0', '0'])
    expect(alarm.find('a').attributes('href')).toBe('/alerts?state=active&severity=alarm')
    expect(card.find('tr[data-severity="warning"] a').attributes('href')).toBe('/alerts?suppressed=1&severity=warning')
    expect(region(wrapper, 'Alert engine').text()).toContain('The alert engine is running.')
  })

  it('lists the heartbeats worst first and filters them by words and state', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/monitoring'))
    const list = region(wrapper, 'Heartbeats')
    const names = () => list.findAll('tbody tr').map((r) => r.attributes('data-device'))
    expect(names()).toEqual(['mainframe-ecal', 'mainframe-pveto', 'sipm-ecal07'])
    expect(list.find('tbody tr').text()).toContain('down')
    await field(list, 'State').setValue('up')
    expect(names()).toEqual(['sipm-ecal07'])
    await field(list, 'State').setValue('')
    await field(list, 'Filter heartbeats').setValue('ramping')
    expect(names()).toEqual(['mainframe-ecal'])
  })

  it('follows the server every 2 seconds', async () => {
    let devices = DEVICES
    fakeServer(routes(() => summary(devices)))
    ;({ wrapper } = await mountApp('/monitoring'))
    devices = DEVICES.map((d) => (d.name === 'sipm-ecal07' ? { ...d, health: 'alarm', alerts: 1 } : d))
    await until(() => tiles(wrapper)[3].attributes('data-health') === 'alarm', { timeout: 4000 })
  })
})
