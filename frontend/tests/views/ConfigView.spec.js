import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'
import { button, field, query, region } from '../finders.js'
import { DOCS, LIVE, checkAnswer, devicePage, version } from '../configFixtures.js'

let wrapper
afterEach(() => wrapper?.unmount())

const PAGE = '/api/configs/devices/sipm-ecal07'
const member = () => user({ username: 'mira', role: 'member', memberships: [{ group: 'padme-ecal', role: 'member' }] })
const operator = () => user({ username: 'otto', role: 'operator', memberships: [{ group: 'padme-ecal', role: 'operator' }] })

function routes(page, extra = {}) {
  return {
    'GET /api/auth/me': meAnswer(member(), ['read', 'configs.write']),
    [`GET ${PAGE}`]: () => ({ body: { ok: true, config: typeof page === 'function' ? page() : page } }),
    [`GET ${PAGE}/versions/1`]: { body: { ok: true, version: { ...version(1), config: DOCS[1] } } },
    [`GET ${PAGE}/versions/2`]: { body: { ok: true, version: { ...version(2), config: DOCS[2] } } },
    [`POST ${PAGE}/check`]: (r) => checkAnswer(r),
    'GET /api/configs/devices/sipm-ecal07/live': { body: { ok: true, live: LIVE } },
    ...extra,
  }
}

const editor = (w) => region(w, 'Edit')
const textArea = (w) => field(editor(w), 'Configuration (JSON)')
const checkState = (w) => editor(w).find('[role="status"]').text()
const json = (doc) => `${JSON.stringify(doc, null, 2)}\n`
const rowsOf = (w, heading) => region(w, heading).findAll('tbody tr')
// The text of an element as it reads, spaces collapsed.
const words = (w) => w.text().replace(/\s+/g, ' ')

describe('configuration page', () => {
  it('shows the versions, the activations, the effective configuration and the live values', async () => {
    const page = devicePage()
    page.versions[0] = version(3, { copied_from: 1, comment: 'roll back to version 1' })
    fakeServer(routes(page))
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    expect(wrapper.find('h1').text()).toBe('Configuration of sipm-ecal07')

    const versions = rowsOf(wrapper, 'Versions')
    expect(versions.map((r) => words(r.find('th')))).toEqual(['v3 copy of v1', 'v2', 'v1 active'])
    expect(versions[0].text()).toContain('roll back to version 1')
    expect(versions[0].text()).toContain('user:mira')

    const activations = rowsOf(wrapper, 'Activations')
    expect(activations).toHaveLength(2)
    expect(activations[0].text()).toContain('back to physics')
    expect(activations[1].text()).toContain('recipe ecal-cosmics')

    // The effective configuration marks where each value comes from: the type default or the device.
    const effective = region(wrapper, 'Effective configuration')
    const source = (path) => effective.findAll('tbody tr').find((r) => r.find('th').text() === path).findAll('td')[1].text()
    expect(source('ramp_rate')).toBe('type default')
    expect(source('channels[0].voltage')).toBe('this device')
    expect(effective.text()).toContain('2 set by this device (version 1), 2 from the sipm type default (version 2)')

    // Live values: the drift first and marked, then the others with the channels in their order.
    const live = region(wrapper, 'Live values')
    expect(live.text()).toContain('does not run with its stored configuration: 4 ok, 1 drift')
    const rows = live.findAll('tbody tr')
    expect(rows.map((r) => r.find('th').text())).toEqual([
      'channels[1].voltage',
      'channels[0].voltage',
      'channels[2].voltage',
      'channels[10].voltage',
      'enabled',
    ])
    expect(rows[0].classes()).toContain('live-drift')
    expect(rows[0].findAll('td').map((td) => td.text())).toEqual(['drift', '38.45', '37.1', '-1.35', '0.05'])
    await live.find('input[type="checkbox"]').setValue(true)
    expect(live.findAll('tbody tr')).toHaveLength(1)
  })

  it('checks the text as it is typed: problems by field, and the line and column of a syntax error', async () => {
    const seen = fakeServer(routes(devicePage()))
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    await until(() => checkState(wrapper).includes('Valid, and the same as version 3.'))
    expect(textArea(wrapper).element.value).toBe(json(DOCS[3]))

    const tooHigh = { ...DOCS[3], channels: [{ voltage: 70 }, { voltage: 38.45 }] }
    await textArea(wrapper).setValue(json(tooHigh))
    await until(() => checkState(wrapper).includes('Not valid'))
    expect(checkState(wrapper)).toContain('Not valid: 1 problem.')
    expect(editor(wrapper).find('[aria-label="Problems"]').text()).toBe('channels[0].voltage must be at most 60 (it is 70)')
    expect(textArea(wrapper).attributes('aria-invalid')).toBe('true')
    const check = seen.filter((r) => r.path === `${PAGE}/check`).at(-1)
    expect(check.body).toEqual({ text: json(tooHigh), format: 'json', base: 3 })

    await textArea(wrapper).setValue('{\n  "ramp_rate": ,\n}')
    await until(() => checkState(wrapper).includes('does not parse'))
    const described = textArea(wrapper).attributes('aria-describedby').split(' ')
    expect(described.map((id) => editor(wrapper).find(`#${id}`).text())).toContain(
      'The JSON is not valid: line 2, column 16: Expecting value.',
    )
  })

  it('reviews the changes, then saves a new version with a comment and shows it in the history', async () => {
    const saved = { ...DOCS[3], channels: [{ voltage: 39 }, { voltage: 38.45 }] }
    const seen = fakeServer(
      routes(devicePage(), {
        [`POST ${PAGE}/versions`]: {
          status: 201,
          body: { ok: true, version: version(4), config: devicePage({ latest: 4, docs: { ...DOCS, 4: saved } }) },
        },
      }),
    )
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    await textArea(wrapper).setValue(json(saved))
    await until(() => checkState(wrapper).includes('Valid: 1 change against version 3.'))
    expect(wrapper.text()).not.toContain('Activate now') // a member saves; operators activate

    await button(editor(wrapper), 'Review changes').trigger('click')
    await settle()
    const review = region(wrapper, 'Edit').find('[aria-labelledby="config-review-heading"]')
    expect(review.find('h3').text()).toBe('Changes against version 3')
    const change = review.findAll('tbody tr')
    expect(change).toHaveLength(1)
    expect(change[0].findAll('th, td').map((c) => c.text())).toEqual(['channels[0].voltage', 'changed', '38.35', '→ 39'])
    expect(change[0].classes()).toContain('change-changed')
    expect(seen.some((r) => r.path === `${PAGE}/versions`)).toBe(false)

    await field(review, 'Comment').setValue('channel 0 to 39 V after the gain scan')
    await button(review, 'Save version').trigger('click')
    await settle()
    expect(seen.find((r) => r.path === `${PAGE}/versions`).body).toEqual({
      text: json(saved),
      format: 'json',
      comment: 'channel 0 to 39 V after the gain scan',
      activate: false,
      base: 3,
    })
    expect(wrapper.find('.status-message').text()).toBe('Version 4 saved.')
    expect(rowsOf(wrapper, 'Versions').map((r) => r.find('th').text())[0]).toBe('v4')
    expect(textArea(wrapper).element.value).toBe(json(saved))
    expect(editor(wrapper).text()).toContain('Starts from version 4')
  })

  it('reviews with Ctrl+Enter, and an operator may activate the new version at once', async () => {
    const saved = { ...DOCS[3], ramp_rate: 0.7 }
    const answer = devicePage({ latest: 4, active: 4, can: { write: true, activate: true }, docs: { ...DOCS, 4: saved } })
    const seen = fakeServer(
      routes(devicePage({ can: { write: true, activate: true } }), {
        'GET /api/auth/me': meAnswer(operator(), ['read', 'configs.write', 'configs.activate']),
        [`POST ${PAGE}/versions`]: { status: 201, body: { ok: true, version: version(4), config: answer } },
      }),
    )
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    await textArea(wrapper).setValue(json(saved))
    await until(() => checkState(wrapper).startsWith('✓'))
    await textArea(wrapper).trigger('keydown', { key: 'Enter', ctrlKey: true })
    await settle()
    const review = editor(wrapper).find('[aria-labelledby="config-review-heading"]')
    expect(review.find('tbody').text()).toContain('ramp_rate')
    await review.find('input[type="checkbox"]').setValue(true)
    await button(review, 'Save and activate').trigger('click')
    await settle()
    expect(seen.find((r) => r.path === `${PAGE}/versions`).body.activate).toBe(true)
    expect(wrapper.find('.status-message').text()).toBe('Version 4 saved and activated.')
  })

  it('says when there is nothing to save', async () => {
    fakeServer(routes(devicePage()))
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    await until(() => checkState(wrapper).startsWith('✓'))
    await button(editor(wrapper), 'Review changes').trigger('click')
    await settle()
    expect(editor(wrapper).find('[role="alert"]').text()).toBe('Nothing to save: the text is version 3 as it is.')
    expect(editor(wrapper).find('[aria-labelledby="config-review-heading"]').exists()).toBe(false)
  })

  it('keeps the text when someone saved meanwhile, and offers to reload', async () => {
    let latest = 3
    const mine = { ...DOCS[3], ramp_rate: 0.9 }
    const theirs = { ...DOCS[3], ramp_rate: 2 }
    const sentence = 'Version 4 of device:sipm-ecal07 was saved by user:elena at 2026-11-25, after version 3 you started from; reload it and make your change again.'
    fakeServer(
      routes(() => devicePage({ latest, docs: { ...DOCS, 4: theirs } }), {
        [`POST ${PAGE}/versions`]: () => {
          latest = 4
          return error(409, sentence, { errors: [{ field: 'base', error: 'Out of date.' }] })
        },
      }),
    )
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    await textArea(wrapper).setValue(json(mine))
    await until(() => checkState(wrapper).startsWith('✓ Valid: 1 change'))
    await button(editor(wrapper), 'Review changes').trigger('click')
    await settle()
    await button(editor(wrapper), 'Save version').trigger('click')
    await settle()
    expect(editor(wrapper).find('[role="alert"]').text()).toBe(sentence)
    expect(textArea(wrapper).element.value).toBe(json(mine))

    await button(editor(wrapper), 'Reload the latest version').trigger('click')
    await settle()
    expect(textArea(wrapper).element.value).toBe(json(theirs))
    expect(editor(wrapper).text()).toContain('Starts from version 4')
    const kept = editor(wrapper).find('details')
    expect(kept.find('summary').text()).toBe('Your text from before the reload')
    expect(kept.find('pre').text()).toBe(json(mine).trim())
    await button(kept, 'Put it back in the editor').trigger('click')
    expect(textArea(wrapper).element.value).toBe(json(mine))
  })

  it('a viewer sees the latest document but neither the editor nor activate buttons', async () => {
    fakeServer(
      routes(devicePage({ can: { write: false, activate: false } }), { 'GET /api/auth/me': meAnswer(viewer(), ['read']) }),
    )
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    expect(wrapper.findAll('h2').map((h) => h.text())).not.toContain('Edit')
    expect(wrapper.find('textarea').exists()).toBe(false)
    expect(JSON.parse(region(wrapper, 'Latest version').find('pre').text())).toEqual(DOCS[3])
    const labels = region(wrapper, 'Versions').findAll('button').map((b) => b.text())
    expect(labels).toEqual(['View version 3', 'View version 2', 'View version 1'])
  })

  it('activates a version and rolls back to one, each confirmed with a comment', async () => {
    let page = devicePage({ can: { write: true, activate: true } })
    const seen = fakeServer(
      routes(() => page, {
        'GET /api/auth/me': meAnswer(operator(), ['read', 'configs.write', 'configs.activate']),
        [`POST ${PAGE}/activate`]: (r) => {
          page = devicePage({ active: r.body.version, can: { write: true, activate: true } })
          return { body: { ok: true, config: page } }
        },
        [`POST ${PAGE}/rollback`]: () => {
          page = devicePage({ latest: 4, active: 4, can: { write: true, activate: true }, docs: { ...DOCS, 4: DOCS[1] } })
          page.versions[0] = version(4, { copied_from: 1 })
          return { body: { ok: true, version: version(4, { copied_from: 1 }), config: page } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    const versions = region(wrapper, 'Versions')
    expect(button(versions, 'Activate version 1')).toBeUndefined() // active already
    expect(button(versions, 'Roll back to version 3')).toBeUndefined() // the latest
    await button(versions, 'Activate version 2').trigger('click')
    await settle()
    let dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Activate version 2?')
    await field(dialog, 'Comment').setValue('cosmics tonight')
    await button(dialog, 'Activate').trigger('click')
    await settle()
    expect(seen.find((r) => r.path === `${PAGE}/activate`).body).toEqual({ version: 2, comment: 'cosmics tonight' })
    expect(wrapper.find('.status-message').text()).toBe('Version 2 activated.')
    expect(region(wrapper, 'Versions').findAll('tbody tr')[1].find('th').text()).toBe('v2 active')

    await button(region(wrapper, 'Versions'), 'Roll back to version 1').trigger('click')
    await settle()
    dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Roll back to version 1?')
    await button(dialog, 'Roll back').trigger('click')
    await settle()
    expect(seen.find((r) => r.path === `${PAGE}/rollback`).body).toEqual({ version: 1, comment: '' })
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(wrapper.find('.status-message').text()).toBe('Version 4 saved as a copy of version 1 and activated.')
    expect(words(region(wrapper, 'Versions').find('tbody th'))).toBe('v4 active copy of v1')
  })

  it('shows one version whole', async () => {
    fakeServer(routes(devicePage()))
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    await button(region(wrapper, 'Versions'), 'View version 2').trigger('click')
    await settle()
    const shown = region(wrapper, 'Versions').find('[aria-labelledby="config-viewing"]')
    expect(shown.find('h3').text()).toBe('Version 2')
    expect(JSON.parse(shown.find('pre').text())).toEqual(DOCS[2])
  })

  it('compares two versions, at once when the address names them', async () => {
    const seen = fakeServer(
      routes(devicePage(), {
        [`GET ${PAGE}/diff`]: (r) => ({
          body: {
            ok: true,
            a: version(Number(query(r).get('a'))),
            b: version(Number(query(r).get('b'))),
            changes: [{ path: 'ramp_rate', op: 'added', after: 0.5 }],
          },
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07?a=1&b=3#diff'))
    const compare = region(wrapper, 'Compare versions')
    expect(compare.text()).toContain('From version 1 to version 3: 1 change.')
    expect(compare.find('tbody tr').findAll('th, td').map((c) => c.text())).toEqual(['ramp_rate', 'added', '—', '→ 0.5'])

    await field(compare, 'From version').setValue(2)
    await button(compare, 'Compare').trigger('click')
    await settle()
    const asked = seen.filter((r) => r.path === `${PAGE}/diff`).at(-1)
    expect([query(asked).get('a'), query(asked).get('b')]).toEqual(['2', '3'])
    expect(compare.text()).toContain('From version 2 to version 3')
  })

  it('switches the editor to YAML and back', async () => {
    const yamlText = 'channels:\n  - voltage: 38.35\n  - voltage: 38.45\nramp_rate: 0.5\n'
    const seen = fakeServer(routes(devicePage(), { [`POST ${PAGE}/check`]: (r) => checkAnswer(r, DOCS, { [yamlText]: DOCS[3] }) }))
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    await until(() => checkState(wrapper).startsWith('✓'))
    await editor(wrapper).find('input[value="yaml"]').setValue(true)
    await settle()
    const yamlArea = field(editor(wrapper), 'Configuration (YAML)')
    expect(yamlArea.element.value).toBe(yamlText)
    await until(() => checkState(wrapper).startsWith('✓'))
    expect(seen.filter((r) => r.path === `${PAGE}/check`).at(-1).body.format).toBe('yaml')

    await yamlArea.setValue('channels: [')
    await until(() => checkState(wrapper).includes('does not parse'))
    await editor(wrapper).find('input[value="json"]').setValue(true)
    await settle()
    expect(editor(wrapper).find('[role="alert"]').text()).toBe('The YAML does not parse: fix it before switching to JSON.')
    expect(editor(wrapper).find('input[value="yaml"]').element.checked).toBe(true)

    await field(editor(wrapper), 'Configuration (YAML)').setValue(yamlText)
    await until(() => checkState(wrapper).startsWith('✓'))
    await editor(wrapper).find('input[value="json"]').setValue(true)
    await settle()
    expect(textArea(wrapper).element.value).toBe(json(DOCS[3]))
  })

  it('shows a type default without effective or live values', async () => {
    const page = { ...devicePage(), owner: 'type:sipm', kind: 'type', name: 'sipm' }
    delete page.effective
    delete page.type_default
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(member(), ['read', 'configs.write']),
      'GET /api/configs/types/sipm': { body: { ok: true, config: page } },
      'POST /api/configs/types/sipm/check': (r) => checkAnswer(r),
    })
    ;({ wrapper } = await mountApp('/configurations/types/sipm'))
    expect(wrapper.find('h1').text()).toBe('Default configuration of the sipm type')
    const headings = wrapper.findAll('h2').map((h) => h.text())
    expect(headings).toEqual(['About', 'Edit', 'Versions', 'Compare versions', 'Activations'])
    expect(seen.some((r) => r.path.endsWith('/live'))).toBe(false)
  })
})

describe('the effective configuration at a time', () => {
  it('shows what the device ran with then, and goes back to now', async () => {
    const requests = fakeServer(
      routes(devicePage(), {
        'GET /api/configs/devices/sipm-ecal07/effective': {
          body: {
            ok: true,
            effective: { config: { enabled: true, ramp_rate: 1, ...DOCS[2] }, type_version: 2, device_version: 2,
                         at: '2026-11-23T09:00:00+00:00', problems: [] },
          },
        },
      }),
    )
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    const effective = () => region(wrapper, 'Effective configuration')
    const value = (path) => effective().findAll('tbody tr').find((r) => r.find('th').text() === path).findAll('td')[0].text()
    expect(value('channels[0].voltage')).toBe('38.35')

    await field(effective(), 'As it was at').setValue('2026-11-23T09:00:00Z')
    await effective().find('form').trigger('submit')
    await until(() => effective().text().includes('As it was at 2026-11-23T09:00:00+00:00'))
    expect(requests.find((r) => r.path.endsWith('/effective')).url).toContain('at=2026-11-23T09%3A00%3A00Z')
    expect(value('channels[0].voltage')).toBe('40.35')
    expect(effective().text()).toContain('2 set by this device (version 2)')

    await button(effective(), 'Back to now').trigger('click')
    await settle()
    expect(value('channels[0].voltage')).toBe('38.35')
  })

  it('names a time that is not one', async () => {
    fakeServer(
      routes(devicePage(), {
        'GET /api/configs/devices/sipm-ecal07/effective': error(400, 'The time asked for (at) must be Unix seconds or an ISO 8601 time, not "soon".'),
      }),
    )
    ;({ wrapper } = await mountApp('/configurations/devices/sipm-ecal07'))
    const effective = region(wrapper, 'Effective configuration')
    await field(effective, 'As it was at').setValue('soon')
    await effective.find('form').trigger('submit')
    await until(() => effective.text().includes('not "soon"'))
  })
})
