import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import TimeStamp from '@/components/common/TimeStamp.vue'
import { formatTime, parseIso } from '@/composables/useTime.js'

describe('time stamps', () => {
  it('reads ISO 8601 with nanoseconds', () => {
    const date = parseIso('2026-11-21T17:40:00.123456789+00:00')
    expect(date.toISOString()).toBe('2026-11-21T17:40:00.123Z')
    expect(parseIso('not a time')).toBeNull()
  })

  it('shows a readable local time with the full ISO string as tooltip', () => {
    const iso = '2026-11-21T17:40:00.123456789+00:00'
    const w = mount(TimeStamp, { props: { value: iso } })
    const time = w.find('time')
    expect(time.attributes('title')).toBe(iso)
    expect(time.attributes('datetime')).toBe(iso)
    expect(time.text()).toBe(formatTime(iso))
    expect(time.text()).toContain('2026')
    expect(time.text()).not.toContain('T17')
  })

  it('says "never" (or what it is told) when there is no time', () => {
    const w = mount(TimeStamp, { props: { value: null, empty: 'never' } })
    expect(w.text()).toBe('never')
    expect(w.find('time').exists()).toBe(false)
  })
})
