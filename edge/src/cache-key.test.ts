import { describe, it } from 'vitest'
import { cacheKey, normalizePrompt, type ImageParams } from './cache-key.ts'
import { canonicalJson } from './canonical-json.ts'
import { sha256Hex } from './sha256-hex.ts'

const base: ImageParams = {
  prompt: 'a cat',
  seed: 1,
  steps: 4,
  guidanceScale: null,
  topK: null,
  resolution: 256,
}

describe('cache key', () => {
  it('is SHA-256 of the canonical JSON of DESIGN §3 fields', async ({ expect }) => {
    const expected = await sha256Hex(
      '{"guidance":null,"model":"m1","prompt":"a cat","seed":1,"size":256,"steps":4,"task":"t2i","top_k":null}'
    )
    expect(await cacheKey('m1', base)).toBe(expected)
  })

  it('ignores whitespace differences but not case, seed, steps, size or model', async ({
    expect,
  }) => {
    const key = await cacheKey('m1', base)
    expect(await cacheKey('m1', { ...base, prompt: '  a\n\tcat ' })).toBe(key)
    for (const other of [
      cacheKey('m1', { ...base, prompt: 'a Cat' }),
      cacheKey('m1', { ...base, seed: 2 }),
      cacheKey('m1', { ...base, steps: 8 }),
      cacheKey('m1', { ...base, steps: null }),
      cacheKey('m1', { ...base, resolution: 512 }),
      cacheKey('m1', { ...base, topK: 5 }),
      cacheKey('m1', { ...base, guidanceScale: 0 }),
      cacheKey('m2', base),
    ]) {
      expect(await other).not.toBe(key)
    }
  })

  it('normalises Unicode to NFC', ({ expect }) => {
    expect(normalizePrompt('cafe\u0301')).toBe('caf\u00e9')
  })

  it('sorts keys at every level and refuses non-finite numbers', ({ expect }) => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: true, e: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[2,{"e":null,"f":true}]},"b":1}'
    )
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/finite/)
  })
})
