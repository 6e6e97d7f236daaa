import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field, region } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const EXPORT = JSON.stringify({ format: 'dcs-configs/1', types: {}, devices: { 'sipm-ecal05': { version: 1, config: { ramp_rate: 0.8 } } } })

const PLAN = [
  { owner: 'type:sipm', action: 'unchanged', number: 2 },
  { owner: 'device:sipm-ecal05', action: 'new version', from: 3, number: 4, changes: [{ path: 'ramp_rate', op: 'changed', before: 0.5, after: 0.8 }] },
]

// The rows of the plan's own table (each may hold a table of changes).
const planRows = (w) => w.findAll('table > tbody > tr').filter((r) => r.element.closest('details') === null)

function routes(answer) {
  return {
    'GET /api/auth/me': meAnswer(user({ role: 'member' }), ['read', 'configs.write']),
    'POST /api/configs/import': answer,
  }
}

describe('configuration import', () => {
  it('reads a chosen file, makes a dry run, shows the plan, then imports', async () => {
    const seen = fakeServer(routes((r) => ({ body: { ok: true, dry_run: r.body.dry_run, plan: PLAN } })))
    ;({ wrapper } = await mountApp('/configurations/import'))
    const form = region(wrapper, 'The export')
    const input = field(form, 'Choose a file')
    Object.defineProperty(input.element, 'files', { value: [new File([EXPORT], 'hv.yaml')] })
    await input.trigger('change')
    await settle()
    expect(field(form, 'Text of the export').element.value).toBe(EXPORT)
    expect(form.find('input[value="yaml"]').element.checked).toBe(true)
    expect(form.text()).toContain('Read hv.yaml')
    await form.find('input[value="json"]').setValue(true)

    const importButton = button(form, 'Import')
    expect(importButton.attributes('disabled')).toBeDefined() // only after a dry run
    await button(form, 'Dry run').trigger('click')
    await settle()
    expect(seen.at(-1).body).toEqual({ text: EXPORT, format: 'json', activate: false, schemas: false, dry_run: true })
    expect(wrapper.find('.status-message').text()).toBe('Dry run: 1 new version, 1 unchanged. Nothing was written yet.')
    const rows = planRows(region(wrapper, 'Plan'))
    expect(rows[0].text()).toContain('stays v2')
    expect(rows[1].find('th').text()).toBe('sipm-ecal05')
    expect(rows[1].text()).toContain('v3 → v4')
    expect(rows[1].find('summary').text()).toBe('1 change')

    // Changing an option asks for a new dry run first.
    await form.findAll('input[type="checkbox"]')[0].setValue(true)
    expect(button(form, 'Import').attributes('disabled')).toBeDefined()
    await form.findAll('input[type="checkbox"]')[0].setValue(false)
    await button(form, 'Import').trigger('click')
    await settle()
    expect(seen.at(-1).body.dry_run).toBe(false)
    expect(wrapper.find('.status-message').text()).toBe('Imported: 1 new version, 1 unchanged.')
    expect(planRows(region(wrapper, 'Imported'))).toHaveLength(2)
  })

  it('lists the problems per configuration and field when the import is refused', async () => {
    fakeServer(
      routes(
        error(400, 'Nothing was imported: 2 problem(s), device:sipm-ecal05 ramp_rate must be at most 10 (it is 50).', {
          errors: [
            { field: 'device:sipm-ecal05 ramp_rate', error: 'must be at most 10 (it is 50)' },
            { field: 'device:sipm-ecal06 channels[3].voltage', error: 'must be at most 60 (it is 99)' },
          ],
          plan: PLAN,
        }),
      ),
    )
    ;({ wrapper } = await mountApp('/configurations/import'))
    await field(wrapper, 'Text of the export').setValue(EXPORT)
    await button(wrapper, 'Dry run').trigger('click')
    await settle()
    expect(wrapper.find('[role="alert"]').text()).toContain('Nothing was imported: 2 problem(s)')
    const problems = region(wrapper, 'Problems')
    const groups = problems.findAll('section')
    expect(groups.map((g) => g.find('h3').text())).toEqual(['sipm-ecal05', 'sipm-ecal06'])
    expect(groups[1].find('li').text()).toBe('channels[3].voltage must be at most 60 (it is 99)')
    expect(groups[1].find('h3 a').attributes('href')).toBe('/configurations/devices/sipm-ecal06')
    expect(planRows(region(wrapper, 'What the import would have done'))).toHaveLength(2)
    expect(button(wrapper, 'Import').attributes('disabled')).toBeDefined()
  })

  it('shows a text that does not parse beside the text', async () => {
    const sentence = 'The JSON is not valid: line 1, column 2: Expecting property name enclosed in double quotes.'
    fakeServer(routes(error(400, sentence, { errors: [{ field: 'text', error: sentence }] })))
    ;({ wrapper } = await mountApp('/configurations/import'))
    await field(wrapper, 'Text of the export').setValue('{x')
    await button(wrapper, 'Dry run').trigger('click')
    await settle()
    const text = field(wrapper, 'Text of the export')
    expect(text.attributes('aria-invalid')).toBe('true')
    expect(wrapper.findAll('h2').map((h) => h.text())).not.toContain('Problems')
  })
})
