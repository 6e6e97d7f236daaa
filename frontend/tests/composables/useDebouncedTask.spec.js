import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client.js'
import { useDebouncedTask } from '@/composables/useDebouncedTask.js'

afterEach(() => vi.useRealTimers())

describe('useDebouncedTask', () => {
  it('runs once, a moment after the last of several changes', async () => {
    vi.useFakeTimers()
    const task = vi.fn(async (text) => `checked ${text}`)
    const checking = useDebouncedTask(task, { delay: 300 })
    checking.schedule('a')
    await vi.advanceTimersByTimeAsync(200)
    checking.schedule('ab')
    expect(checking.pending.value).toBe(true)
    await vi.advanceTimersByTimeAsync(299)
    expect(task).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(task).toHaveBeenCalledTimes(1)
    expect(task).toHaveBeenCalledWith('ab')
    expect(checking.result.value).toBe('checked ab')
    expect(checking.pending.value).toBe(false)
  })

  it('keeps only the newest answer when an older one comes late', async () => {
    const answers = []
    const checking = useDebouncedTask((n) => new Promise((resolve) => answers.push(() => resolve(n))))
    const first = checking.now(1)
    const second = checking.now(2)
    answers[1]()
    await second
    answers[0]()
    await first
    expect(checking.result.value).toBe(2)
  })

  it('holds the error of the last run, and clears it when a run goes well', async () => {
    let fail = true
    const checking = useDebouncedTask(async () => {
      if (fail) throw new ApiError(400, 'The JSON is not valid: line 1, column 2: Expecting value.')
      return 'ok'
    })
    await checking.now()
    expect(checking.error.value.message).toBe('The JSON is not valid: line 1, column 2: Expecting value.')
    expect(checking.result.value).toBe(null)
    fail = false
    await checking.now()
    expect(checking.error.value).toBe(null)
    expect(checking.result.value).toBe('ok')
  })
})
