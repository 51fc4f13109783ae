import { Batcher } from '../../../src/batcher/batcher.ts'
import { createHttpApp } from '../../../src/http/app.ts'
import { RunnerState } from '../../../src/http/runner-state.ts'
import { createLogger } from '../../../src/logging/logger.ts'
import { createRunnerMetrics } from '../../../src/metrics/runner-metrics.ts'
import { FakeClock } from './fake-clock.ts'
import { FakeEngine, type FakeEngineOptions } from './fake-engine.ts'
import { TEST_NOW_S, TEST_SECRET } from './signed-request.ts'

/** Settings of {@link createTestApp}. */
export interface TestAppOptions {
  maxBatch?: number
  maxWaitMs?: number
  maxQueue?: number
  maxDelayMs?: number
  requestTimeoutMs?: number
  secret?: string | null
  /** Leave the runner in its loading state. */
  notReady?: boolean
  engine?: FakeEngineOptions
}

/** The HTTP app over a FakeEngine and a FakeClock, with its log lines collected. */
export function createTestApp(options: TestAppOptions = {}) {
  const clock = new FakeClock(TEST_NOW_S * 1000)
  const lines: string[] = []
  const logger = createLogger({
    level: 'debug',
    write: (l) => lines.push(l),
    wallNow: () => clock.wallNow(),
  })
  const metrics = createRunnerMetrics({ processMetrics: false })
  const engine = new FakeEngine(options.engine)
  const batcher = new Batcher({
    engines: [engine],
    clock,
    maxBatch: options.maxBatch ?? 4,
    maxWaitMs: options.maxWaitMs ?? 0,
    maxQueue: options.maxQueue ?? 8,
    maxDelayMs: options.maxDelayMs ?? null,
    observer: metrics,
  })
  metrics.trackLoad(() => ({
    queued: batcher.queued,
    running: batcher.running,
    refused: batcher.refused,
  }))
  const state = new RunnerState()
  if (!options.notReady) {
    state.markReady({ info: engine.info, batcher })
  }
  const app = createHttpApp({
    state,
    secret: options.secret === undefined ? TEST_SECRET : options.secret,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    clock,
    metrics,
    logger,
  })
  /** Parsed log lines written so far. */
  const logs = (): Record<string, unknown>[] =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  return { app, clock, engine, batcher, state, metrics, logs }
}
