import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, region } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const SCHEMA = { type: 'object', properties: { enabled: { type: 'boolean' } }, required: ['enabled'] }
const sipm = (overrides = {}) => ({
  name: 'sipm',
  description: 'SiPM HV controller board',
  group: 'padme-ecal',
  schema_version: 2,
  ports: [
    { name: 'ch00', kind: 'HV' },
    { name: 'ch01', kind: 'HV' },
    { name: 'bus', kind: 'network' },
  ],
  devices: 28,
  ...overrides,
})
const TYPES = [sipm(), { name: 'cspad', description: 'LCLS cspad', group: 'xpp', schema_version: 1, ports: [], devices: 1 }]
const expert = () => meAnswer(user({ memberships: [{ group: 'padme-ecal', role: 'expert' }] }), ['read', 'topology.write'])

function routes(extra = {}) {
  return {
    'GET /api/auth/me': meAnswer(viewer()),
    'GET /api/device-types': { body: { ok: true, types: TYPES } },
    'GET /api/device-types/sipm': { body: { ok: true, type: { ...sipm(), schema: SCHEMA } } },
    ...extra,
  }
}
const editor = (w) => field(w, 'JSON Schema')

describe('device types page', () => {
  it('lists the types, and shows one with its schema (read only for a viewer)', async () => {
    fakeServer(routes())
    const mounted = await mountApp('/device-types')
    wrapper = mounted.wrapper
    const rows = wrapper.findAll('tbody tr')
    expect(rows.map((r) => r.find('th').text())).toEqual(['sipm', 'cspad'])
    expect(rows[0].text()).toContain('3: 2 HV, 1 network')
    expect(rows[0].text()).toContain('version 2')
    expect(rows[0].text()).toContain('28')

    await rows[0].find('a').trigger('click')
    await until(() => wrapper.find('[data-testid="schema-text"]').exists())
    expect(mounted.router.currentRoute.value.query).toEqual({ type: 'sipm' })
    const detail = region(wrapper, 'Type sipm')
    expect(detail.text()).toContain('SiPM HV controller board')
    expect(JSON.parse(detail.find('[data-testid="schema-text"]').text())).toEqual(SCHEMA)
    expect(detail.findAll('textarea')).toHaveLength(0)
    expect(detail.findAll('button')).toHaveLength(0)
  })

  it('shows where the JSON is wrong while it is typed, and sends nothing then', async () => {
    const seen = fakeServer(routes({ 'GET /api/auth/me': expert() }))
    ;({ wrapper } = await mountApp('/device-types?type=sipm'))
    expect(button(wrapper, 'Save schema').attributes('disabled')).toBeDefined() // nothing changed yet
    await editor(wrapper).setValue('{\n  "type": "object",\n  "required": ["enabled"]\n  "x": 1\n}')
    const describedBy = editor(wrapper).attributes('aria-describedby').split(' ')
    const message = wrapper.find(`#${describedBy.at(-1)}`).text()
    expect(message).toBe('Line 4, column 3: Expected “,” or “}” after the property value but found “"”.')
    await wrapper.find('main form').trigger('submit')
    await settle()
    expect(seen.some((r) => r.method === 'PUT')).toBe(false)

    await editor(wrapper).setValue('[1, 2]')
    expect(wrapper.text()).toContain('A schema is a JSON object: { … }.')
  })

  it('saves a schema; when active configurations would fail it, lists them and saves anyway on request', async () => {
    const failing = [
      { owner: 'device:sipm-ecal07', number: 3, problems: [{ field: 'ramp_rate', error: 'is required' }] },
      { owner: 'type:sipm', number: 2, problems: [{ field: 'enabled', error: 'must be a boolean' }] },
    ]
    const seen = fakeServer(
      routes({
        'GET /api/auth/me': expert(),
        'PUT /api/device-types/sipm/schema': (request) =>
          request.body.force
            ? { body: { ok: true, type: { ...sipm({ schema_version: 3 }), schema: request.body.schema }, failing } }
            : error(409, '2 active configuration(s) would not pass this schema (device:sipm-ecal07, type:sipm); fix them first or force the change.', { failing }),
      }),
    )
    ;({ wrapper } = await mountApp('/device-types?type=sipm'))
    const next = { ...SCHEMA, required: ['enabled', 'ramp_rate'] }
    await editor(wrapper).setValue(JSON.stringify(next, null, 2))
    await button(wrapper, 'Save schema').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'PUT').map((r) => r.body)).toEqual([{ schema: next, force: false }])

    const refusal = wrapper.find('[aria-labelledby="schema-failing-heading"]')
    expect(refusal.find('h3').text()).toBe('2 active configurations fail this schema')
    expect(refusal.find('[role="alert"]').text()).toContain('would not pass this schema')
    expect(refusal.findAll('a').map((a) => [a.text(), a.attributes('href')])).toEqual([
      ['sipm-ecal07', '/configurations/devices/sipm-ecal07'],
      ['sipm (type default)', '/configurations/types/sipm'],
    ])
    expect(refusal.text()).toContain('ramp_rate is required')

    await button(wrapper, 'Save anyway').trigger('click')
    await settle()
    expect(seen.filter((r) => r.method === 'PUT').at(-1).body).toEqual({ schema: next, force: true })
    expect(wrapper.find('[role="status"]').text()).toBe('Schema of sipm saved as version 3. 2 active configurations fail it.')
    expect(wrapper.find('[aria-labelledby="schema-failing-heading"]').exists()).toBe(false)
  })

  it('puts the server’s word on an invalid JSON Schema beside the text', async () => {
    fakeServer(
      routes({
        'GET /api/auth/me': expert(),
        'PUT /api/device-types/sipm/schema': error(400, "The schema is not a valid JSON Schema at the top: 'objekt' is not valid.", {
          errors: [{ field: 'schema', error: "'objekt' is not valid under any of the given schemas" }],
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/device-types?type=sipm'))
    await editor(wrapper).setValue('{"type": "objekt"}')
    await button(wrapper, 'Save schema').trigger('click')
    await settle()
    expect(wrapper.find('main form').text()).toContain("'objekt' is not valid under any of the given schemas")
    expect(wrapper.find('main form [role="alert"]').text()).toContain('not a valid JSON Schema')
  })
})
