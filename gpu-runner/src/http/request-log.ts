import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { Clock } from '../batcher/clock.ts'
import type { Logger } from '../logging/logger.ts'
import type { RunnerMetrics } from '../metrics/runner-metrics.ts'
import type { AppEnv } from './app-env.ts'

/** Probes and scrapes arrive every few seconds; their lines are debug so they do not drown the rest. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics'])

/**
 * Writes one JSON log line per request (request id, route, status, code, durations and whatever
 * the route added) and feeds the request counter and duration histogram.
 */
export function requestLog(deps: {
  clock: Clock
  logger: Logger
  metrics: RunnerMetrics
}): MiddlewareHandler<AppEnv> {
  const { clock, logger, metrics } = deps
  return async function requestLog(c, next) {
    const start = clock.now()
    await next()
    const durationMs = clock.now() - start
    const route = routePath(c)
    const code = typeof c.var.log.code === 'string' ? c.var.log.code : 'OK'
    metrics.observeRequest(route, code, durationMs)
    const fields = {
      requestId: c.var.requestId,
      method: c.req.method,
      route,
      status: c.res.status,
      code,
      durationMs: round(durationMs),
      clientGone: c.req.raw.signal.aborted || undefined,
      ...c.var.log,
    }
    if (QUIET_ROUTES.has(route)) {
      logger.debug('request', fields)
    } else if (c.res.status >= 500) {
      logger.error('request', fields)
    } else {
      logger.info('request', fields)
    }
  }
}

/** Milliseconds to 0.1 ms, enough for logs and headers. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10
}
