import { describe, expect, it } from 'vitest'
import { BatchDurations } from './batch-durations.ts'

describe('BatchDurations', () => {
  it('knows nothing before the first batch', () => {
    expect(new BatchDurations().estimate(1)).toBeUndefined()
  })

  it('averages each size on its own, moving towards recent figures', () => {
    const durations = new BatchDurations()
    durations.record(1, 100)
    durations.record(8, 800)
    durations.record(1, 200)
    expect(durations.estimate(1)).toBeCloseTo(120)
    expect(durations.estimate(8)).toBe(800)
  })

  it('interpolates between measured sizes and scales per image above the largest', () => {
    const durations = new BatchDurations()
    durations.record(2, 100)
    durations.record(8, 400)
    expect(durations.estimate(4)).toBeCloseTo(200)
    expect(durations.estimate(16)).toBeCloseTo(800)
    expect(durations.estimate(1)).toBeCloseTo(50)
  })
})
