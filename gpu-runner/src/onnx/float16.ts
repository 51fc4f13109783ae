// IEEE 754 half precision <-> single precision, round-to-nearest-even. Node 20 has no Float16Array,
// and weights (1.4 billion values for the real model) go through here, so these avoid allocation
// per element and share one scratch view.

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** Converts one float32 value to float16 bits (round to nearest even; overflow to ±inf; NaN kept). */
export function toHalfBits(value: number): number {
  f32[0] = value
  return halfFromFloatBits(u32[0] ?? 0)
}

function halfFromFloatBits(x: number): number {
  const sign = (x >>> 16) & 0x8000
  const exp = (x >>> 23) & 0xff
  let mant = x & 0x7fffff
  if (exp === 0xff) {
    return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0)
  }
  const e = exp - 127 + 15
  if (e >= 0x1f) {
    return sign | 0x7c00
  }
  if (e <= 0) {
    if (e < -10) {
      return sign
    }
    // Subnormal half: shift the mantissa (with its implicit 1) right, rounding to nearest even.
    mant |= 0x800000
    const shift = 14 - e
    const half = 1 << (shift - 1)
    const rest = mant & ((1 << shift) - 1)
    let m = mant >>> shift
    if (rest > half || (rest === half && (m & 1) === 1)) {
      m += 1
    }
    return sign | m
  }
  const rest = mant & 0x1fff
  let h = (e << 10) | (mant >>> 13)
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) {
    h += 1 // may carry into the exponent, which is the correct rounding (up to inf)
  }
  return sign | h
}

/** Converts float16 bits to a float32-representable number. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >>> 10) & 0x1f
  const mant = h & 0x3ff
  if (exp === 0) {
    return sign * mant * 2 ** -24
  }
  if (exp === 0x1f) {
    return mant === 0 ? sign * Infinity : NaN
  }
  return sign * (1 + mant / 1024) * 2 ** (exp - 15)
}

/** Converts a float32 array to float16 bits. */
export function toHalfArray(
  values: Float32Array,
  out = new Uint16Array(values.length)
): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length)
  for (let i = 0; i < bits.length; i++) {
    out[i] = halfFromFloatBits(bits[i] ?? 0)
  }
  return out
}

/** Converts float16 bits to float32 values. */
export function fromHalfArray(
  bits: Uint16Array,
  out = new Float32Array(bits.length)
): Float32Array {
  for (let i = 0; i < bits.length; i++) {
    out[i] = fromHalfBits(bits[i] ?? 0)
  }
  return out
}

/** Converts bfloat16 bits (the top half of a float32) to float32 values. */
export function fromBfloat16Array(
  bits: Uint16Array,
  out = new Float32Array(bits.length)
): Float32Array {
  const view = new Uint32Array(out.buffer, out.byteOffset, out.length)
  for (let i = 0; i < bits.length; i++) {
    view[i] = (bits[i] ?? 0) << 16
  }
  return out
}
