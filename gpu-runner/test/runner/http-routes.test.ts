import { describe, expect, it } from 'vitest'
import { PNG_SIGNATURE } from './support/fake-engine.ts'
import { readError } from './support/envelope.ts'
import { signedPost } from './support/signed-request.ts'
import { createTestApp } from './support/test-app.ts'

const body = { prompt: 'a cat', seed: 7 }

describe('POST /v1/generate', () => {
  it('answers a PNG with the receipt headers, filling defaults from the model', async () => {
    const { app, engine } = createTestApp()
    const response = await app.request(
      await signedPost(
        '/v1/generate',
        { ...body, steps: 2 },
        { headers: { 'x-request-id': 'edge-42' } }
      )
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    expect(response.headers.get('x-seed')).toBe('7')
    expect(response.headers.get('x-steps')).toBe('2')
    expect(response.headers.get('x-model')).toBe(engine.info.sha)
    expect(response.headers.get('x-request-id')).toBe('edge-42')
    expect(response.headers.get('server-timing')).toMatch(
      /^queue;dur=[\d.]+, prefill;dur=[\d.]+, denoise;dur=[\d.]+, decode;dur=[\d.]+, encode;dur=[\d.]+, total;dur=[\d.]+$/
    )
    const png = new Uint8Array(await response.arrayBuffer())
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE)
    const params: unknown = JSON.parse(new TextDecoder().decode(png.subarray(8)))
    expect(params).toEqual({ ...engine.info.defaults, prompt: 'a cat', seed: 7, steps: 2 })
  })

  it('makes a request id when the caller sends none or an unusable one', async () => {
    const { app } = createTestApp()
    const plain = await app.request(await signedPost('/v1/generate', body))
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const odd = await app.request(
      await signedPost('/v1/generate', body, {
        headers: { 'x-request-id': 'has spaces\tand tabs' },
      })
    )
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers 429 RUNNER_BUSY with Retry-After and retry-after-ms when the queue is full, and serves the admitted', async () => {
    const { app, engine } = createTestApp({ maxBatch: 1, maxQueue: 1 })
    engine.hold()
    const running = app.request(await signedPost('/v1/generate', { ...body, prompt: 'running' }))
    const queued = app.request(await signedPost('/v1/generate', { ...body, prompt: 'queued' }))
    await new Promise((resolve) => setImmediate(resolve))
    const refused = await readError(await app.request(await signedPost('/v1/generate', body)))
    expect(refused).toMatchObject({ status: 429, code: 'RUNNER_BUSY' })
    // No batch has been timed yet, so the runner cannot predict the wait and says one second.
    expect(refused).toMatchObject({ retryAfter: '1', retryAfterMs: '1000' })
    engine.release()
    expect((await running).status).toBe(200)
    expect((await queued).status).toBe(200)
  })

  it('answers 500 GENERATION_FAILED when the engine fails for the request', async () => {
    const { app } = createTestApp()
    const error = await readError(
      await app.request(await signedPost('/v1/generate', { ...body, prompt: 'fail' }))
    )
    expect(error).toMatchObject({ status: 500, code: 'GENERATION_FAILED' })
    expect(error.message).not.toContain('fake failure')
  })

  it('answers 500 INTERNAL without leaking detail, and logs the stack', async () => {
    const { app, engine, logs } = createTestApp()
    engine.generate = () =>
      Promise.resolve([{ ok: true, value: { png: new Uint8Array(), timings: undefined as never } }])
    const error = await readError(await app.request(await signedPost('/v1/generate', body)))
    expect(error).toMatchObject({ status: 500, code: 'INTERNAL', message: 'internal error' })
    const line = logs().find((l) => l.route === '/v1/generate')
    expect(line).toMatchObject({ level: 'error', code: 'INTERNAL', status: 500 })
    expect(line?.error).toContain('TypeError')
  })
})

describe('lifecycle answers', () => {
  it('answers 503 MODEL_NOT_READY with Retry-After while the model loads', async () => {
    const { app } = createTestApp({ notReady: true })
    const error = await readError(await app.request(await signedPost('/v1/generate', body)))
    expect(error).toMatchObject({
      status: 503,
      code: 'MODEL_NOT_READY',
      retryAfter: '5',
      retryAfterMs: '5000',
    })
    const ready = await app.request('/readyz')
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({ ready: false, model: null, draining: false })
  })

  it('answers 503 RUNNER_SHUTTING_DOWN with Retry-After and Connection: close while draining', async () => {
    const { app, state, engine } = createTestApp()
    state.startDraining()
    const response = await app.request(await signedPost('/v1/generate', body))
    expect(response.headers.get('connection')).toBe('close')
    expect(await readError(response)).toMatchObject({
      status: 503,
      code: 'RUNNER_SHUTTING_DOWN',
      retryAfter: '1',
    })
    const ready = await app.request('/readyz')
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({
      ready: false,
      model: { name: engine.info.name, sha: engine.info.sha },
      draining: true,
    })
  })

  it('reports ready with the model name and sha, and alive on /healthz', async () => {
    const { app, engine } = createTestApp()
    const ready = await app.request('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({
      ready: true,
      model: { name: 'fake', sha: engine.info.sha },
      draining: false,
    })
    const health = await app.request('/healthz')
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ alive: true })
  })

  it('answers unknown routes with the 404 envelope', async () => {
    const { app } = createTestApp()
    const error = await readError(await app.request('/v1/nothing'))
    expect(error).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      message: 'no route GET /v1/nothing',
    })
    expect((await readError(await app.request('/v1/generate'))).code).toBe('NOT_FOUND')
  })
})

describe('observability', () => {
  it('writes exactly one log line per request with id, route, status, code and timings', async () => {
    const { app, logs } = createTestApp()
    await app.request(
      await signedPost('/v1/generate', body, { headers: { 'x-request-id': 'r-1' } })
    )
    await app.request(await signedPost('/v1/generate', {}, { headers: { 'x-request-id': 'r-2' } }))
    const requests = logs().filter((l) => l.msg === 'request')
    expect(requests).toHaveLength(2)
    expect(requests[0]).toMatchObject({
      level: 'info',
      requestId: 'r-1',
      method: 'POST',
      route: '/v1/generate',
      status: 200,
      code: 'OK',
      seed: 7,
      batchSize: 1,
    })
    expect(typeof requests[0]?.queueMs).toBe('number')
    expect(typeof requests[0]?.denoiseMs).toBe('number')
    expect(requests[1]).toMatchObject({ requestId: 'r-2', status: 400, code: 'INVALID_REQUEST' })
  })

  it('exposes queue, batch, timing and outcome metrics on /metrics', async () => {
    const { app } = createTestApp()
    await app.request(await signedPost('/v1/generate', body))
    await app.request(await signedPost('/v1/generate', {}))
    const response = await app.request('/metrics')
    expect(response.headers.get('content-type')).toContain('text/plain')
    const text = await response.text()
    expect(text).toContain('showo_runner_requests_total{route="/v1/generate",code="OK"} 1')
    expect(text).toContain(
      'showo_runner_requests_total{route="/v1/generate",code="INVALID_REQUEST"} 1'
    )
    expect(text).toContain('showo_runner_batch_size_count 1')
    expect(text).toContain('showo_runner_queue_wait_seconds_count{route="/v1/generate"} 1')
    expect(text).toContain('showo_runner_step_seconds_count 1')
    expect(text).toContain('showo_runner_decode_seconds_count 1')
    expect(text).toContain('showo_runner_request_duration_seconds_count{route="/v1/generate"} 2')
    expect(text).toContain('showo_runner_queue_depth 0')
    expect(text).toContain('showo_runner_in_flight 0')
  })
})
