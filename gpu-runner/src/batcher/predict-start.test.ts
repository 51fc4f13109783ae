import { describe, expect, it } from 'vitest'
import { predictStartMs } from './predict-start.ts'

const linear = (perJobMs: number) => (size: number) => size * perJobMs

describe('predictStartMs', () => {
  it('is zero with an idle engine and nobody ahead', () => {
    expect(predictStartMs({ busyForMs: [0], ahead: 0, maxBatch: 4, batchMs: linear(10) })).toBe(0)
  })

  it('waits for the engine that frees up first', () => {
    const queue = { busyForMs: [120, 40], ahead: 0, maxBatch: 1, batchMs: linear(100) }
    expect(predictStartMs(queue)).toBe(40)
  })

  it('lets the requests ahead leave in full batches, each on the next free engine', () => {
    // Engines free at 40 and 120; batches of 2 take 200 ms. Ahead: 5 requests = 2 full batches
    // (at 40 → 240, at 120 → 320), so the newcomer rides the third batch, starting at 240.
    const queue = { busyForMs: [120, 40], ahead: 5, maxBatch: 2, batchMs: linear(100) }
    expect(predictStartMs(queue)).toBe(240)
  })

  it('shares a partly filled batch with the requests ahead of it', () => {
    const queue = { busyForMs: [30], ahead: 2, maxBatch: 4, batchMs: linear(100) }
    expect(predictStartMs(queue)).toBe(30)
  })

  it('treats an overrun batch as finishing now, and no engine as never', () => {
    expect(predictStartMs({ busyForMs: [-50], ahead: 0, maxBatch: 1, batchMs: linear(1) })).toBe(0)
    expect(predictStartMs({ busyForMs: [], ahead: 0, maxBatch: 1, batchMs: linear(1) })).toBe(
      Infinity
    )
  })
})
