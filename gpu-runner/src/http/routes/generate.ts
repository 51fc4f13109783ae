import { Hono } from 'hono'
import { GenerateRequest, RESULT_HEADERS } from '@showo/contract'
import type { GenerateParams, GenerateTimings, ModelInfo } from '../../engine/engine.ts'
import { InvalidRequestError } from '../../errors.ts'
import type { AppEnv } from '../app-env.ts'
import type { RouteDeps } from '../route-deps.ts'
import { readSignedBody } from '../read-signed-body.ts'
import { round } from '../request-log.ts'

/** Generate bodies are a prompt and a few numbers; 64 KiB leaves room for escaped Unicode. */
export const GENERATE_BODY_LIMIT = 64 * 1024

/** `POST /v1/generate`: signed JSON in, PNG out with the receipt headers. */
export function generateRoute(deps: RouteDeps): Hono<AppEnv> {
  const { state, secret, requestTimeoutMs, clock, metrics } = deps
  const app = new Hono<AppEnv>()
  app.post('/v1/generate', async (c) => {
    state.assertAdmitting()
    const request = await readSignedBody(
      c.req.raw,
      { secret, clock },
      GENERATE_BODY_LIMIT,
      GenerateRequest
    )
    const { info, batcher } = state.requireServing()
    const params = toGenerateParams(request, info)
    const log = c.var.log
    Object.assign(log, { seed: params.seed, steps: params.steps, resolution: params.resolution })
    const result = await batcher.submitGenerate(params, {
      signal: c.req.raw.signal,
      timeoutMs: requestTimeoutMs,
    })
    const { timings } = result.outcome
    metrics.observeQueueWait('/v1/generate', result.queueMs)
    metrics.observeGenerate(params.steps, timings)
    Object.assign(log, { queueMs: round(result.queueMs), batchSize: result.batchSize })
    Object.assign(log, roundTimings(timings))
    c.header('content-type', 'image/png')
    c.header(RESULT_HEADERS.seed, String(params.seed))
    c.header(RESULT_HEADERS.steps, String(params.steps))
    c.header(RESULT_HEADERS.model, info.sha)
    c.header(RESULT_HEADERS.timing, toServerTiming(result.queueMs, timings))
    return c.body(toArrayBufferView(result.outcome.png))
  })
  return app
}

/** Fills the request's missing fields from the model's defaults; refuses what the model lacks. */
export function toGenerateParams(request: GenerateRequest, info: ModelInfo): GenerateParams {
  const resolution = request.resolution ?? info.defaults.resolution
  if (!info.resolutions.includes(resolution)) {
    throw new InvalidRequestError(
      `resolution: this model draws ${info.resolutions.join(' or ')} px images, not ${resolution}`
    )
  }
  return {
    prompt: request.prompt,
    seed: request.seed,
    steps: request.steps ?? info.defaults.steps,
    topK: request.topK ?? info.defaults.topK,
    guidanceScale: request.guidanceScale ?? info.defaults.guidanceScale,
    resolution,
  }
}

/** `server-timing` value: queue, prefill, denoise, decode, encode and total, in milliseconds. */
export function toServerTiming(queueMs: number, t: GenerateTimings): string {
  const parts: [string, number][] = [
    ['queue', queueMs],
    ['prefill', t.prefillMs],
    ['denoise', t.denoiseMs],
    ['decode', t.decodeMs],
    ['encode', t.encodeMs],
    ['total', t.totalMs],
  ]
  return parts.map(([name, ms]) => `${name};dur=${round(ms)}`).join(', ')
}

function roundTimings(t: GenerateTimings): Record<string, number> {
  return {
    prefillMs: round(t.prefillMs),
    denoiseMs: round(t.denoiseMs),
    decodeMs: round(t.decodeMs),
    encodeMs: round(t.encodeMs),
    engineMs: round(t.totalMs),
  }
}

/** Response bodies need ArrayBuffer-backed bytes; the engine's are, except in odd cases, so copy only then. */
function toArrayBufferView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes)
}
