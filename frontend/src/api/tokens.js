import { del, get, post } from './client.js'

export const listTokens = async ({ all = false } = {}) =>
  (await get('/tokens', { query: all ? { all: 1 } : undefined })).tokens

/** Returns { token, secret }: the secret is only ever sent this once. */
export async function createToken({ name, scopes, expiresInDays, user }) {
  const body = { name, scopes }
  if (expiresInDays !== undefined && expiresInDays !== null && expiresInDays !== '') {
    body.expires_in_days = Number(expiresInDays)
  }
  if (user) body.user = user
  const data = await post('/tokens', body)
  return { token: data.token, secret: data.secret }
}

export const revokeToken = async (id) => (await del(`/tokens/${encodeURIComponent(id)}`)).token
