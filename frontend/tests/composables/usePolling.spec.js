import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { pollFailure, usePolling } from '@/composables/usePolling.js'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('usePolling', () => {
  it('asks every interval until the poll says it is done', async () => {
    let left = 3
    const poll = vi.fn(async () => --left > 0)
    const polling = usePolling(poll, { interval: 1000 })
    polling.start()
    expect(poll).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1000)
    expect(poll).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(2000)
    expect(poll).toHaveBeenCalledTimes(3)
    expect(polling.active.value).toBe(false)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(poll).toHaveBeenCalledTimes(3)
  })

  it('stops when the component that made it goes away', async () => {
    const poll = vi.fn(async () => true)
    const scope = effectScope()
    const polling = scope.run(() => usePolling(poll, { interval: 1000 }))
    polling.start()
    await vi.advanceTimersByTimeAsync(2000)
    expect(poll).toHaveBeenCalledTimes(2)
    scope.stop()
    await vi.advanceTimersByTimeAsync(5000)
    expect(poll).toHaveBeenCalledTimes(2)
    expect(polling.active.value).toBe(false)
  })

  it('keeps the interval within sane bounds', () => {
    expect(usePolling(async () => false, { interval: 1 }).interval).toBe(250)
    expect(usePolling(async () => false, { interval: 3_600_000 }).interval).toBe(60_000)
  })

  it('does not poll again after stop(), even when stopped during a poll', async () => {
    let finish
    const poll = vi.fn(() => new Promise((resolve) => (finish = resolve)))
    const polling = usePolling(poll, { interval: 1000 })
    polling.start()
    await vi.advanceTimersByTimeAsync(1000)
    polling.stop()
    finish(true)
    await vi.advanceTimersByTimeAsync(5000)
    expect(poll).toHaveBeenCalledTimes(1)
  })
})

describe('pollFailure', () => {
  it('says an answer still shown is not up to date, and why there is none before the first', () => {
    expect(pollFailure({ message: 'Service unavailable.' }, { shown: {}, unloaded: 'No list.' })).toBe(
      'Not up to date: Service unavailable. Trying again.',
    )
    expect(pollFailure(new TypeError(''), { shown: [], unloaded: 'No list.' })).toBe(
      'Not up to date: the last refresh failed. Trying again.',
    )
    expect(pollFailure({ message: 'Service unavailable.' }, { shown: null, unloaded: 'No list.' })).toBe('Service unavailable.')
    expect(pollFailure(undefined, { shown: null, unloaded: 'No list.' })).toBe('No list.')
  })
})
