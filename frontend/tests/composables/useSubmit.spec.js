import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client.js'
import { useSubmit } from '@/composables/useSubmit.js'

describe('useSubmit', () => {
  it('is busy while the action runs and not after', async () => {
    let finish
    const submission = useSubmit(() => new Promise((resolve) => (finish = resolve)))
    const done = submission.submit()
    expect(submission.busy).toBe(true)
    finish()
    await done
    expect(submission.busy).toBe(false)
    expect(submission.errors.message).toBe('')
  })

  it('passes its arguments to the action', async () => {
    const action = vi.fn(async () => {})
    await useSubmit(action).submit('alice', true)
    expect(action).toHaveBeenCalledWith('alice', true)
  })

  it('shows the server’s sentence and field errors when the action fails', async () => {
    const onError = vi.fn()
    const submission = useSubmit(
      async () => {
        throw new ApiError(400, 'The user was not created.', [{ field: 'username', error: 'Taken.' }])
      },
      { onError },
    )
    await submission.submit()
    expect(submission.busy).toBe(false)
    expect(submission.errors.message).toBe('The user was not created.')
    expect(submission.errors.fields).toEqual({ username: 'Taken.' })
    expect(onError).toHaveBeenCalledOnce()
  })

  it('stops before the action when validation marks a field', async () => {
    const action = vi.fn(async () => {})
    const submission = useSubmit(action, {
      validate: (errors) => errors.setField('name', 'Enter a name.'),
      invalidMessage: 'Nothing was saved: see the marked fields.',
    })
    await submission.submit()
    expect(action).not.toHaveBeenCalled()
    expect(submission.errors.fields).toEqual({ name: 'Enter a name.' })
    expect(submission.errors.message).toBe('Nothing was saved: see the marked fields.')
  })

  it('stops before the action when validation sets a general sentence, and clears it on the next try', async () => {
    let valid = false
    const action = vi.fn(async () => {})
    const submission = useSubmit(action, {
      validate: (errors) => {
        if (!valid) errors.message = 'Enter your user name and password.'
      },
    })
    await submission.submit()
    expect(action).not.toHaveBeenCalled()
    expect(submission.errors.message).toBe('Enter your user name and password.')
    valid = true
    await submission.submit()
    expect(action).toHaveBeenCalledOnce()
    expect(submission.errors.message).toBe('')
  })
})
