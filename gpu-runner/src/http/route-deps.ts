import type { Clock } from '../batcher/clock.ts'
import type { RunnerMetrics } from '../metrics/runner-metrics.ts'
import type { RunnerState } from './runner-state.ts'

/** What the routes share: the lifecycle state, the request settings, the clock and the metrics. */
export interface RouteDeps {
  state: RunnerState
  /** HMAC secret for `x-showo-signature`; null (development only) skips the check. */
  secret: string | null
  /** Deadline of one request from admission. */
  requestTimeoutMs: number
  clock: Clock
  metrics: RunnerMetrics
}
