import { describe, expect, it } from 'vitest'
import { pickBatch, type BatchPolicy } from './pick-batch.ts'

const policy: BatchPolicy = {
  maxBatch: 3,
  maxWaitMs: 10,
  capacityOf: (shape) => (shape === 'understand' ? 1 : 3),
  idleEngines: 1,
}

const item = (shape: string, enqueuedAt: number, id = `${shape}@${enqueuedAt}`) => ({
  shape,
  enqueuedAt,
  id,
})

describe('pickBatch', () => {
  it('returns null for an empty queue', () => {
    expect(pickBatch([], 0, policy, false)).toBeNull()
  })

  it('waits for company until the oldest request has waited maxWaitMs', () => {
    const queue = [item('a', 0), item('a', 2)]
    expect(pickBatch(queue, 4, policy, false)).toEqual({ waitMs: 6 })
    expect(pickBatch(queue, 10, policy, false)).toEqual({ run: queue })
  })

  it('flushes a full group at once and never more than maxBatch', () => {
    const queue = [item('a', 0), item('a', 1), item('a', 2), item('a', 3)]
    expect(pickBatch(queue, 3, policy, false)).toEqual({ run: queue.slice(0, 3) })
  })

  it('groups only requests of the same shape, oldest shape first once it is due', () => {
    const queue = [item('a', 0), item('b', 1), item('a', 2), item('b', 3)]
    expect(pickBatch(queue, 10, policy, false)).toEqual({ run: [queue[0], queue[2]] })
  })

  it('lets a full younger group go ahead of an oldest group that is still waiting', () => {
    const queue = [item('a', 0), item('b', 1), item('b', 2), item('b', 3)]
    expect(pickBatch(queue, 5, policy, false)).toEqual({ run: queue.slice(1) })
  })

  it('runs understanding requests alone and without waiting', () => {
    const queue = [item('understand', 0), item('understand', 1)]
    expect(pickBatch(queue, 0, policy, false)).toEqual({ run: [queue[0]] })
  })

  it('shares a due group out among the idle engines', () => {
    const queue = [item('a', 0), item('a', 1), item('a', 2), item('a', 3), item('a', 4)]
    const twoIdle = { ...policy, idleEngines: 2 }
    expect(pickBatch(queue, 10, twoIdle, false)).toEqual({ run: queue.slice(0, 3) })
    expect(pickBatch(queue.slice(0, 4), 10, twoIdle, false)).toEqual({ run: queue.slice(0, 2) })
    expect(pickBatch(queue.slice(0, 1), 10, twoIdle, false)).toEqual({ run: queue.slice(0, 1) })
  })

  it('skips the wait when flushing for a drain', () => {
    const queue = [item('a', 0)]
    expect(pickBatch(queue, 0, policy, true)).toEqual({ run: queue })
  })
})
