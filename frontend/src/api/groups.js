import { get, patch, post } from './client.js'

export const listGroups = async () => (await get('/groups')).groups

export const createGroup = async (name, description = '') =>
  (await post('/groups', { name, description })).group

export const updateGroup = async (name, fields) =>
  (await patch(`/groups/${encodeURIComponent(name)}`, fields)).group
