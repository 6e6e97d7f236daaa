import { afterEach, describe, expect, it } from 'vitest'
import { fakeServer, meAnswer, viewer } from '../../fakeServer.js'
import { mountApp } from '../../mountApp.js'
import { alert, engine } from '../../monitoringFixtures.js'

let wrapper
afterEach(() => wrapper?.unmount())

const quiet = { 'GET /api/health': { body: { ok: true } }, 'GET /api/devices': { body: { ok: true, devices: [] } } }

describe('monitoring stalled banner and the alert count', () => {
  it('shows on every page, in red with the engine’s sentence, while the engine is stalled', async () => {
    const message = 'Monitoring stalled: the alert engine last ran 42 s ago; alerts are not being raised.'
    fakeServer({
      ...quiet,
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/monitoring/engine': { body: { ok: true, engine: engine({ stalled: true, since_s: 42, message }) } },
      'GET /api/alerts': { body: { ok: true, revision: 1, alerts: [] } },
    })
    ;({ wrapper } = await mountApp('/devices'))
    const banner = wrapper.find('[data-testid="stalled-banner"]')
    expect(banner.exists()).toBe(true)
    expect(banner.attributes('role')).toBe('alert')
    expect(banner.text()).toContain(message)
  })

  it('is not there while the engine runs, and the navigation counts the active alerts', async () => {
    const seen = fakeServer({
      ...quiet,
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/monitoring/engine': { body: { ok: true, engine: engine() } },
      'GET /api/alerts': {
        body: {
          ok: true,
          revision: 4,
          alerts: [alert({ id: 1 }), alert({ id: 2 }), alert({ id: 3, shelved: true }), alert({ id: 4, suppressed_by: 'mainframe-ecal' })],
        },
      },
    })
    ;({ wrapper } = await mountApp('/devices'))
    expect(wrapper.find('[data-testid="stalled-banner"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="nav-alert-count"]').text()).toContain('2')
    const asked = seen.find((r) => r.path === '/api/alerts')
    expect(new URL(asked.url, 'http://x').searchParams.get('state')).toBe('active')
  })

  it('says nothing when the engine cannot be asked (an older server, the network)', async () => {
    fakeServer({ ...quiet, 'GET /api/auth/me': meAnswer(viewer()) })
    ;({ wrapper } = await mountApp('/devices'))
    expect(wrapper.find('[data-testid="stalled-banner"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="nav-alert-count"]').exists()).toBe(false)
  })
})
