import { describe, expect, it } from 'vitest'
import { locate, parseJson } from '@/components/devices/jsonText.js'

describe('reading JSON typed by a person', () => {
  it('gives the value of valid JSON', () => {
    expect(parseJson('{"type": "object", "required": ["a"], "x": -1.5e3, "ok": true, "n": null}')).toEqual({
      value: { type: 'object', required: ['a'], x: -1500, ok: true, n: null },
      error: null,
    })
  })

  it.each([
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'Expected “,” or “}” after the property value but found “"”.'],
    ['{\n  "a": 1,\n}', 3, 1, 'A comma cannot come right before the closing “}”.'],
    ["{'a': 1}", 1, 2, 'Expected a property name in double quotes but found “\'”.'],
    ['{"a": [1, 2,]}', 1, 13, 'A comma cannot come right before the closing “]”.'],
    ['[1 2]', 1, 4, 'Expected “,” or “]” after the array item but found “2”.'],
    ['{"a" 1}', 1, 6, 'Expected “:” after the property name but found “1”.'],
    ['[{}, [], {"a": []}', 1, 19, 'Expected “,” or “]” after the array item but found the end of the text.'],
    ['{"a": tru}', 1, 7, 'Expected a value (object, array, string, number, true, false or null) but found “t”.'],
    ['{"a": "open', 1, 7, 'This string is never closed with a double quote.'],
    ['{"a": 1} x', 1, 10, 'Expected the end of the text after the value but found “x”.'],
    ['{"a": ', 1, 7, 'The text ends where a value should be.'],
  ])('says where the mistake in %j is: line %i, column %i', (text, line, column, message) => {
    const { value, error } = parseJson(text)
    expect(value).toBeUndefined()
    expect(error).toEqual({ line, column, message: `Line ${line}, column ${column}: ${message}` })
  })

  it('calls empty text empty', () => {
    expect(parseJson('  \n').error.message).toBe('The text is empty.')
  })

  it('counts lines and columns from 1', () => {
    expect(locate('ab\ncd', 0)).toEqual({ line: 1, column: 1 })
    expect(locate('ab\ncd', 4)).toEqual({ line: 2, column: 2 })
  })
})
