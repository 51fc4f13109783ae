import { describe, expect, it } from 'vitest'
import { LIMITS } from '@showo/contract'
import { GENERATE_BODY_LIMIT } from '../../src/http/routes/generate.ts'
import { readError } from './support/envelope.ts'
import { signedPost } from './support/signed-request.ts'
import { createTestApp } from './support/test-app.ts'

const ok = { prompt: 'a cat', seed: 7 }

describe('POST /v1/generate refuses every malformed field with 400 naming it', () => {
  it.each([
    ['prompt', { seed: 1 }],
    ['prompt', { prompt: '', seed: 1 }],
    ['prompt', { prompt: '   ', seed: 1 }],
    ['prompt', { prompt: 42, seed: 1 }],
    ['prompt', { prompt: 'x'.repeat(LIMITS.promptMaxChars + 1), seed: 1 }],
    ['seed', { prompt: 'x' }],
    ['seed', { prompt: 'x', seed: -1 }],
    ['seed', { prompt: 'x', seed: 1.5 }],
    ['seed', { prompt: 'x', seed: 2 ** 32 }],
    ['seed', { prompt: 'x', seed: '7' }],
    ['steps', { ...ok, steps: 0 }],
    ['steps', { ...ok, steps: LIMITS.stepsMax + 1 }],
    ['steps', { ...ok, steps: 2.5 }],
    ['topK', { ...ok, topK: 0 }],
    ['topK', { ...ok, topK: LIMITS.topKMax + 1 }],
    ['guidanceScale', { ...ok, guidanceScale: -1 }],
    ['guidanceScale', { ...ok, guidanceScale: LIMITS.guidanceMax + 1 }],
    ['guidanceScale', { ...ok, guidanceScale: 'high' }],
    ['resolution', { ...ok, resolution: 300 }],
    ['resolution', { ...ok, resolution: '256' }],
    ['size', { ...ok, size: '256x256' }],
    ['body', []],
    ['body', 'a cat'],
    ['body', null],
  ])('names %s in %j', async (field, body) => {
    const { app, engine } = createTestApp()
    const error = await readError(await app.request(await signedPost('/v1/generate', body)))
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' })
    expect(error.message).toContain(field)
    expect(engine.batches).toEqual([])
  })

  it('refuses invalid JSON naming the body', async () => {
    const { app } = createTestApp()
    const request = await signedPost('/v1/generate', undefined, { rawBody: '{"prompt": "a cat",' })
    const error = await readError(await app.request(request))
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' })
    expect(error.message).toMatch(/^body: not valid UTF-8 JSON/)
  })

  it('refuses bytes that are not UTF-8', async () => {
    const { app } = createTestApp()
    const rawBody = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])
    const error = await readError(
      await app.request(await signedPost('/v1/generate', 0, { rawBody }))
    )
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' })
  })

  it('refuses a resolution the loaded model does not draw', async () => {
    const { app } = createTestApp({ engine: { info: { resolutions: [256] } } })
    const error = await readError(
      await app.request(await signedPost('/v1/generate', { ...ok, resolution: 512 }))
    )
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' })
    expect(error.message).toBe('resolution: this model draws 256 px images, not 512')
  })

  it('refuses an oversize body with 413 before reading past the limit', async () => {
    const { app } = createTestApp()
    const prompt = 'x'.repeat(GENERATE_BODY_LIMIT)
    const error = await readError(
      await app.request(await signedPost('/v1/generate', { prompt, seed: 1 }))
    )
    expect(error).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' })
    expect(error.message).toBe(`body: larger than ${GENERATE_BODY_LIMIT} bytes`)
  })

  it('refuses an oversize body sent without a content-length', async () => {
    const { app } = createTestApp()
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1
        controller.enqueue(chunk)
      },
    })
    const request = new Request('http://runner.test/v1/generate', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    })
    const error = await readError(await app.request(request))
    expect(error).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' })
    expect(sent).toBeLessThan(10)
  })
})

describe('POST /v1/understand refuses every malformed field with 400 naming it', () => {
  const good = { image: 'iVBORw0KGgo=', question: 'what is it?' }
  it.each([
    ['image', { question: 'what?' }],
    ['image', { ...good, image: '' }],
    ['image', { ...good, image: 'not base64!' }],
    ['image', { ...good, image: 12 }],
    ['question', { image: good.image }],
    ['question', { ...good, question: '  ' }],
    ['question', { ...good, question: 'q'.repeat(LIMITS.questionMaxChars + 1) }],
    ['maxNewTokens', { ...good, maxNewTokens: 0 }],
    ['maxNewTokens', { ...good, maxNewTokens: LIMITS.maxNewTokensMax + 1 }],
    ['maxNewTokens', { ...good, maxNewTokens: 1.5 }],
    ['extra', { ...good, extra: true }],
  ])('names %s in %j', async (field, body) => {
    const { app } = createTestApp()
    const error = await readError(await app.request(await signedPost('/v1/understand', body)))
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' })
    expect(error.message).toContain(field)
  })

  it('answers a valid question', async () => {
    const { app } = createTestApp()
    const response = await app.request(await signedPost('/v1/understand', good))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ text: 'fake answer to: what is it?', tokens: 5 })
    expect(response.headers.get('x-model')).toBe('0'.repeat(64))
    expect(response.headers.get('server-timing')).toMatch(/^queue;dur=[\d.]+, encode;dur=/)
  })
})
