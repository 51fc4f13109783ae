import type { Clock } from '../batcher/clock.ts'
import type { LineSink } from '../logging/logger.ts'
import type { LoadReader } from './runner-metrics.ts'

/**
 * The CloudWatch metric AWS autoscaling reads. The infra stack scales on exactly these names:
 * change them only together with infra/. The value is every admitted request not yet answered
 * (waiting + running), so a runner busy with a full batch and an empty queue still counts as loaded,
 * plus the requests refused as busy since the last report: a runner that sheds load early (a
 * short queue, `RUNNER_MAX_DELAY_MS`) must still show the demand it turned away.
 */
export const QUEUE_DEPTH_METRIC = {
  namespace: 'ShowoRunner',
  name: 'QueueDepth',
  unit: 'Count',
  dimension: 'Service',
  defaultService: 'showo-runner',
} as const

/** One embedded-metric-format log line carrying the queue depth. */
export function toQueueDepthEmf(depth: number, service: string, epochMs: number): string {
  const m = QUEUE_DEPTH_METRIC
  return JSON.stringify({
    _aws: {
      Timestamp: epochMs,
      CloudWatchMetrics: [
        {
          Namespace: m.namespace,
          Dimensions: [[m.dimension]],
          Metrics: [{ Name: m.name, Unit: m.unit }],
        },
      ],
    },
    [m.dimension]: service,
    [m.name]: depth,
  })
}

/** Settings of {@link startEmfReporter}. */
export interface EmfReporterOptions {
  clock: Clock
  intervalMs: number
  service: string
  readLoad: LoadReader
  write: LineSink
}

/** Writes the queue depth as an EMF line every `intervalMs`; returns the function that stops it. */
export function startEmfReporter(options: EmfReporterOptions): () => void {
  const { clock, intervalMs, service, readLoad, write } = options
  let cancel = clock.setTimeout(tick, intervalMs)
  let refusedBefore = readLoad().refused
  function tick(): void {
    const { queued, running, refused } = readLoad()
    const turnedAway = refused - refusedBefore
    refusedBefore = refused
    write(toQueueDepthEmf(queued + running + turnedAway, service, clock.wallNow()))
    cancel = clock.setTimeout(tick, intervalMs)
  }
  return () => {
    cancel()
  }
}
