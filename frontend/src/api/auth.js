import { get, post } from './client.js'

// login and me answer 401 as part of their normal work: no redirect to the login page.
export const login = (username, password) =>
  post('/auth/login', { username, password }, { authRedirect: false })

export const me = () => get('/auth/me', { authRedirect: false })

export const logout = () => post('/auth/logout', {}, { authRedirect: false })

export const changePassword = (currentPassword, newPassword) =>
  post('/auth/password', { current_password: currentPassword, new_password: newPassword })
