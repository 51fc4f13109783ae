import { describe, expect, it } from 'vitest'
import { denoiseStep, initialState, MASKED } from './denoise-step.ts'
import { applyGuidance } from './guidance.ts'
import { gumbel, KNOWN_CONFIDENCE, selectRemask } from './remask.ts'
import { Rng } from './rng.ts'
import { annealTemperature, maskCount, maskRatio } from './schedule.ts'
import { softmax } from './softmax.ts'
import { candidatesFromLogits, candidatesFromTopK, sampleCandidate, topIndices } from './top-k.ts'

/** Masked tokens after each step of an S-step run over N tokens, with every masked token sampled. */
function maskedCounts(n: number, steps: number): number[] {
  const counts: number[] = []
  let unknown = n
  for (let step = 1; step <= steps; step++) {
    unknown = maskCount(n, unknown, step, steps)
    counts.push(unknown)
  }
  return counts
}

describe('cosine mask schedule (spec §3.4)', () => {
  it.each([
    [256, 2, [181, 1]],
    [256, 4, [236, 181, 97, 1]],
    [1024, 4, [946, 724, 391, 1]],
  ])('keeps %d tokens over %d steps masked as %j', (n, steps, expected) => {
    expect(maskedCounts(n, steps)).toEqual(expected)
  })

  it('is slightly negative at the last step in float32, as the reference', () => {
    expect(maskRatio(4, 4)).toBeLessThan(0)
    expect(maskRatio(4, 4)).toBeGreaterThan(-1e-7)
    expect(maskCount(256, 97, 4, 4)).toBe(1)
  })

  it('applies the upper clamp before the lower one', () => {
    expect(maskCount(256, 10, 1, 4)).toBe(9) // min(unknown − 1, 236)
    expect(maskCount(256, 1, 1, 4)).toBe(1) // max(1, min(0, 236))
  })
})

describe('temperature anneal', () => {
  it('compounds: 0.75, 0.375, 0.094, 0 for four steps', () => {
    const temps: number[] = []
    let t = 1
    for (let step = 1; step <= 4; step++) {
      t = annealTemperature(t, step, 4)
      temps.push(t)
    }
    expect(temps).toEqual([0.75, 0.375, 0.09375, 0])
  })
})

describe('guidance', () => {
  it('computes (1 + w)·cond − w·uncond', () => {
    const out = applyGuidance(new Float32Array([1, 2]), new Float32Array([3, -1]), 2)
    expect(Array.from(out)).toEqual([3 * 1 - 2 * 3, 3 * 2 + 2])
  })

  it('leaves cond unchanged at w = 0', () => {
    expect(
      Array.from(applyGuidance(new Float32Array([1.5, -2]), new Float32Array([9, 9]), 0))
    ).toEqual([1.5, -2])
  })
})

describe('softmax and top-k sampling', () => {
  it('normalises a row', () => {
    const p = softmax(new Float32Array([0, Math.log(3)]))
    expect(p[0]).toBeCloseTo(0.25, 7)
    expect(p[1]).toBeCloseTo(0.75, 7)
  })

  it('orders the top k by probability, ties to the lower index', () => {
    expect(Array.from(topIndices(new Float64Array([0.1, 0.3, 0.2, 0.3, 0.1]), 3))).toEqual([
      1, 3, 2,
    ])
    expect(Array.from(topIndices(new Float64Array([0.2, 0.2, 0.2, 0.2]), 2))).toEqual([0, 1])
  })

  const logits = new Float32Array([0.1, 0.4, 0.2, 0.3].map(Math.log))

  it('samples within the renormalised top k', () => {
    // top-2 = [1 (0.4), 3 (0.3)], renormalised 4/7 and 3/7
    const c = candidatesFromLogits(logits, 2)
    expect(Array.from(c.codes)).toEqual([1, 3])
    expect(c.probs[0]).toBeCloseTo(0.4, 6)
    const pick = (u: number): number => c.codes[sampleCandidate(c, u)] ?? -1
    expect([0, 0.57, 0.58, 0.999].map(pick)).toEqual([1, 1, 3, 3])
  })

  it('samples over every code, most probable first, when k covers the row', () => {
    const c = candidatesFromLogits(logits, 10)
    expect(Array.from(c.codes)).toEqual([1, 3, 2, 0])
    const pick = (u: number): number => c.codes[sampleCandidate(c, u)] ?? -1
    expect([0.05, 0.45, 0.75, 0.95].map(pick)).toEqual([1, 3, 2, 0])
  })

  it('builds the same candidates from the graph top-k outputs as from logits', () => {
    const lse = Math.log(1) // the four probabilities sum to one
    const fromGraph = candidatesFromTopK(
      new Float32Array([Math.log(0.4), Math.log(0.3)]),
      new BigInt64Array([1n, 3n]),
      lse,
      2
    )
    const fromLogits = candidatesFromLogits(logits, 2)
    expect(Array.from(fromGraph.codes)).toEqual(Array.from(fromLogits.codes))
    expect(fromGraph.probs[0]).toBeCloseTo(fromLogits.probs[0] ?? 0, 6)
    expect(fromGraph.probs[1]).toBeCloseTo(fromLogits.probs[1] ?? 0, 6)
  })
})

describe('Gumbel re-masking', () => {
  it('maps uniforms through −log(−log(u)) with clamped logs', () => {
    expect(gumbel(Math.exp(-1))).toBeCloseTo(0, 12)
    expect(gumbel(0)).toBeCloseTo(-Math.log(-Math.log(1e-20)), 12)
    expect(Number.isFinite(gumbel(1 - 2 ** -24))).toBe(true)
  })

  it('re-masks exactly the mask_len least confident positions at temperature 0', () => {
    const conf = new Float64Array([0.9, 0.1, KNOWN_CONFIDENCE, 0.5, 0.2])
    expect(Array.from(selectRemask(conf, 2, 0, new Rng(1)))).toEqual([0, 1, 0, 0, 1])
    expect(Array.from(selectRemask(conf, 1, 0, new Rng(1)))).toEqual([0, 1, 0, 0, 0])
  })

  it('lets the noise reorder confidences at high temperature, deterministically per seed', () => {
    const conf = new Float64Array(64).map((_, i) => (i + 1) / 65)
    const a = selectRemask(conf, 16, 50, new Rng(42))
    expect(a.reduce((s, v) => s + v, 0)).toBe(16)
    expect(Array.from(a)).toEqual(Array.from(selectRemask(conf, 16, 50, new Rng(42))))
    expect(Array.from(a)).not.toEqual(Array.from(selectRemask(conf, 16, 0, new Rng(42))))
  })
})

describe('Rng', () => {
  it('is deterministic per seed and independent between instances', () => {
    const a = new Rng(7)
    const b = new Rng(7)
    const c = new Rng(8)
    const xs = Array.from({ length: 5 }, () => a.nextUint32())
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs)
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs)
  })

  it('draws floats in [0, 1) with a plausible mean', () => {
    const rng = new Rng(0)
    const xs = Array.from({ length: 20_000 }, () => rng.nextFloat())
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...xs)).toBeLessThan(1)
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1)
  })
})

describe('denoiseStep', () => {
  const n = 256
  const width = 16
  const logits = (salt: number): Float32Array =>
    Float32Array.from({ length: n * width }, (_, i) => Math.sin(i * 12.9898 + salt) * 3)
  const rows = (salt: number, k: number) => {
    const all = logits(salt)
    return (i: number) => candidatesFromLogits(all.subarray(i * width, (i + 1) * width), k)
  }

  it('follows the schedule: 236, 181, 97, 1 masked after four steps, final samples complete', () => {
    let state = initialState(n)
    const rng = new Rng(5)
    const masked: number[] = []
    let sampled: Int32Array = new Int32Array(0)
    for (let step = 1; step <= 4; step++) {
      const result = denoiseStep(rows(step, 8), state, step, { steps: 4 }, rng)
      state = result.state
      sampled = result.sampled
      masked.push(state.codes.filter((c) => c === MASKED).length)
    }
    expect(masked).toEqual([236, 181, 97, 1])
    expect(state.temperature).toBe(0)
    expect(sampled.every((c) => c >= 0 && c < width)).toBe(true)
  })

  it('keeps known codes and gives the same result for the same seed', () => {
    const start = initialState(n)
    start.codes[3] = 11
    const a = denoiseStep(rows(1, 4), start, 1, { steps: 4 }, new Rng(9))
    const b = denoiseStep(rows(1, 4), start, 1, { steps: 4 }, new Rng(9))
    expect(a.sampled[3]).toBe(11)
    expect(a.state.codes[3]).toBe(11)
    expect(Array.from(a.sampled)).toEqual(Array.from(b.sampled))
    expect(Array.from(a.state.codes)).toEqual(Array.from(b.state.codes))
  })
})
