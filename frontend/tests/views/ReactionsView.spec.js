import { afterEach, describe, expect, it } from 'vitest'
import { fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field, region } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const rule = (overrides = {}) => ({
  id: 1,
  name: 'ecal-hv-safe',
  group: 'ecal',
  device: null,
  subsystem: 'ECal',
  parameter: 'temperature',
  kind: 'limit',
  min_severity: 'alarm',
  action: 'config.apply-recipe',
  arguments: { recipe: 'safe' },
  mode: 'offer',
  delay_s: 0,
  confirm: 'Ramp the ECal HV down?',
  enabled: true,
  created_by: 'user:erin',
  created: '2026-11-21T20:00:00Z',
  ...overrides,
})
const actions = [
  { name: 'config.apply-recipe', description: 'Activate a recipe.', arguments: { recipe: "the recipe's name" } },
  { name: 'heartbeat.pause', description: 'Pause the watch.', arguments: { minutes: 'how long' } },
]

describe('reactions page', () => {
  it('shows the rules to a viewer without buttons', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/reactions': { body: { ok: true, reactions: [rule()], actions } },
    })
    ;({ wrapper } = await mountApp('/alerts/reactions'))
    const row = wrapper.find('tbody tr')
    expect(row.text()).toContain('ecal-hv-safe')
    expect(row.text()).toContain('offered as a button')
    expect(row.text()).toContain('recipe: safe')
    expect(wrapper.findAll('main button')).toHaveLength(0)
  })

  it('lets an expert disable a rule and add one with the arguments of its action', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(user({ memberships: [{ group: 'ecal', role: 'expert' }] })),
      'GET /api/reactions': { body: { ok: true, reactions: [rule()], actions } },
      'PATCH /api/reactions/ecal-hv-safe': { body: { ok: true, reaction: rule({ enabled: false }) } },
      'POST /api/reactions': (request) => ({ status: 201, body: { ok: true, reaction: rule(request.body) } }),
    })
    ;({ wrapper } = await mountApp('/alerts/reactions'))
    await button(wrapper, 'Disable ecal-hv-safe').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'PATCH').body).toEqual({ enabled: false })

    const form = region(wrapper, 'Add a reaction')
    await field(form, 'Name').setValue('pause-pveto')
    await field(form, 'Action').setValue('heartbeat.pause')
    await field(form, 'Argument: minutes').setValue('30')
    await field(form, 'Mode').setValue('auto')
    await field(form, 'Delay (s)').setValue('60')
    await field(form, 'Device').setValue('mainframe-pveto')
    await button(form, 'Add reaction').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      name: 'pause-pveto',
      group: 'ecal',
      action: 'heartbeat.pause',
      arguments: { minutes: '30' },
      mode: 'auto',
      device: 'mainframe-pveto',
      subsystem: '',
      parameter: '',
      kind: '',
      min_severity: 'alarm',
      delay_s: 60,
      confirm: '',
    })
    expect(wrapper.find('[role="status"]').text()).toBe('Reaction pause-pveto added.')
  })
})
