import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../test/runner/support/fake-clock.ts'
import { QUEUE_DEPTH_METRIC, startEmfReporter, toQueueDepthEmf } from './emf-reporter.ts'

describe('queue depth as CloudWatch embedded metric format', () => {
  it('writes the namespace, metric, unit and dimension the infra stack scales on', () => {
    const line = JSON.parse(toQueueDepthEmf(7, 'showo-runner', 1_700_000_000_000)) as unknown
    expect(line).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'ShowoRunner',
            Dimensions: [['Service']],
            Metrics: [{ Name: 'QueueDepth', Unit: 'Count' }],
          },
        ],
      },
      Service: 'showo-runner',
      QueueDepth: 7,
    })
    expect(QUEUE_DEPTH_METRIC.defaultService).toBe('showo-runner')
  })

  it('reports waiting plus running plus newly refused requests every interval until stopped', async () => {
    const clock = new FakeClock()
    const lines: string[] = []
    let load = { queued: 3, running: 2, refused: 40 }
    const stop = startEmfReporter({
      clock,
      intervalMs: 1000,
      service: 'svc',
      readLoad: () => load,
      write: (l) => lines.push(l),
    })
    await clock.advance(999)
    expect(lines).toHaveLength(0)
    await clock.advance(1)
    load = { queued: 2, running: 2, refused: 46 }
    await clock.advance(1000)
    load = { queued: 0, running: 1, refused: 46 }
    await clock.advance(1000)
    stop()
    await clock.advance(5000)
    const values = lines.map((l) => JSON.parse(l) as { QueueDepth: number; Service: string })
    // The 40 refusals before the reporter started are not this runner's current load.
    expect(values.map((v) => v.QueueDepth)).toEqual([5, 10, 1])
    expect(values.every((v) => v.Service === 'svc')).toBe(true)
  })
})
