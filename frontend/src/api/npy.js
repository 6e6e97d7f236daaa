// A reader for NumPy's .npy format (versions 1.0, 2.0 and 3.0 of the header), enough for
// calibration constants: little-endian numbers and booleans in C order.
// parseNpy(bytes) -> { dtype, shape, data } where data is a typed array over the values
// (64-bit integers come as a Float64Array: exact up to 2^53, which constants never pass).

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // "\x93NUMPY"

const TYPES = {
  f4: Float32Array,
  f8: Float64Array,
  i1: Int8Array,
  i2: Int16Array,
  i4: Int32Array,
  i8: BigInt64Array,
  u1: Uint8Array,
  u2: Uint16Array,
  u4: Uint32Array,
  u8: BigUint64Array,
  b1: Uint8Array,
}

function fail(message) {
  throw new Error(`Not a readable .npy file: ${message}`)
}

function readHeader(bytes) {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('it does not start with the .npy magic string.')
  const major = bytes[6]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let length
  let start
  if (major === 1) {
    length = view.getUint16(8, true)
    start = 10
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('the header is cut short.')
    length = view.getUint32(8, true)
    start = 12
  } else {
    fail(`format version ${major}.${bytes[7]} is not supported (1.0, 2.0 and 3.0 are).`)
  }
  if (start + length > bytes.length) fail('the header is cut short.')
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + length))
  return { text, dataStart: start + length }
}

/** The dict literal of the header -> { descr, fortranOrder, shape }. */
export function parseHeaderText(text) {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)
  if (!descr) fail(`the header names no simple dtype (${text.trim()}).`)
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)
  if (!fortran) fail('the header does not say fortran_order.')
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)
  if (!shape) fail('the header has no shape.')
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (!/^\d+L?$/.test(s)) fail(`the shape (${shape[1]}) is not a list of sizes.`)
      return parseInt(s, 10)
    })
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims }
}

function typeOf(descr) {
  const order = descr[0]
  const code = descr.slice(1)
  if (order === '>' && code !== 'i1' && code !== 'u1' && code !== 'b1') {
    throw new Error(`The array is big-endian (${descr}); only little-endian arrays can be shown.`)
  }
  if (!['<', '|', '='].includes(order) || !TYPES[code]) {
    throw new Error(`The array's dtype ${descr} is not supported (floats, integers and booleans are).`)
  }
  return code
}

function toNumbers(big) {
  const out = new Float64Array(big.length)
  for (let i = 0; i < big.length; i++) out[i] = Number(big[i])
  return out
}

/** bytes: ArrayBuffer or Uint8Array holding a whole .npy file. */
export function parseNpy(bytes) {
  // Checked by tag rather than instanceof: buffers may come from another realm (a worker, a test).
  if (Object.prototype.toString.call(bytes) === '[object ArrayBuffer]') bytes = new Uint8Array(bytes)
  else if (ArrayBuffer.isView(bytes)) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  else throw new TypeError('parseNpy needs an ArrayBuffer or a Uint8Array.')
  const { text, dataStart } = readHeader(bytes)
  const { descr, fortranOrder, shape } = parseHeaderText(text)
  const code = typeOf(descr)
  if (fortranOrder && shape.length > 1) {
    throw new Error('The array is stored in Fortran order; only C-order arrays can be shown.')
  }
  const Type = TYPES[code]
  const count = shape.reduce((a, b) => a * b, 1)
  const nbytes = count * Type.BYTES_PER_ELEMENT
  if (bytes.length - dataStart < nbytes) {
    fail(`the data is cut short (${bytes.length - dataStart} of ${nbytes} bytes).`)
  }
  const offset = bytes.byteOffset + dataStart
  // A typed array needs an offset that is a multiple of its element size; copy when it is not.
  const data =
    offset % Type.BYTES_PER_ELEMENT === 0
      ? new Type(bytes.buffer, offset, count)
      : new Type(bytes.buffer.slice(offset, offset + nbytes))
  const dtype = descr.replace('=', '<')
  return { dtype, shape, data: code === 'i8' || code === 'u8' ? toNumbers(data) : data }
}
