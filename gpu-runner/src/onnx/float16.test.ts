import { describe, expect, it } from 'vitest'
import { fromBfloat16Array, fromHalfBits, toHalfArray, toHalfBits } from './float16.ts'

describe('float16 conversion', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00], // rounds up to infinity
    [1e6, 0x7c00],
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // ties to even: rounds to zero
    [3 * 2 ** -25, 0x0002], // ties to even: rounds up
    [6.103515625e-5, 0x0400], // smallest normal
    [1 + 2 ** -11, 0x3c00], // tie between 1 and 1+2^-10 → even (1)
    [1 + 3 * 2 ** -11, 0x3c02], // tie → even (1 + 2^-9)
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ])('converts %d to 0x%s', (value, bits) => {
    expect(toHalfBits(value)).toBe(bits)
  })

  it('keeps NaN a NaN', () => {
    expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true)
  })

  it('round-trips every finite half value exactly', () => {
    const finite = Array.from({ length: 0x10000 }, (_, h) => h).filter((h) =>
      Number.isFinite(fromHalfBits(h))
    )
    expect(finite.map((h) => toHalfBits(fromHalfBits(h)))).toEqual(finite)
  })

  it('converts arrays like the scalar path', () => {
    const values = new Float32Array([0.1, -3.5, 1234.5678, 1e-6])
    expect(Array.from(toHalfArray(values))).toEqual(Array.from(values, (v) => toHalfBits(v)))
  })

  it('widens bfloat16 by placing its bits on top', () => {
    expect(Array.from(fromBfloat16Array(new Uint16Array([0x3f80, 0xc040])))).toEqual([1, -3])
  })
})
