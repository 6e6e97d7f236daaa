import { get } from './client.js'

/**
 * filters: { actor, action, object, since, until, limit, beforeId }
 * Returns { entries, nextBeforeId } (nextBeforeId is null on the last page).
 */
export async function listAudit({ actor, action, object, since, until, limit = 50, beforeId } = {}) {
  const data = await get('/audit', {
    query: { actor, action, object, since, until, limit, before_id: beforeId },
  })
  return { entries: data.entries ?? [], nextBeforeId: data.next_before_id ?? null }
}
