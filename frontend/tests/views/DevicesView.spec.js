import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, until } from '../mountApp.js'
import { button, field } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

const device = (name, subsystem) => {
  const [dettype, detid] = name.split('-')
  return { name, dettype, detid, description: `${dettype} detector`, subsystem }
}
const DEVICES = [device('cspad-0001', 'ecal'), device('epix100a-0002', 'tracker'), device('sipm-7', 'ecal')]
const names = (w) => w.findAll('tbody tr').map((r) => r.find('th').text())
const expert = () => meAnswer(user({ memberships: [{ group: 'ecal', role: 'expert' }] }), ['read', 'topology.write'])

describe('devices page', () => {
  it('lists devices and narrows them with the filter box', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/devices': { body: { ok: true, devices: DEVICES } },
    })
    ;({ wrapper } = await mountApp('/devices'))
    expect(wrapper.find('h1').text()).toBe('Devices')
    expect(wrapper.findAll('tbody tr')).toHaveLength(3)

    await wrapper.find('#device-filter').setValue('ECAL')
    expect(names(wrapper)).toEqual(['cspad-0001', 'sipm-7'])
    expect(wrapper.text()).toContain('2 of 3 devices')

    await wrapper.find('#device-filter').setValue('nothing-like-this')
    expect(wrapper.find('tbody').exists()).toBe(false)
    expect(wrapper.text()).toContain('No device matches “nothing-like-this”.')
  })

  it('links each device to its page, and the list to the topology and the device types', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/devices': { body: { ok: true, devices: DEVICES } },
    })
    ;({ wrapper } = await mountApp('/devices'))
    expect(wrapper.find('tbody th a').attributes('href')).toBe('/devices/cspad-0001')
    const links = wrapper.find('.lead').findAll('a').map((a) => a.attributes('href'))
    expect(links).toEqual(['/topology', '/device-types'])
  })

  it('narrows the list to one subsystem, kept in the address', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/devices': { body: { ok: true, devices: DEVICES } },
    })
    const mounted = await mountApp('/devices')
    wrapper = mounted.wrapper
    const select = field(wrapper, 'Subsystem')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['All subsystems', 'ecal', 'tracker'])
    await select.setValue('tracker')
    await until(() => mounted.router.currentRoute.value.query.subsystem === 'tracker')
    expect(names(wrapper)).toEqual(['epix100a-0002'])
    expect(wrapper.text()).toContain('1 of 3 devices')
  })

  it('shows the first 500 of a long list, and all of it on request', async () => {
    const many = Array.from({ length: 620 }, (_, i) => device(`bgo-${String(i).padStart(3, '0')}`, 'ECal'))
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/devices': { body: { ok: true, devices: many } },
    })
    ;({ wrapper } = await mountApp('/devices'))
    expect(wrapper.findAll('tbody tr')).toHaveLength(500)
    expect(wrapper.text()).toContain('Showing the first 500 of 620.')
    await button(wrapper, 'Show all 620').trigger('click')
    expect(wrapper.findAll('tbody tr')).toHaveLength(620)
  })

  it('offers a viewer no form to add a device', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(viewer()),
      'GET /api/devices': { body: { ok: true, devices: DEVICES } },
    })
    ;({ wrapper } = await mountApp('/devices'))
    expect(wrapper.text()).not.toContain('Add a device')
    expect(wrapper.findAll('main form')).toHaveLength(0)
  })

  it('an expert adds a device and lands on its page', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': expert(),
      'GET /api/devices': { body: { ok: true, devices: DEVICES } },
      'POST /api/devices': (request) =>
        request.body.name === 'sipm-8'
          ? { status: 201, body: { ok: true, device: { ...device('sipm-8', 'ecal'), can: {} } } }
          : error(409, "A device named 'sipm-7' exists already.", { errors: [{ field: 'name', error: 'Taken.' }] }),
      'GET /api/devices/sipm-8': { body: { ok: true, device: { ...device('sipm-8', 'ecal'), can: {} } } },
    })
    const mounted = await mountApp('/devices')
    wrapper = mounted.wrapper
    expect(wrapper.find('details summary').text()).toBe('Add a device')
    const form = wrapper.find('details form')
    await field(form, 'Name').setValue('SiPM 8')
    await form.trigger('submit')
    expect(form.text()).toContain('A device name is its type (lower-case letters and digits), a dash and its id')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)

    await field(form, 'Name').setValue('sipm-7')
    await form.trigger('submit')
    await until(() => form.text().includes('Taken.'))
    expect(form.find('[role="alert"]').text()).toBe("A device named 'sipm-7' exists already.")

    await field(form, 'Name').setValue('sipm-8')
    await field(form, 'Subsystem').setValue('ecal')
    await field(form, 'Group').setValue('ecal')
    await form.trigger('submit')
    await until(() => mounted.router.currentRoute.value.path === '/devices/sipm-8')
    expect(seen.filter((r) => r.method === 'POST').at(-1).body).toEqual({ name: 'sipm-8', subsystem: 'ecal', group: 'ecal' })
  })
})
