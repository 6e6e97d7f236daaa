import { get, patch, post, put } from './client.js'

const path = (username) => `/users/${encodeURIComponent(username)}`

export const listUsers = async () => (await get('/users')).users

export const getUser = async (username) => (await get(path(username))).user

export const createUser = async (fields) => (await post('/users', fields)).user

export const updateUser = async (username, fields) => (await patch(path(username), fields)).user

export const setMemberships = async (username, memberships) =>
  (await put(`${path(username)}/memberships`, { memberships })).user
