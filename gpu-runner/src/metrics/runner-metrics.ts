import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { BatchObserver } from '../batcher/batcher.ts'
import type { GenerateTimings } from '../engine/engine.ts'

/** Reads the batcher's current load, for the gauges. */
export type LoadReader = () => { queued: number; running: number; refused: number }

/** The runner's Prometheus metrics, on a registry of its own (never the global default one). */
export interface RunnerMetrics extends BatchObserver {
  readonly registry: Registry
  /** One finished HTTP request; `code` is `OK` or the error code it was answered with. */
  observeRequest(route: string, code: string, durationMs: number): void
  /** Queue wait of one admitted request. */
  observeQueueWait(route: string, queueMs: number): void
  /** Phase times of one finished image. */
  observeGenerate(steps: number, timings: GenerateTimings): void
  /** Points the depth gauges at the batcher once it exists. */
  trackLoad(read: LoadReader): void
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128]

/**
 * Creates the metrics. `processMetrics` adds prom-client's process and event-loop metrics
 * (the service turns it on; tests leave it off because each call starts its own monitors).
 */
export function createRunnerMetrics(options: { processMetrics: boolean }): RunnerMetrics {
  const registry = new Registry()
  const registers = [registry]
  let readLoad: LoadReader = () => ({ queued: 0, running: 0, refused: 0 })
  if (options.processMetrics) {
    collectDefaultMetrics({ register: registry })
  }
  new Gauge({
    name: 'showo_runner_queue_depth',
    help: 'Requests admitted and waiting for a batch',
    registers,
    collect() {
      this.set(readLoad().queued)
    },
  })
  new Gauge({
    name: 'showo_runner_in_flight',
    help: 'Requests inside the batch the engine is running',
    registers,
    collect() {
      this.set(readLoad().running)
    },
  })
  const batchSize = new Histogram({
    name: 'showo_runner_batch_size',
    help: 'Requests per engine batch',
    buckets: BATCH_SIZES,
    registers,
  })
  const queueWait = new Histogram({
    name: 'showo_runner_queue_wait_seconds',
    help: 'Time from admission to the start of the request batch',
    labelNames: ['route'],
    buckets: SECONDS,
    registers,
  })
  const phase = (name: string, help: string) =>
    new Histogram({ name: `showo_runner_${name}_seconds`, help, buckets: SECONDS, registers })
  const prefill = phase('prefill', 'Text prefill time per image')
  const step = phase('step', 'Denoising time per step per image (denoise time / steps)')
  const decode = phase('decode', 'VQ decode time per image')
  const encode = phase('encode', 'PNG encode time per image')
  const requests = new Counter({
    name: 'showo_runner_requests_total',
    help: 'Finished HTTP requests by route and outcome code (OK or the error code)',
    labelNames: ['route', 'code'],
    registers,
  })
  const duration = new Histogram({
    name: 'showo_runner_request_duration_seconds',
    help: 'Time from request arrival to response',
    labelNames: ['route'],
    buckets: SECONDS,
    registers,
  })
  return {
    registry,
    batchStarted(_shape, size) {
      batchSize.observe(size)
    },
    observeRequest(route, code, durationMs) {
      requests.inc({ route, code })
      duration.observe({ route }, durationMs / 1000)
    },
    observeQueueWait(route, queueMs) {
      queueWait.observe({ route }, queueMs / 1000)
    },
    observeGenerate(steps, timings) {
      prefill.observe(timings.prefillMs / 1000)
      step.observe(timings.denoiseMs / Math.max(1, steps) / 1000)
      decode.observe(timings.decodeMs / 1000)
      encode.observe(timings.encodeMs / 1000)
    },
    trackLoad(read) {
      readLoad = read
    },
  }
}
