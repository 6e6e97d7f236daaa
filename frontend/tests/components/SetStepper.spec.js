import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import SetStepper from '@/components/sets/SetStepper.vue'

const steps = (state) => mount(SetStepper, { props: { state } }).findAll('li')
const current = (state) => steps(state).find((li) => li.attributes('aria-current') === 'step').text()

describe('set stepper', () => {
  it('draws draft, proposed, the decision and superseded, marking the current step', () => {
    expect(steps('draft').map((li) => li.text())).toEqual(['Draft', 'Proposed', 'Approved or rejected', 'Superseded'])
    expect(current('draft')).toBe('Draft')
    expect(current('proposed')).toBe('Proposed')
  })

  it('names the decision once it is made', () => {
    expect(current('approved')).toBe('Approved')
    expect(steps('superseded').map((li) => li.text())).toEqual([
      'Draft (passed)',
      'Proposed (passed)',
      'Approved (passed)',
      'Superseded',
    ])
  })

  it('ends with the rejection: a rejected set is never superseded', () => {
    expect(steps('rejected').map((li) => li.text())).toEqual(['Draft (passed)', 'Proposed (passed)', 'Rejected'])
  })
})
