import { afterEach, describe, expect, it, vi } from 'vitest'
import { metricValue, startTestRunner } from './support/runner-harness.ts'

type Harness = Awaited<ReturnType<typeof startTestRunner>>
let harness: Harness | undefined

afterEach(async () => {
  await harness?.cleanup()
  harness = undefined
})

const WAIT = { timeout: 10_000, interval: 5 }

describe('a client that goes away', () => {
  it('is cancelled between steps while running, and its slot serves the next request', async () => {
    harness = await startTestRunner({ env: { RUNNER_MAX_BATCH: '1' } })
    const h = harness
    await h.runner.ready
    const engine = await h.engine
    engine.hold()
    const client = new AbortController()
    const gone = h.post('/v1/generate', { prompt: 'gone', seed: 1 }, { signal: client.signal })
    await vi.waitFor(() => {
      expect(engine.events).toContainEqual({ type: 'step', step: 0, prompts: ['gone'] })
    }, WAIT)
    client.abort()
    await expect(gone).rejects.toThrow()
    // The runner sees the closed socket and answers the request (to nobody) at once.
    await vi.waitFor(() => {
      expect(h.logs()).toContainEqual(
        expect.objectContaining({ msg: 'request', code: 'GENERATION_CANCELLED', clientGone: true })
      )
    }, WAIT)
    const next = h.post('/v1/generate', { prompt: 'next', seed: 1 })
    engine.release()
    expect((await next).status).toBe(200)
    expect(engine.events).toContainEqual({ type: 'cancelled', prompt: 'gone', step: 1 })
    const gone_steps = engine.events.filter((e) => e.type === 'step' && e.prompts.includes('gone'))
    expect(gone_steps).toHaveLength(1)
    expect(engine.batches.slice(2)).toEqual([['gone'], ['next']])
  })

  it('leaves the queue at once while waiting and never reaches the engine', async () => {
    harness = await startTestRunner({ env: { RUNNER_MAX_BATCH: '1' } })
    const h = harness
    await h.runner.ready
    const engine = await h.engine
    engine.hold()
    const running = h.post('/v1/generate', { prompt: 'running', seed: 1 })
    // Two requests in flight at once may reach the runner in either order: wait for the first.
    await vi.waitFor(() => {
      expect(engine.batches).toContainEqual(['running'])
    }, WAIT)
    const client = new AbortController()
    const gone = h.post('/v1/generate', { prompt: 'gone', seed: 1 }, { signal: client.signal })
    await vi.waitFor(async () => {
      const text = await (await h.get('/metrics')).text()
      expect(metricValue(text, 'showo_runner_queue_depth')).toBe(1)
    }, WAIT)
    client.abort()
    await expect(gone).rejects.toThrow()
    await vi.waitFor(async () => {
      const text = await (await h.get('/metrics')).text()
      expect(metricValue(text, 'showo_runner_queue_depth')).toBe(0)
    }, WAIT)
    engine.release()
    expect((await running).status).toBe(200)
    expect(engine.batches.flat()).not.toContain('gone')
  })
})
