import { Hono } from 'hono'
import { LIMITS, RESULT_HEADERS, UnderstandRequest } from '@showo/contract'
import { PayloadTooLargeError } from '../../errors.ts'
import type { AppEnv } from '../app-env.ts'
import type { RouteDeps } from '../route-deps.ts'
import { readSignedBody } from '../read-signed-body.ts'
import { round } from '../request-log.ts'

/** A base64 image at the contract's limit plus the question and JSON around it. */
export const UNDERSTAND_BODY_LIMIT = Math.ceil((LIMITS.imageMaxBytes * 4) / 3) + 64 * 1024

/** Answer length when the request does not say; long answers cost GPU time that others wait for. */
export const DEFAULT_MAX_NEW_TOKENS = 128

/** `POST /v1/understand`: signed JSON `{ image, question }` in, `{ text, tokens }` out. */
export function understandRoute(deps: RouteDeps): Hono<AppEnv> {
  const { state, secret, requestTimeoutMs, clock, metrics } = deps
  const app = new Hono<AppEnv>()
  app.post('/v1/understand', async (c) => {
    state.assertAdmitting()
    const request = await readSignedBody(
      c.req.raw,
      { secret, clock },
      UNDERSTAND_BODY_LIMIT,
      UnderstandRequest
    )
    const image = Buffer.from(request.image, 'base64')
    if (image.byteLength > LIMITS.imageMaxBytes) {
      throw new PayloadTooLargeError(`image: larger than ${LIMITS.imageMaxBytes} bytes`)
    }
    const { info, batcher } = state.requireServing()
    const result = await batcher.submitUnderstand(
      {
        image: new Uint8Array(image.buffer, image.byteOffset, image.byteLength),
        question: request.question,
        maxNewTokens: request.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS,
      },
      { signal: c.req.raw.signal, timeoutMs: requestTimeoutMs }
    )
    const { text, tokens, timings } = result.outcome
    metrics.observeQueueWait('/v1/understand', result.queueMs)
    Object.assign(c.var.log, {
      queueMs: round(result.queueMs),
      tokens,
      engineMs: round(timings.totalMs),
    })
    c.header(RESULT_HEADERS.model, info.sha)
    c.header(
      RESULT_HEADERS.timing,
      `queue;dur=${round(result.queueMs)}, encode;dur=${round(timings.encodeMs)}, ` +
        `decode;dur=${round(timings.decodeMs)}, total;dur=${round(timings.totalMs)}`
    )
    return c.json({ text, tokens })
  })
  return app
}
