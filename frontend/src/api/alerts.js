import { del, get, patch, post } from './client.js'

const alertPath = (id) => `/alerts/${encodeURIComponent(id)}`

/**
 * Alerts, newest first: {revision, alerts} or, when nothing changed since `unless` (the revision the
 * page has), {unchanged: true, revision}. filters: state (open, active, acknowledged, returned, cleared,
 * all), severity (this and worse), device, subsystem, group.
 */
export const listAlerts = ({ state, severity, device, subsystem, group } = {}, unless) =>
  get('/alerts', { query: { state, severity, device, subsystem, group, unless } })

/** One alert with history, offers (reactions to run by hand), runs and can {operate}. */
export const getAlert = async (id) => (await get(alertPath(id))).alert

/** Acknowledge alerts (all or none): {id: new state}. */
export const acknowledgeAlerts = async (ids, comment = '') => (await post('/alerts/acknowledge', { ids, comment })).states

/** Shelve alerts for {minutes} or {until} (a time), with a reason; answers with the alerts. */
export const shelveAlerts = async (ids, { minutes, until, comment }) =>
  (await post('/alerts/shelve', { ids, ...(until ? { until } : { minutes }), comment })).alerts

export const unshelveAlerts = async (ids) => (await post('/alerts/unshelve', { ids })).alerts

/** Run a reaction offered on an alert: {ok, run: {state, result, ...}, alert (its page again)}. */
export const runReaction = (id, name) =>
  post(`${alertPath(id)}/reactions/${encodeURIComponent(name)}`, { confirm: true })

/** Reaction rules and the actions they may run: {reactions, actions: [{name, description, arguments}]}. */
export async function listReactions() {
  const data = await get('/reactions')
  return { reactions: data.reactions ?? [], actions: data.actions ?? [] }
}

export const createReaction = async (fields) => (await post('/reactions', fields)).reaction

export const setReactionEnabled = async (name, enabled) =>
  (await patch(`/reactions/${encodeURIComponent(name)}`, { enabled })).reaction

export const deleteReaction = (name) => del(`/reactions/${encodeURIComponent(name)}`)

/** Your subscriptions to alert notifications. */
export const listSubscriptions = async () => (await get('/subscriptions')).subscriptions ?? []

/** {channel: email|webhook, target, min_severity, subsystem, remind_s, on_recovery}; answers with it. */
export const subscribe = async (fields) => (await post('/subscriptions', fields)).subscription

export const unsubscribe = (id) => del(`/subscriptions/${encodeURIComponent(id)}`)
