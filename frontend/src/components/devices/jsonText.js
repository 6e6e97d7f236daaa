// Reading JSON typed by a person: the value, or where the first mistake is (line and column) and
// what it is, in words. Browsers' own messages rarely say where; this scanner does.

const SPACE = new Set([' ', '\t', '\n', '\r'])
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y

class Mistake extends Error {
  constructor(message, index) {
    super(message)
    this.index = index
  }
}

/** Line and column (both from 1) of a character index in text. */
export function locate(text, index) {
  const before = text.slice(0, index)
  const line = before.split('\n').length
  return { line, column: index - (before.lastIndexOf('\n') + 1) + 1 }
}

// Throws a Mistake at the first place text is not JSON.
function scan(text) {
  let i = 0
  const fail = (message, index = i) => {
    throw new Mistake(message, index)
  }
  const found = () => (i >= text.length ? 'the end of the text' : `“${text[i]}”`)
  const space = () => {
    while (i < text.length && SPACE.has(text[i])) i++
  }

  function string() {
    const start = i
    i++
    while (i < text.length) {
      const c = text[i]
      if (c === '"') {
        i++
        return
      }
      if (c === '\\') {
        const e = text[i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('A \\u escape needs four hexadecimal digits.')
          i += 6
          continue
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail(`“\\${e ?? ''}” is not an escape JSON knows.`)
        i += 2
        continue
      }
      if (c === '\n') fail('A string must end on the line it starts (write \\n for a new line).')
      if (c < ' ') fail('A control character (such as a tab) must be escaped in a string.')
      i++
    }
    fail('This string is never closed with a double quote.', start)
  }

  // The items of an object or an array, from its opening bracket to `close`, separated by commas.
  function items(close, item, what) {
    i++
    space()
    if (text[i] === close) {
      i++
      return
    }
    for (;;) {
      space()
      if (text[i] === close) fail(`A comma cannot come right before the closing “${close}”.`)
      item()
      space()
      if (text[i] === ',') {
        i++
        continue
      }
      if (text[i] === close) {
        i++
        return
      }
      fail(`Expected “,” or “${close}” after the ${what} but found ${found()}.`)
    }
  }

  function member() {
    if (text[i] !== '"') fail(`Expected a property name in double quotes but found ${found()}.`)
    string()
    space()
    if (text[i] !== ':') fail(`Expected “:” after the property name but found ${found()}.`)
    i++
    value()
  }

  const object = () => items('}', member, 'property value')
  const array = () => items(']', value, 'array item')

  function value() {
    space()
    const c = text[i]
    if (c === '{') return object()
    if (c === '[') return array()
    if (c === '"') return string()
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i
      const m = NUMBER.exec(text)
      if (!m) fail(`${found()} does not start a number.`)
      i += m[0].length
      return
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length
        return
      }
    }
    if (i >= text.length) fail('The text ends where a value should be.')
    if (c === "'") fail('Strings are written in double quotes (") in JSON, not single ones.')
    fail(`Expected a value (object, array, string, number, true, false or null) but found ${found()}.`)
  }

  value()
  space()
  if (i < text.length) fail(`Expected the end of the text after the value but found ${found()}.`)
}

/**
 * { value, error: null } for JSON text, else { value: undefined, error: { message, line, column } }
 * with message a sentence that starts with where ("Line 3, column 5: …").
 */
export function parseJson(text) {
  if (!String(text ?? '').trim()) return { value: undefined, error: { message: 'The text is empty.', line: 1, column: 1 } }
  try {
    scan(text)
  } catch (err) {
    if (!(err instanceof Mistake)) throw err
    const { line, column } = locate(text, err.index)
    return { value: undefined, error: { message: `Line ${line}, column ${column}: ${err.message}`, line, column } }
  }
  try {
    return { value: JSON.parse(text), error: null }
  } catch (err) {
    return { value: undefined, error: { message: err.message, line: null, column: null } }
  }
}
