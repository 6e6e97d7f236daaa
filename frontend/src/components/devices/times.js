// Times typed into the device forms: ISO 8601 or Unix seconds, as the server takes them.

export const TIME_HINT = 'ISO 8601, e.g. 2026-11-21T08:00:00Z (Z: UTC), or Unix seconds.'

/** Now, to the second, in UTC: "2026-11-21T19:58:14Z". */
export const nowIso = (date = new Date()) => date.toISOString().replace(/\.\d{3}Z$/, 'Z')
