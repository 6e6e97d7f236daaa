import { get } from './client.js'

export const listDevices = async () => (await get('/devices')).devices
