import { afterEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { fakeServer } from '../../fakeServer.js'
import { settle } from '../../mountApp.js'
import { button, field } from '../../finders.js'
import { run } from '../../commandsFixtures.js'
import RunCommandForm from '@/components/commands/RunCommandForm.vue'
import { checkArguments, initialValues } from '@/components/commands/argumentValues.js'

let wrapper
afterEach(() => wrapper?.unmount())

// A command of another module, with every kind of argument.
const configure = {
  module: 'adc',
  name: 'configure',
  key: 'adc.configure',
  summary: 'Configure the digitizer',
  role: 'operator',
  danger: 'safe',
  timeout_s: 10,
  args: [
    { name: 'gain_mode', type: 'choice', minimum: null, maximum: null, unit: '', choices: ['high', 'low', 'auto'], default: 'auto', required: false, help: 'the preamplifier gain' },
    { name: 'threshold', type: 'int', minimum: 1, maximum: 4095, unit: 'ADC', choices: [], default: 200, required: false, help: '' },
    { name: 'offset', type: 'float', minimum: -1, maximum: null, unit: 'V', choices: [], default: null, required: true, help: '' },
    { name: 'label', type: 'str', minimum: null, maximum: null, unit: '', choices: [], default: null, required: true, help: 'kept with the run' },
    { name: 'invert', type: 'bool', minimum: null, maximum: null, unit: '', choices: [], default: false, required: false, help: 'negative pulses' },
  ],
}

function mountForm(props) {
  return mount(RunCommandForm, { props: { devices: ['v1742-ecal01'], ...props }, attachTo: document.body })
}

describe('the argument form of a command', () => {
  it('makes its fields from the schema, fills the defaults, shows the limits and sends typed values', async () => {
    const seen = fakeServer({ 'POST /api/commands/runs': { status: 202, body: { ok: true, runs: [run({ command: 'adc.configure' })] } } })
    wrapper = mountForm({ command: configure })
    expect(field(wrapper, 'Gain mode').element.tagName).toBe('SELECT')
    expect(field(wrapper, 'Gain mode').element.value).toBe('auto')
    expect(field(wrapper, 'Threshold (ADC)').element.value).toBe('200')
    expect(field(wrapper, 'Threshold (ADC)').attributes('step')).toBe('1')
    expect(wrapper.text()).toContain('1 to 4095 ADC')
    expect(wrapper.text()).toContain('at least -1 V')
    expect(field(wrapper, 'Offset (V)').attributes('min')).toBe('-1')
    expect(field(wrapper, 'Offset (V)').attributes('max')).toBeUndefined()

    await field(wrapper, 'Gain mode').setValue('high')
    await field(wrapper, 'Offset (V)').setValue('-0.25')
    await field(wrapper, 'Label').setValue('  cosmic run  ')
    await wrapper.find('input[type="checkbox"]').setValue(true)
    expect(wrapper.find('[data-testid="run-preview"]').text()).toBe(
      'Will do: Run adc.configure with gain_mode high · threshold 200 ADC · offset -0.25 V · label cosmic run · invert true on v1742-ecal01',
    )
    await button(wrapper, 'Run on v1742-ecal01').trigger('click')
    await settle()
    expect(seen).toHaveLength(1)
    expect(seen[0].body).toEqual({
      command: 'adc.configure',
      devices: ['v1742-ecal01'],
      arguments: { gain_mode: 'high', threshold: 200, offset: -0.25, label: 'cosmic run', invert: true },
      confirm: false,
    })
    expect(wrapper.emitted('started')[0][1]).toBe('Run adc.configure with gain_mode high · threshold 200 ADC · offset -0.25 V · label cosmic run · invert true on v1742-ecal01')
  })

  it('marks every field that is missing or wrong, in the server’s words, and sends nothing', async () => {
    const seen = fakeServer({})
    wrapper = mountForm({ command: configure })
    await field(wrapper, 'Threshold (ADC)').setValue('2.5')
    await wrapper.find('form').trigger('submit')
    await settle()
    const errorOf = (label) => wrapper.find(`#${field(wrapper, label).attributes('id')}-error`).text()
    expect(errorOf('Threshold (ADC)')).toBe('Threshold must be a whole number, not 2.5')
    expect(errorOf('Offset (V)')).toBe('Offset is required')
    expect(errorOf('Label')).toBe('Label is required')
    expect(wrapper.find('[role="alert"]').text()).toBe('Nothing was sent: see the marked fields.')
    expect(wrapper.find('[data-testid="run-preview"]').exists()).toBe(false)
    expect(seen).toHaveLength(0)
  })

  it('says what is missing when no device is chosen, and what keeps a person from running it', async () => {
    const seen = fakeServer({})
    wrapper = mountForm({ command: { ...configure, args: [] }, devices: [] })
    expect(wrapper.text()).toContain('Configure takes no arguments.')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[role="alert"]').text()).toBe('Choose the devices to run it on.')
    await wrapper.setProps({ devices: ['v1742-ecal01'], blocked: 'adc.configure is for operators of ecal and those above them; you are a viewer there.' })
    expect(button(wrapper, 'Run on v1742-ecal01').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="run-blocked"]').text()).toContain('you are a viewer there.')
    expect(seen).toHaveLength(0)
  })

  it('starts again from the defaults when the command changes', async () => {
    fakeServer({})
    wrapper = mountForm({ command: configure })
    await field(wrapper, 'Threshold (ADC)').setValue('99999')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('.field-error').exists()).toBe(true)
    await wrapper.setProps({ command: { ...configure, key: 'adc.reconfigure', name: 'reconfigure' } })
    expect(field(wrapper, 'Threshold (ADC)').element.value).toBe('200')
    expect(wrapper.find('.field-error').exists()).toBe(false)
  })
})

describe('argument values', () => {
  it('checks numbers against the range as the server says it', () => {
    const volts = { name: 'volts', type: 'float', minimum: 0, maximum: 60, unit: 'V', choices: [], default: null, required: true }
    const command = { args: [volts] }
    expect(checkArguments(command, { volts: '75' }).fields).toEqual({ volts: 'must be at most 60 V (it is 75 V)' })
    expect(checkArguments(command, { volts: '-1' }).fields).toEqual({ volts: 'must be at least 0 V (it is -1 V)' })
    expect(checkArguments(command, { volts: 'abc' }).fields).toEqual({ volts: 'must be a number, not “abc”' })
    expect(checkArguments(command, { volts: ' 38.5 ' })).toEqual({ args: { volts: 38.5 }, fields: {} })
    expect(checkArguments(command, { volts: '60' }).args).toEqual({ volts: 60 })
  })

  it('leaves out an empty optional argument for the server to fill', () => {
    const command = { args: [{ ...configure.args[1], default: 200 }] }
    expect(initialValues(command)).toEqual({ threshold: '200' })
    expect(checkArguments(command, { threshold: '' })).toEqual({ args: {}, fields: {} })
  })
})
