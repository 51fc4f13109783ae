import { describe, it } from 'vitest'
import { postJson } from './call-worker.ts'
import { MODEL_SHA, fakeRunner, fakeUpstreams } from './fake-upstreams.ts'

describe('coalescing', () => {
  it('makes exactly one runner call for 50 concurrent identical requests', async ({ expect }) => {
    const up = fakeUpstreams({ 'runner.test': fakeRunner({ delayMs: 300 }) })
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postJson(
          '/v1/images/generations',
          { prompt: 'a lighthouse at dusk', seed: 42 },
          { 'cf-connecting-ip': `10.0.0.${i}` },
          { MODEL_SHA }
        )
      )
    )
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200))
    expect(up.callsTo('runner.test')).toHaveLength(1)
    const outcomes = responses.map((r) => r.headers.get('x-cache'))
    expect(outcomes.filter((o) => o === 'miss')).toHaveLength(1)
    expect(outcomes.filter((o) => o === 'joined')).toHaveLength(49)
    const keys = await Promise.all(
      responses.map(async (r) => (await r.json<{ data: { key: string }[] }>()).data[0]?.key)
    )
    expect(new Set(keys).size).toBe(1)
  })

  it('shares a failure with every joined caller, then lets the next request try again', async ({
    expect,
  }) => {
    let calls = 0
    fakeUpstreams({
      'runner.test': async (request) => {
        calls++
        if (calls === 1) {
          await new Promise((resolve) => setTimeout(resolve, 200))
          return Response.json(
            { error: { code: 'GENERATION_FAILED', message: 'boom', requestId: 'r' } },
            { status: 500 }
          )
        }
        return fakeRunner()(request)
      },
    })
    const body = { prompt: 'a failing prompt', seed: 9 }
    const failed = await Promise.all(
      Array.from({ length: 5 }, () => postJson('/v1/images/generations', body, {}, { MODEL_SHA }))
    )
    expect(failed.map((r) => r.status)).toEqual(Array(5).fill(502))
    expect(calls).toBe(1)
    const retried = await postJson('/v1/images/generations', body, {}, { MODEL_SHA })
    expect(retried.status).toBe(200)
    expect(calls).toBe(2)
  })

  it('files the image under the model that drew it when the runner rolled to another', async ({
    expect,
  }) => {
    const newer = 'c'.repeat(64)
    fakeUpstreams({ 'runner.test': fakeRunner({ model: newer }) })
    const first = await postJson(
      '/v1/images/generations',
      { prompt: 'roll', seed: 1 },
      {},
      { MODEL_SHA }
    )
    const second = await postJson(
      '/v1/images/generations',
      { prompt: 'roll', seed: 1 },
      {},
      { MODEL_SHA: newer }
    )
    const keyOf = async (r: Response): Promise<string | undefined> =>
      (await r.json<{ data: { key: string }[] }>()).data[0]?.key
    expect(second.headers.get('x-cache')).toBe('hit')
    expect(await keyOf(first)).toBe(await keyOf(second))
  })
})
