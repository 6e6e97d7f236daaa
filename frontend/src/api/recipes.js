import { get, post, put } from './client.js'

export const RUN_MODES = ['PHYSICS', 'COSMICS', 'CALIBRATION']

const recipePath = (name) => `/recipes/${encodeURIComponent(name)}`

export const listRecipes = async () => (await get('/recipes')).recipes ?? []

/** A recipe with its entries: [{owner, number, version_id, comment, active, differs}]. */
export const getRecipe = async (name) => (await get(recipePath(name))).recipe

/** entries: [{owner, version}]; fromSet: take the pins of this configuration set. */
export async function createRecipe({ name, mode, group, description = '', entries = [], fromSet = '' }) {
  const body = { name, mode, group, description, entries }
  if (fromSet) body.from_set = fromSet
  return (await post('/recipes', body)).recipe
}

/** set: [{owner, version}] added or replacing; remove: [owner]. */
export const changeEntries = async (name, { set = [], remove = [] }) =>
  (await put(`${recipePath(name)}/entries`, { set, remove })).recipe

/** Activate every entry not active yet: {activated: [{owner, number}], recipe}. */
export const applyRecipe = (name, comment = '') => post(`${recipePath(name)}/apply`, comment ? { comment } : {})
