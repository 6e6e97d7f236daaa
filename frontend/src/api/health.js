import { get } from './client.js'

/** { ok, version, database, time } */
export const getHealth = () => get('/health')
