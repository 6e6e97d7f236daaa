import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import TextField from '@/components/common/TextField.vue'

describe('TextField', () => {
  it('labels its input and binds v-model', async () => {
    const wrapper = mount(TextField, {
      props: { label: 'User name', modelValue: 'al', 'onUpdate:modelValue': (v) => wrapper.setProps({ modelValue: v }) },
    })
    const input = wrapper.find('input')
    expect(wrapper.find('label').text()).toBe('User name')
    expect(wrapper.find('label').attributes('for')).toBe(input.attributes('id'))
    expect(input.attributes('type')).toBe('text')
    expect(input.element.value).toBe('al')
    await input.setValue('alice')
    expect(wrapper.props('modelValue')).toBe('alice')
  })

  it('turns off capitals and spell checking for identifiers only', () => {
    const plain = mount(TextField, { props: { label: 'Display name' } }).find('input')
    expect(plain.attributes('autocapitalize')).toBeUndefined()
    expect(plain.attributes('spellcheck')).toBeUndefined()
    const name = mount(TextField, { props: { label: 'User name', identifier: true } }).find('input')
    expect(name.attributes('autocapitalize')).toBe('none')
    expect(name.attributes('spellcheck')).toBe('false')
  })

  it('ties its hint and error to the input', () => {
    const wrapper = mount(TextField, {
      props: { label: 'Password', type: 'password', hint: 'At least 10 characters.', error: 'Too short.', required: true },
    })
    const input = wrapper.find('input')
    expect(input.attributes('type')).toBe('password')
    expect(input.attributes('required')).toBeDefined()
    expect(input.attributes('aria-invalid')).toBe('true')
    const described = input
      .attributes('aria-describedby')
      .split(' ')
      .map((id) => wrapper.find(`#${id}`).text())
    expect(described).toEqual(['At least 10 characters.', 'Too short.'])
  })

  it('gives other attributes to the input and keeps a given id', () => {
    const wrapper = mount(TextField, {
      props: { label: 'Days', id: 'days', type: 'number' },
      attrs: { min: '1', inputmode: 'numeric', name: 'days' },
    })
    const input = wrapper.find('input')
    expect(input.attributes('id')).toBe('days')
    expect(input.attributes('min')).toBe('1')
    expect(input.attributes('inputmode')).toBe('numeric')
    expect(input.attributes('name')).toBe('days')
    expect(wrapper.find('div.field').attributes('min')).toBeUndefined()
  })
})
