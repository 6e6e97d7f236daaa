import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { field } from '../finders.js'

let wrapper
afterEach(() => wrapper?.unmount())

async function change(w, current, next, repeat = next) {
  await field(w, 'Current password').setValue(current)
  await field(w, 'New password').setValue(next)
  await field(w, 'Repeat new password').setValue(repeat)
  await w.findAll('button').find((b) => b.text() === 'Change password').trigger('click')
  await settle()
}

describe('profile page', () => {
  it('changes the own password', async () => {
    const seen = fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'POST /api/auth/password': { body: { ok: true } },
    })
    ;({ wrapper } = await mountApp('/profile'))
    expect(wrapper.find('h1').text()).toBe('Profile')
    await change(wrapper, 'old password 1', 'new password 12')
    expect(seen.at(-1).body).toEqual({ current_password: 'old password 1', new_password: 'new password 12' })
    expect(wrapper.find('[role="status"]').text()).toBe('Your password has been changed.')
    expect(field(wrapper, 'New password').element.value).toBe('')
  })

  it('refuses a short or mistyped new password before asking the server', async () => {
    const seen = fakeServer({ 'GET /api/auth/me': meAnswer(user()) })
    ;({ wrapper } = await mountApp('/profile'))
    await change(wrapper, 'old password 1', 'short', 'shorter')
    expect(wrapper.text()).toContain('The new password needs at least 10 characters.')
    expect(wrapper.text()).toContain('The two new passwords are not the same.')
    expect(seen.some((r) => r.method === 'POST')).toBe(false)
  })

  it('shows the server’s sentence when the current password is wrong', async () => {
    fakeServer({
      'GET /api/auth/me': meAnswer(user()),
      'POST /api/auth/password': error(400, 'The password was not changed.', {
        errors: [{ field: 'current_password', error: 'This is not your current password.' }],
      }),
    })
    ;({ wrapper } = await mountApp('/profile'))
    await change(wrapper, 'wrong one', 'new password 12')
    expect(wrapper.find('[role="alert"]').text()).toBe('The password was not changed.')
    expect(wrapper.text()).toContain('This is not your current password.')
  })
})
