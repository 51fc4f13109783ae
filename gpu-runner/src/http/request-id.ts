import type { MiddlewareHandler } from 'hono'
import { RESULT_HEADERS } from '@showo/contract'
import type { AppEnv } from './app-env.ts'

/** Ids we accept from the caller: short and safe to put in logs and headers. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Reuses the caller's `x-request-id` (the edge's id, so one id follows a request across hops)
 * or makes one, and echoes it on every response, errors included.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestId(c, next) {
    const incoming = c.req.header(RESULT_HEADERS.requestId)
    const id = incoming !== undefined && ACCEPTED_ID.test(incoming) ? incoming : crypto.randomUUID()
    c.set('requestId', id)
    c.set('log', {})
    c.header(RESULT_HEADERS.requestId, id)
    await next()
  }
}
