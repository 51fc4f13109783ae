import { describe, it } from 'vitest'
import { callWorker, postJson } from './call-worker.ts'
import { MODEL_SHA, fakePng, fakeRunner, fakeUpstreams } from './fake-upstreams.ts'

const pinned = { MODEL_SHA }

describe('POST /v1/images/generations', () => {
  it('names the bad field in a 400 envelope', async ({ expect }) => {
    fakeUpstreams({})
    for (const [body, field] of [
      [{ prompt: '' }, 'prompt'],
      [{ prompt: 'x', size: '1024x1024' }, 'size'],
      [{ prompt: 'x', steps: 0 }, 'steps'],
      [{ prompt: 'x', n: 9 }, 'n'],
      [{ prompt: 'x', top_k: 0 }, 'top_k'],
      [{ prompt: 'x', quality: 'hd' }, 'quality'],
      [{ prompt: 'x'.repeat(2001) }, 'prompt'],
    ] as const) {
      const res = await postJson('/v1/images/generations', body, {}, pinned)
      expect(res.status).toBe(400)
      const json = await res.json<{ error: { code: string; message: string; requestId: string } }>()
      expect(json.error.code).toBe('INVALID_REQUEST')
      expect(json.error.message).toContain(field)
      expect(json.error.requestId).toBe(res.headers.get('x-request-id'))
    }
  })

  it('refuses a malformed JSON body and an oversized one', async ({ expect }) => {
    fakeUpstreams({})
    const bad = await callWorker('/v1/images/generations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":',
    })
    expect(bad.status).toBe(400)
    const big = await postJson('/v1/images/generations', { prompt: 'x'.repeat(70_000) })
    expect(big.status).toBe(413)
    expect((await big.json<{ error: { code: string } }>()).error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('draws a seed, then serves the same request from the cache without the runner', async ({
    expect,
  }) => {
    const up = fakeUpstreams({ 'runner.test': fakeRunner() })
    const first = await postJson('/v1/images/generations', { prompt: 'a  red fox ' }, {}, pinned)
    expect(first.status).toBe(200)
    expect(first.headers.get('x-cache')).toBe('miss')
    const seed = Number(first.headers.get('x-seed'))
    expect(Number.isInteger(seed)).toBe(true)
    const body = await first.json<{
      data: { url: string; seed: number; revised_prompt: string }[]
    }>()
    expect(body.data[0]?.seed).toBe(seed)
    expect(body.data[0]?.revised_prompt).toBe('a red fox')
    const sent = JSON.parse(up.callsTo('runner.test')[0]?.body ?? '{}') as { seed: number }
    expect(sent.seed).toBe(seed)

    const again = await postJson(
      '/v1/images/generations',
      { prompt: 'a red fox', seed, response_format: 'b64_json' },
      {},
      pinned
    )
    expect(again.headers.get('x-cache')).toBe('hit')
    const b64 = (await again.json<{ data: { b64_json: string }[] }>()).data[0]?.b64_json ?? ''
    expect(Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))).toEqual(fakePng(seed))
    expect(up.callsTo('runner.test')).toHaveLength(1)
  })

  it('signs runner calls and sends only the parameters the client set', async ({ expect }) => {
    const up = fakeUpstreams({ 'runner.test': fakeRunner() })
    await postJson(
      '/v1/images/generations',
      { prompt: 'kiwi', seed: 3, steps: 8, size: '512x512', guidance_scale: 1.5 },
      { 'x-request-id': 'req-abc' },
      pinned
    )
    const call = up.callsTo('runner.test')[0]
    expect(call?.url.pathname).toBe('/v1/generate')
    expect(JSON.parse(call?.body ?? '')).toEqual({
      prompt: 'kiwi',
      seed: 3,
      steps: 8,
      guidanceScale: 1.5,
      resolution: 512,
    })
    expect(call?.headers.get('x-showo-signature')).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    expect(call?.headers.get('x-request-id')).toBe('req-abc')
  })

  it('makes n images with consecutive seeds', async ({ expect }) => {
    fakeUpstreams({ 'runner.test': fakeRunner() })
    const res = await postJson(
      '/v1/images/generations',
      { prompt: 'owl', n: 3, seed: 10 },
      {},
      pinned
    )
    expect(res.headers.get('x-seed')).toBe('10,11,12')
    const data = (await res.json<{ data: { key: string }[] }>()).data
    expect(new Set(data.map((d) => d.key)).size).toBe(3)
  })

  it('reads the model sha from /readyz when MODEL_SHA is not pinned', async ({ expect }) => {
    const up = fakeUpstreams({ 'runner.test': fakeRunner({ model: 'b'.repeat(64) }) })
    await postJson('/v1/images/generations', { prompt: 'cat', seed: 1 })
    await postJson('/v1/images/generations', { prompt: 'cat', seed: 2 })
    const paths = up.callsTo('runner.test').map((c) => c.url.pathname)
    expect(paths).toEqual(['/readyz', '/v1/generate', '/v1/generate'])
  })

  it('answers 503 NOT_CONFIGURED naming the missing setting', async ({ expect }) => {
    fakeUpstreams({})
    const res = await postJson('/v1/images/generations', { prompt: 'x' }, {}, { RUNNER_URL: '' })
    expect(res.status).toBe(503)
    const json = await res.json<{ error: { code: string; message: string } }>()
    expect(json.error).toMatchObject({ code: 'NOT_CONFIGURED' })
    expect(json.error.message).toContain('RUNNER_URL')
  })
})

describe('GET /v1/images/{key}.png', () => {
  it('serves from R2 then from the cache, immutable, with an ETag and 304', async ({ expect }) => {
    fakeUpstreams({ 'runner.test': fakeRunner() })
    const made = await postJson('/v1/images/generations', { prompt: 'moon', seed: 5 }, {}, pinned)
    const { key } = (await made.json<{ data: { key: string }[] }>()).data[0] ?? { key: '' }

    const miss = await callWorker(`/v1/images/${key}.png`)
    expect(miss.status).toBe(200)
    expect(miss.headers.get('x-cache')).toBe('miss')
    expect(miss.headers.get('content-type')).toBe('image/png')
    expect(miss.headers.get('cache-control')).toContain('immutable')
    expect(miss.headers.get('etag')).toBe(`"${key}"`)
    expect(miss.headers.get('x-seed')).toBe('5')
    expect(new Uint8Array(await miss.arrayBuffer())).toEqual(fakePng(5))

    const hit = await callWorker(`/v1/images/${key}.png`)
    expect(hit.headers.get('x-cache')).toBe('hit')
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(fakePng(5))

    const notModified = await callWorker(`/v1/images/${key}.png`, {
      headers: { 'if-none-match': `"${key}"` },
    })
    expect(notModified.status).toBe(304)
    expect(notModified.headers.get('etag')).toBe(`"${key}"`)
  })

  it('answers 404 in the envelope for an unknown key or a malformed one', async ({ expect }) => {
    const unknown = await callWorker(`/v1/images/${'0'.repeat(64)}.png`)
    expect(unknown.status).toBe(404)
    expect((await unknown.json<{ error: { code: string } }>()).error.code).toBe('NOT_FOUND')
    expect((await callWorker('/v1/images/nope.png')).status).toBe(404)
  })
})
