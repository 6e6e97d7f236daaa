// Answers of the configuration API for the view specs: a sipm HV board with three versions, its type
// default, a server-like check (range 0-60 V for voltages, the JSON parsed with line and column),
// live values with one drift, recipes and configuration sets.
import { error } from './fakeServer.js'

export const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ramp_rate: { type: 'number', minimum: 0.1, maximum: 10, 'x-tolerance': '5%' },
    enabled: { type: 'boolean' },
    channels: { type: 'array', items: { type: 'object', properties: { voltage: { type: 'number', maximum: 60 } } } },
  },
}

export const version = (number, overrides = {}) => ({
  id: 20 + number,
  owner: 'device:sipm-ecal07',
  number,
  author: 'user:mira',
  comment: `change ${number}`,
  created: `2026-11-2${number}T10:00:00.000000000+00:00`,
  sha256: String(number).repeat(64),
  schema_version: 2,
  copied_from: null,
  ...overrides,
})

export const DOCS = {
  1: { channels: [{ voltage: 38.35 }, { voltage: 38.45 }] },
  2: { channels: [{ voltage: 40.35 }, { voltage: 40.45 }] },
  3: { channels: [{ voltage: 38.35 }, { voltage: 38.45 }], ramp_rate: 0.5 },
}

export const TYPE_DEFAULT = { enabled: true, ramp_rate: 1 }

/** The page of device sipm-ecal07 with versions 1..latest (newest first), `active` active. */
export function devicePage({ latest = 3, active = 1, can = { write: true, activate: false }, docs = DOCS, extra = {} } = {}) {
  const versions = []
  for (let n = latest; n >= 1; n--) versions.push(version(n))
  return {
    owner: 'device:sipm-ecal07',
    kind: 'device',
    name: 'sipm-ecal07',
    dettype: 'sipm',
    schema: SCHEMA,
    schema_version: 2,
    versions,
    active,
    latest: { ...version(latest), config: docs[latest] },
    activations: [
      { number: active, version_id: 20 + active, time: '2026-11-24T08:00:00Z', actor: 'user:otto', comment: 'back to physics', via: '' },
      { number: 2, version_id: 22, time: '2026-11-23T08:00:00Z', actor: 'user:otto', comment: '', via: 'recipe ecal-cosmics' },
    ],
    can,
    effective: {
      config: { ...TYPE_DEFAULT, ...docs[active] },
      type_version: 2,
      device_version: active,
      at: null,
      problems: [],
    },
    type_default: { ...version(2, { owner: 'type:sipm', id: 2 }), config: TYPE_DEFAULT },
    ...extra,
  }
}

function locate(text, position) {
  const before = text.slice(0, position)
  const line = before.split('\n').length
  return { line, column: position - before.lastIndexOf('\n') }
}

/** JSON text parsed as the server does, or an ApiError-shaped 400 with the line and column. */
export function parseJson(text) {
  try {
    return { config: JSON.parse(text) }
  } catch (err) {
    // Node names the position, or the token it did not expect.
    const at = /position (\d+)/.exec(err.message)?.[1] ?? text.indexOf(/Unexpected token '(.)'/.exec(err.message)?.[1])
    const { line, column } = locate(text, at >= 0 ? Number(at) : text.length)
    const sentence = `The JSON is not valid: line ${line}, column ${column}: Expecting value.`
    return { refused: error(400, sentence, { errors: [{ field: 'text', error: sentence }] }) }
  }
}

function leaves(doc, path = '') {
  if (doc !== null && typeof doc === 'object') {
    return Object.entries(doc).flatMap(([k, v]) =>
      leaves(v, Array.isArray(doc) ? `${path}[${k}]` : path ? `${path}.${k}` : k),
    )
  }
  return [[path, doc]]
}

/** The changes between two documents, leaf by leaf (enough for these specs). */
export function changesBetween(before, after) {
  const a = new Map(leaves(before))
  const b = new Map(leaves(after))
  const out = []
  for (const [path, value] of a) {
    if (!b.has(path)) out.push({ path, op: 'removed', before: value })
    else if (b.get(path) !== value) out.push({ path, op: 'changed', before: value, after: b.get(path) })
  }
  for (const [path, value] of b) if (!a.has(path)) out.push({ path, op: 'added', after: value })
  return out
}

function problemsOf(config) {
  const problems = []
  for (const key of Object.keys(config)) {
    if (!(key in SCHEMA.properties)) problems.push({ field: key, error: 'is not a known parameter' })
  }
  ;(config.channels ?? []).forEach((c, i) => {
    if (c.voltage > 60) problems.push({ field: `channels[${i}].voltage`, error: `must be at most 60 (it is ${c.voltage})` })
  })
  if (config.ramp_rate > 10) problems.push({ field: 'ramp_rate', error: `must be at most 10 (it is ${config.ramp_rate})` })
  return problems
}

/** A check answer like the server's, for JSON text (YAML texts are answered from `yaml`). */
export function checkAnswer(request, docs = DOCS, yaml = {}) {
  const { text, format, base } = request.body
  let config
  if (format === 'yaml') {
    if (!(text in yaml)) return error(400, 'The YAML is not valid: line 1, column 1: bad.', { errors: [{ field: 'text', error: 'bad' }] })
    config = yaml[text]
  } else {
    const parsed = parseJson(text)
    if (parsed.refused) return parsed.refused
    config = parsed.config
  }
  const problems = problemsOf(config)
  return {
    body: {
      ok: true,
      valid: problems.length === 0,
      problems,
      config,
      base: base ?? null,
      changes: changesBetween(docs[base] ?? {}, config),
      effective: { ...TYPE_DEFAULT, ...config },
    },
  }
}

export const LIVE = {
  read: '2026-11-24T09:00:00Z',
  source: 'token:ecal-ctl(mira)',
  live: {},
  stored_versions: { type: 2, device: 1 },
  rows: [
    { path: 'channels[1].voltage', stored: 38.45, tolerance: '0.05', live: 37.1, delta: -1.35, state: 'drift' },
    { path: 'channels[0].voltage', stored: 38.35, tolerance: '0.05', live: 38.36, delta: 0.01, state: 'ok' },
    { path: 'channels[10].voltage', stored: 38.35, tolerance: '0.05', live: 38.35, delta: 0, state: 'ok' },
    { path: 'channels[2].voltage', stored: 38.35, tolerance: '0.05', live: 38.35, delta: 0, state: 'ok' },
    { path: 'enabled', stored: true, tolerance: null, live: true, delta: null, state: 'ok' },
  ],
  counts: { ok: 4, drift: 1, missing: 0, extra: 0 },
  matches: false,
}
