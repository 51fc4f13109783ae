import type { ErrorHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { toErrorEnvelope } from '@showo/contract'
import { RunnerError } from '../errors.ts'
import type { AppEnv } from './app-env.ts'

/**
 * The only place that writes error responses: the contract envelope with the request id,
 * `Retry-After` where the error says a retry helps, and `Connection: close` while draining so
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
    if (known?.retryAfterS !== undefined) {
      c.header('retry-after', String(known.retryAfterS))
    }
    if (code === 'RUNNER_SHUTTING_DOWN') {
      c.header('connection', 'close')
    }
    const message = known ? known.message : 'internal error'
    const requestId = (c.get('requestId') as string | undefined) ?? 'unknown'
    return c.json(toErrorEnvelope(code, message, requestId), status)
  }
}
