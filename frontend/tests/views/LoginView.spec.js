import { afterEach, describe, expect, it } from 'vitest'
import { error, fakeServer, meAnswer, user } from '../fakeServer.js'
import { mountApp, settle, until } from '../mountApp.js'

let wrapper
afterEach(() => wrapper?.unmount())

const anonymous = { 'GET /api/auth/me': error(401, 'Please sign in.') }

async function signIn(w, username, password) {
  await w.find('#login-username').setValue(username)
  await w.find('#login-password').setValue(password)
  await w.find('form').trigger('submit')
  await settle()
}

describe('sign-in page', () => {
  it('has a heading and labelled fields', async () => {
    fakeServer(anonymous)
    ;({ wrapper } = await mountApp('/login'))
    expect(wrapper.find('h1').text()).toBe('Sign in')
    expect(wrapper.find('label[for="login-username"]').text()).toBe('User name')
    expect(wrapper.find('label[for="login-password"]').text()).toBe('Password')
    expect(wrapper.find('button[type="submit"]').text()).toBe('Sign in')
  })

  it('shows the sentence the server gives for wrong credentials', async () => {
    fakeServer({ ...anonymous, 'POST /api/auth/login': error(401, 'Wrong user name or password.') })
    ;({ wrapper } = await mountApp('/login'))
    await signIn(wrapper, 'alice', 'wrong password')
    const alert = wrapper.find('[role="alert"]')
    expect(alert.text()).toBe('Wrong user name or password.')
    expect(wrapper.find('#login-password').element.value).toBe('')
  })

  it('shows when to retry after too many attempts', async () => {
    fakeServer({
      ...anonymous,
      'POST /api/auth/login': error(429, 'Too many failed attempts; try again after 17:55 UTC.'),
    })
    ;({ wrapper } = await mountApp('/login'))
    await signIn(wrapper, 'alice', 'again wrong')
    expect(wrapper.find('[role="alert"]').text()).toBe('Too many failed attempts; try again after 17:55 UTC.')
  })

  it('goes on to the page the person wanted after signing in', async () => {
    let signedIn = false
    fakeServer({
      'GET /api/auth/me': () => (signedIn ? meAnswer(user()) : error(401, 'Please sign in.')),
      'POST /api/auth/login': () => {
        signedIn = true
        return { body: { ok: true, user: user(), csrf_token: 'abc' } }
      },
      'GET /api/devices': {
        body: { ok: true, devices: [{ name: 'cspad-0001', dettype: 'cspad', detid: '0001', description: '', subsystem: '' }] },
      },
    })
    let router
    ;({ wrapper, router } = await mountApp('/devices'))
    expect(router.currentRoute.value.fullPath).toBe('/login?next=/devices')
    await signIn(wrapper, 'alice', 'correct horse battery')
    await until(() => wrapper.find('h1').text() === 'Devices')
    expect(router.currentRoute.value.path).toBe('/devices')
    expect(wrapper.find('h1').text()).toBe('Devices')
    expect(wrapper.text()).toContain('cspad-0001')
    expect(wrapper.find('header').text()).toContain('Alice Doe')
  })
})
