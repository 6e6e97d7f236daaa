import { describe, expect, it } from 'vitest'
import { parseNpy } from '@/api/npy.js'
import { npyBytes } from '../calibFixtures.js'

describe('the .npy reader', () => {
  it('reads a float32 array of three axes with its shape', () => {
    const values = Float32Array.from({ length: 24 }, (_, i) => i / 2)
    const array = parseNpy(npyBytes('<f4', [2, 3, 4], values).buffer)
    expect(array.dtype).toBe('<f4')
    expect(array.shape).toEqual([2, 3, 4])
    expect(array.data).toBeInstanceOf(Float32Array)
    expect(Array.from(array.data)).toEqual(Array.from(values))
  })

  it('reads every supported dtype into the matching typed array', () => {
    const cases = [
      ['<f8', Float64Array.of(1.5, -2.25, NaN), Float64Array],
      ['<i2', Int16Array.of(-3, 4, 32000), Int16Array],
      ['<i4', Int32Array.of(-70000, 0, 70000), Int32Array],
      ['<u2', Uint16Array.of(0, 1, 65535), Uint16Array],
      ['<u4', Uint32Array.of(0, 1, 4000000000), Uint32Array],
      ['|u1', Uint8Array.of(0, 7, 255), Uint8Array],
      ['|i1', Int8Array.of(-128, 0, 127), Int8Array],
      ['<i1', Int8Array.of(-1, 2, 3), Int8Array],
      ['|b1', Uint8Array.of(1, 0, 1), Uint8Array],
    ]
    for (const [descr, values, Type] of cases) {
      const array = parseNpy(npyBytes(descr, [3], values))
      expect(array.data, descr).toBeInstanceOf(Type)
      expect(Array.from(array.data), descr).toEqual(Array.from(values))
    }
  })

  it('turns 64-bit integers into ordinary numbers', () => {
    const signed = parseNpy(npyBytes('<i8', [2], BigInt64Array.of(-5n, 9007199254740991n)))
    expect(signed.data).toBeInstanceOf(Float64Array)
    expect(Array.from(signed.data)).toEqual([-5, 9007199254740991])
    const unsigned = parseNpy(npyBytes('<u8', [2], BigUint64Array.of(0n, 42n)))
    expect(Array.from(unsigned.data)).toEqual([0, 42])
  })

  it('reads version 2.0 headers, scalars and empty arrays', () => {
    expect(Array.from(parseNpy(npyBytes('<f4', [2, 2], Float32Array.of(1, 2, 3, 4), { version: 2 })).data)).toEqual([1, 2, 3, 4])
    const scalar = parseNpy(npyBytes('<f8', [], Float64Array.of(3.5)))
    expect(scalar.shape).toEqual([])
    expect(Array.from(scalar.data)).toEqual([3.5])
    const empty = parseNpy(npyBytes('<f4', [0, 5], new Float32Array(0)))
    expect(empty.shape).toEqual([0, 5])
    expect(empty.data.length).toBe(0)
  })

  it('reads data that does not start on an aligned byte', () => {
    const bytes = npyBytes('<f8', [2], Float64Array.of(1.25, 2.5))
    const shifted = new Uint8Array(bytes.length + 3)
    shifted.set(bytes, 3)
    expect(Array.from(parseNpy(shifted.subarray(3)).data)).toEqual([1.25, 2.5])
  })

  it('refuses an array in Fortran order', () => {
    const bytes = npyBytes('<f4', [2, 2], Float32Array.of(1, 2, 3, 4), { fortran: true })
    expect(() => parseNpy(bytes)).toThrow('The array is stored in Fortran order; only C-order arrays can be shown.')
  })

  it('refuses a big-endian array', () => {
    expect(() => parseNpy(npyBytes('>f4', [1], new Uint8Array(4)))).toThrow(/big-endian \(>f4\)/)
  })

  it('refuses a dtype it does not know', () => {
    expect(() => parseNpy(npyBytes('<c8', [1], new Uint8Array(8)))).toThrow("The array's dtype <c8 is not supported")
    const structured = npyBytes('', [1], new Uint8Array(8), {
      header: "{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,), }",
    })
    expect(() => parseNpy(structured)).toThrow(/names no simple dtype/)
  })

  it('refuses bytes that are not a .npy file, or are cut short', () => {
    expect(() => parseNpy(new TextEncoder().encode('{"ok": false, "error": "nope"}'))).toThrow(/magic string/)
    const whole = npyBytes('<f4', [4], Float32Array.of(1, 2, 3, 4))
    expect(() => parseNpy(whole.subarray(0, whole.length - 2))).toThrow('Not a readable .npy file: the data is cut short (14 of 16 bytes).')
    expect(() => parseNpy(whole.subarray(0, 20))).toThrow(/header is cut short/)
  })
})
