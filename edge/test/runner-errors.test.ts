import { describe, it } from 'vitest'
import { postJson } from './call-worker.ts'
import { MODEL_SHA, fakeUpstreams } from './fake-upstreams.ts'

const env = { MODEL_SHA, RUNNER_TIMEOUT_MS: '300' }

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return (await res.json<{ error: { code: string; message: string } }>()).error
}

describe('runner failures as the API client sees them', () => {
  it('runner 5xx → 502 UPSTREAM_FAILED', async ({ expect }) => {
    fakeUpstreams({
      'runner.test': () =>
        Response.json(
          { error: { code: 'GENERATION_FAILED', message: 'ORT failed', requestId: 'r' } },
          { status: 500 }
        ),
    })
    const res = await postJson('/v1/images/generations', { prompt: 'x', seed: 1 }, {}, env)
    expect(res.status).toBe(502)
    const error = await errorOf(res)
    expect(error.code).toBe('UPSTREAM_FAILED')
    expect(error.message).not.toContain('ORT failed')
  })

  it('runner timeout → 504 UPSTREAM_TIMEOUT', async ({ expect }) => {
    fakeUpstreams({
      'runner.test': ({ raw }) =>
        new Promise((_resolve, reject) => {
          raw.signal.addEventListener('abort', () => {
            reject(new Error('aborted'))
          })
        }),
    })
    const res = await postJson('/v1/images/generations', { prompt: 'x', seed: 2 }, {}, env)
    expect(res.status).toBe(504)
    expect((await errorOf(res)).code).toBe('UPSTREAM_TIMEOUT')
  })

  it('runner 429 → 429 RUNNER_BUSY with Retry-After once retries cannot fit', async ({
    expect,
  }) => {
    const up = fakeUpstreams({
      'runner.test': () =>
        Response.json(
          { error: { code: 'RUNNER_BUSY', message: 'queue full', requestId: 'r' } },
          { status: 429, headers: { 'retry-after': '7' } }
        ),
    })
    const res = await postJson('/v1/images/generations', { prompt: 'x', seed: 3 }, {}, env)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
    expect((await errorOf(res)).code).toBe('RUNNER_BUSY')
    expect(up.callsTo('runner.test')).toHaveLength(1)
  })

  it('a loading runner (/readyz not ready) → 503 MODEL_NOT_READY with Retry-After', async ({
    expect,
  }) => {
    fakeUpstreams({
      'runner.test': () =>
        Response.json({ ready: false, model: null, draining: false }, { status: 503 }),
    })
    const res = await postJson('/v1/images/generations', { prompt: 'x', seed: 4 })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    expect((await errorOf(res)).code).toBe('MODEL_NOT_READY')
  })
})
