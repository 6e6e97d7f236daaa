import { get } from './client.js'

/** { roles: [{name, description}], scopes: [{name, description}] } */
export async function listRolesAndScopes() {
  const data = await get('/roles')
  return { roles: data.roles ?? [], scopes: data.scopes ?? [] }
}
