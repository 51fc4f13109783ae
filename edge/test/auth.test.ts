import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { sha256Hex } from '../src/sha256-hex.ts'
import type { Env } from '../src/env.ts'
import { callWorker, postJson } from './call-worker.ts'
import { MODEL_SHA, fakeRunner, fakeUpstreams } from './fake-upstreams.ts'

const ADMIN_TOKEN = 'admin-secret'

async function createKey(ratePerWindow?: number): Promise<string> {
  const res = await postJson(
    '/admin/keys',
    { name: 'test', ...(ratePerWindow === undefined ? {} : { rate_per_window: ratePerWindow }) },
    { authorization: `Bearer ${ADMIN_TOKEN}` },
    { ADMIN_TOKEN }
  )
  if (res.status !== 201) {
    throw new Error(`admin route answered ${res.status}`)
  }
  return (await res.json<{ key: string }>()).key
}

function generate(
  headers: Record<string, string>,
  overrides: Partial<Env> = {}
): Promise<Response> {
  return postJson('/v1/images/generations', { prompt: 'x', seed: 1 }, headers, {
    MODEL_SHA,
    ...overrides,
  })
}

describe('API keys', () => {
  it('stores only the SHA-256 of a new key', async ({ expect }) => {
    const key = await createKey()
    expect(key).toMatch(/^sk-showo-[A-Za-z0-9_-]{43}$/)
    const kv = (env as unknown as Env).API_KEYS
    const names = (await kv.list()).keys.map((k) => k.name)
    expect(names).toContain(`key:${await sha256Hex(key)}`)
    for (const name of names) {
      expect(name).not.toContain(key)
      expect(await kv.get(name)).not.toContain(key)
    }
  })

  it('refuses the admin route without the admin token, and 503s when none is set', async ({
    expect,
  }) => {
    const wrong = await postJson(
      '/admin/keys',
      { name: 'x' },
      { authorization: 'Bearer nope' },
      {
        ADMIN_TOKEN,
      }
    )
    expect(wrong.status).toBe(401)
    const unset = await postJson('/admin/keys', { name: 'x' }, {}, { ADMIN_TOKEN: '' })
    expect(unset.status).toBe(503)
  })

  it('answers 401 for an unknown key even when anonymous use is allowed', async ({ expect }) => {
    fakeUpstreams({ 'runner.test': fakeRunner() })
    const res = await generate({ authorization: 'Bearer sk-showo-not-a-real-key' })
    expect(res.status).toBe(401)
    const json = await res.json<{ error: { code: string; message: string } }>()
    expect(json.error.code).toBe('UNAUTHORIZED')
    expect(json.error.message).toContain('authorization')
  })

  it('requires a key when ALLOW_ANONYMOUS is false, and accepts a valid one', async ({
    expect,
  }) => {
    fakeUpstreams({ 'runner.test': fakeRunner() })
    const closed = { ALLOW_ANONYMOUS: 'false' }
    expect((await generate({}, closed)).status).toBe(401)
    const key = await createKey()
    const res = await generate({ authorization: `Bearer ${key}` }, closed)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-ratelimit-limit')).toBe('60')
  })
})

describe('rate limits', () => {
  it('limits each API key on its own (429 RATE_LIMITED with Retry-After)', async ({ expect }) => {
    fakeUpstreams({ 'runner.test': fakeRunner() })
    const a = await createKey(2)
    const b = await createKey(2)
    const statuses = []
    for (let i = 0; i < 3; i++) {
      statuses.push((await generate({ authorization: `Bearer ${a}` })).status)
    }
    expect(statuses).toEqual([200, 200, 429])
    const limited = await generate({ authorization: `Bearer ${a}` })
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0')
    const json = await limited.json<{ error: { code: string } }>()
    expect(json.error.code).toBe('RATE_LIMITED')
    expect((await generate({ authorization: `Bearer ${b}` })).status).toBe(200)
  })

  it('limits anonymous callers per address', async ({ expect }) => {
    fakeUpstreams({ 'runner.test': fakeRunner() })
    const limits = { RATE_LIMIT_PER_IP: '2' }
    const from = (ip: string): Promise<Response> => generate({ 'cf-connecting-ip': ip }, limits)
    const statuses = [(await from('192.0.2.1')).status, (await from('192.0.2.1')).status]
    const third = await from('192.0.2.1')
    expect([...statuses, third.status]).toEqual([200, 200, 429])
    expect(third.headers.get('retry-after')).toBe('30')
    expect((await from('192.0.2.2')).status).toBe(200)
  })

  it('does not rate-limit the image CDN', async ({ expect }) => {
    for (let i = 0; i < 5; i++) {
      const res = await callWorker(`/v1/images/${'1'.repeat(64)}.png`, {
        headers: { 'cf-connecting-ip': '192.0.2.9' },
      })
      expect(res.status).toBe(404)
    }
  })
})
