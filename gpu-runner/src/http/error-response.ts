import type { ErrorHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { toErrorEnvelope } from '@showo/contract'
import { RunnerError } from '../errors.ts'
import type { AppEnv } from './app-env.ts'

/** Retry-After never asks a caller to stay away longer than this. */
const RETRY_AFTER_MAX_S = 60

/**
 * The only place that writes error responses: the contract envelope with the request id,
 * `Retry-After` (and `retry-after-ms`) where the error says a retry helps, and `Connection: close` while draining so
 * kept-alive callers move to another runner. Internal detail and stacks go to the log line only.
 */
export function errorResponse(): ErrorHandler<AppEnv> {
  return function errorResponse(error, c) {
    const known = error instanceof RunnerError ? error : null
    const code = known?.code ?? 'INTERNAL'
    const status = (known?.status ?? 500) as ContentfulStatusCode
    const log = c.get('log') as AppEnv['Variables']['log'] | undefined
    if (log) {
      log.code = code
      log.error = known ? (known.detail ?? known.message) : (error.stack ?? error.message)
    }
    if (known?.retryAfterMs !== undefined) {
      // HTTP's Retry-After counts whole seconds; retry-after-ms (as OpenAI's API sends it) lets
      // clients that know it come back as soon as a batch slot is expected to free up.
      const ms = Math.max(1, Math.ceil(known.retryAfterMs))
      c.header('retry-after', String(Math.min(RETRY_AFTER_MAX_S, Math.ceil(ms / 1000))))
      c.header('retry-after-ms', String(ms))
    }
    if (code === 'RUNNER_SHUTTING_DOWN') {
      c.header('connection', 'close')
    }
    const message = known ? known.message : 'internal error'
    const requestId = (c.get('requestId') as string | undefined) ?? 'unknown'
    return c.json(toErrorEnvelope(code, message, requestId), status)
  }
}
