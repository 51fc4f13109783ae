import { verifySignature } from '@showo/contract'
import { describe, it } from 'vitest'
import type { RunnerSettings } from './config.ts'
import { EdgeError } from './errors.ts'
import { createRunnerClient, type RunnerClientDeps } from './runner-client.ts'

const settings: RunnerSettings = {
  url: 'http://runner.test',
  secret: 'shh',
  timeoutMs: 1000,
  maxAttempts: 3,
  modelSha: undefined,
  modelShaTtlS: 30,
}

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])

function ok(): Response {
  return new Response(png, {
    headers: { 'x-seed': '7', 'x-steps': '4', 'x-model': 'abc123', 'content-type': 'image/png' },
  })
}

function envelope(status: number, code: string, headers: Record<string, string> = {}): Response {
  return Response.json(
    { error: { code, message: `runner says ${code}`, requestId: 'r' } },
    {
      status,
      headers,
    }
  )
}

/** Deps with a virtual clock: sleeping advances time instantly and is recorded. */
function harness(responses: (Response | Error | 'hang')[]): {
  deps: RunnerClientDeps
  sleeps: number[]
  bodies: { body: string; signature: string | null }[]
} {
  let now = 1_000_000
  const sleeps: number[] = []
  const bodies: { body: string; signature: string | null }[] = []
  const deps: RunnerClientDeps = {
    now: () => now,
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms)
      now += ms
      return Promise.resolve()
    },
    fetch: async (_input, init) => {
      bodies.push({
        body: typeof init?.body === 'string' ? init.body : '',
        signature: new Headers(init?.headers).get('x-showo-signature'),
      })
      const next = responses.shift()
      if (next === 'hang') {
        return new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => {
            reject(new Error('aborted'))
          })
        })
      }
      if (next instanceof Error) {
        throw next
      }
      return next ?? ok()
    },
  }
  return { deps, sleeps, bodies }
}

async function failure(promise: Promise<unknown>): Promise<EdgeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  if (!(error instanceof EdgeError)) {
    throw new Error(`expected an EdgeError, got ${String(error)}`)
  }
  return error
}

describe('runner client', () => {
  it('signs the exact body it sends and reads the receipt headers', async ({ expect }) => {
    const h = harness([ok()])
    const image = await createRunnerClient(settings, h.deps).generate(
      { prompt: 'x', seed: 7 },
      'r1'
    )
    expect(image).toMatchObject({ seed: 7, steps: 4, model: 'abc123' })
    const sent = h.bodies[0]
    expect(sent?.body).toBe('{"prompt":"x","seed":7}')
    const check = await verifySignature('shh', sent?.signature, sent?.body ?? '')
    expect(check).toEqual({ ok: true })
  })

  it('maps a runner 500 to 502 UPSTREAM_FAILED without retrying', async ({ expect }) => {
    const h = harness([envelope(500, 'GENERATION_FAILED')])
    const error = await failure(
      createRunnerClient(settings, h.deps).generate({ prompt: 'x', seed: 1 }, 'r')
    )
    expect(error.code).toBe('UPSTREAM_FAILED')
    expect(error.status).toBe(502)
    expect(h.bodies).toHaveLength(1)
  })

  it('passes a runner 400 code through', async ({ expect }) => {
    const h = harness([envelope(400, 'INVALID_REQUEST')])
    const error = await failure(
      createRunnerClient(settings, h.deps).generate({ prompt: 'x', seed: 1 }, 'r')
    )
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', status: 400 })
  })

  it('treats a runner 401 as its own misconfiguration: 502', async ({ expect }) => {
    const h = harness([envelope(401, 'UNAUTHORIZED')])
    const error = await failure(
      createRunnerClient(settings, h.deps).generate({ prompt: 'x', seed: 1 }, 'r')
    )
    expect(error.code).toBe('UPSTREAM_FAILED')
  })

  it('retries 503 and 429 honouring Retry-After, re-signing each attempt', async ({ expect }) => {
    const h = harness([
      envelope(503, 'MODEL_NOT_READY', { 'retry-after': '0' }),
      envelope(429, 'RUNNER_BUSY', { 'retry-after': '0' }),
      ok(),
    ])
    const client = createRunnerClient({ ...settings, timeoutMs: 10_000 }, h.deps)
    await expect(client.generate({ prompt: 'x', seed: 7 }, 'r')).resolves.toMatchObject({ seed: 7 })
    expect(h.bodies).toHaveLength(3)
    // Retry-After 0 s plus half a base step of jitter (random() = 0.5).
    expect(h.sleeps).toEqual([125, 125])
  })

  it('gives up on 429 with RUNNER_BUSY and its Retry-After when the wait exceeds the budget', async ({
    expect,
  }) => {
    const h = harness([envelope(429, 'RUNNER_BUSY', { 'retry-after': '30' })])
    const error = await failure(
      createRunnerClient(settings, h.deps).generate({ prompt: 'x', seed: 1 }, 'r')
    )
    expect(error).toMatchObject({ code: 'RUNNER_BUSY', status: 429, retryAfterS: 30 })
    expect(h.bodies).toHaveLength(1)
    expect(h.sleeps).toEqual([])
  })

  it('maps a 503 that outlasts every attempt to 502 with the last Retry-After', async ({
    expect,
  }) => {
    const busy = (): Response => envelope(503, 'RUNNER_SHUTTING_DOWN', { 'retry-after': '0' })
    const h = harness([busy(), busy(), busy()])
    const client = createRunnerClient({ ...settings, timeoutMs: 10_000 }, h.deps)
    const error = await failure(client.generate({ prompt: 'x', seed: 1 }, 'r'))
    expect(error).toMatchObject({ code: 'UPSTREAM_FAILED', status: 502, retryAfterS: 0 })
    expect(h.bodies).toHaveLength(3)
  })

  it('retries a network failure with exponential jittered backoff', async ({ expect }) => {
    const h = harness([new Error('connection refused'), new Error('connection refused'), ok()])
    const client = createRunnerClient({ ...settings, timeoutMs: 10_000 }, h.deps)
    await client.generate({ prompt: 'x', seed: 7 }, 'r')
    expect(h.sleeps).toEqual([250, 500])
  })

  it('answers 504 UPSTREAM_TIMEOUT when the runner hangs past the budget', async ({ expect }) => {
    const h = harness(['hang'])
    const client = createRunnerClient(
      { ...settings, timeoutMs: 50 },
      {
        ...h.deps,
        now: Date.now,
      }
    )
    const error = await failure(client.generate({ prompt: 'x', seed: 1 }, 'r'))
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 })
  })

  it('refuses a 200 that is not a PNG with receipt headers', async ({ expect }) => {
    const h = harness([new Response('<html>', { status: 200 })])
    const error = await failure(
      createRunnerClient(settings, h.deps).generate({ prompt: 'x', seed: 1 }, 'r')
    )
    expect(error.code).toBe('UPSTREAM_FAILED')
  })

  it('reads readiness, including a loading runner without a model', async ({ expect }) => {
    const h = harness([
      Response.json({ ready: true, model: { name: 'tiny', sha: 'f'.repeat(64) }, draining: false }),
      Response.json({ ready: false, model: null, draining: false }, { status: 503 }),
    ])
    const client = createRunnerClient(settings, h.deps)
    await expect(client.readiness('r')).resolves.toEqual({ ready: true, modelSha: 'f'.repeat(64) })
    await expect(client.readiness('r')).resolves.toEqual({ ready: false, modelSha: undefined })
  })
})
