// A JSON document written as block-style YAML, for the editor's YAML view. Only what JSON holds is
// written (objects, lists, text, numbers, true/false/null); reading YAML back is the server's job.

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*$/
// Words YAML 1.1 (what the server reads) takes for booleans or null when written plain.
const RESERVED = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i

function text(value) {
  return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value)
}

function number(value) {
  if (!Number.isFinite(value)) throw new Error('JSON has no NaN or infinity.')
  const out = String(value)
  // YAML 1.1 reads 1e+21 as text: a float needs a dot before its exponent.
  return /e/.test(out) && !/\./.test(out) ? out.replace('e', '.0e') : out
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
const nested = (v) => (Array.isArray(v) ? v.length > 0 : isObject(v) && Object.keys(v).length > 0)

function scalar(value) {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'number') return number(value)
  if (typeof value === 'string') return text(value)
  if (Array.isArray(value)) return '[]'
  return '{}'
}

function lines(value, indent) {
  const pad = ' '.repeat(indent)
  const out = []
  if (Array.isArray(value)) {
    for (const item of value) {
      if (nested(item)) {
        const inner = lines(item, indent + 2)
        out.push(`${pad}- ${inner[0].slice(indent + 2)}`, ...inner.slice(1))
      } else {
        out.push(`${pad}- ${scalar(item)}`)
      }
    }
    return out
  }
  for (const [key, item] of Object.entries(value)) {
    if (nested(item)) out.push(`${pad}${text(key)}:`, ...lines(item, indent + 2))
    else out.push(`${pad}${text(key)}: ${scalar(item)}`)
  }
  return out
}

/** YAML text of a JSON value (an object at the top, for configurations). */
export function toYaml(value) {
  return nested(value) ? `${lines(value, 0).join('\n')}\n` : `${scalar(value)}\n`
}
