import { afterEach, describe, expect, it, vi } from 'vitest'
import type { EngineFactory } from '../../src/main.ts'
import { readError } from './support/envelope.ts'
import { createFakeEngineFactory, type FakeEngine, PNG_SIGNATURE } from './support/fake-engine.ts'
import { metricValue, startTestRunner } from './support/runner-harness.ts'

type Harness = Awaited<ReturnType<typeof startTestRunner>>
let harness: Harness | undefined

afterEach(async () => {
  await harness?.cleanup()
  harness = undefined
})

const WAIT = { timeout: 10_000, interval: 5 }

/** Waits until the runner has admitted `queued` waiting and `running` running requests. */
async function waitForLoad(h: Harness, queued: number, running: number): Promise<void> {
  await vi.waitFor(async () => {
    const text = await (await h.get('/metrics')).text()
    expect(metricValue(text, 'showo_runner_queue_depth')).toBe(queued)
    expect(metricValue(text, 'showo_runner_in_flight')).toBe(running)
  }, WAIT)
}

describe('runner lifecycle on a loopback socket', () => {
  it('reports not ready until the model is loaded and warm, then ready, then draining', async () => {
    let finishLoading = (): void => undefined
    const loaded = new Promise<void>((resolve) => {
      finishLoading = resolve
    })
    const slow =
      (fake: EngineFactory): EngineFactory =>
      async (options) => {
        await loaded
        return fake(options)
      }
    harness = await startTestRunner({ createEngine: slow })
    const h = harness
    expect((await h.get('/healthz')).status).toBe(200)
    const loading = await h.get('/readyz')
    expect(loading.status).toBe(503)
    expect(await loading.json()).toEqual({ ready: false, model: null, draining: false })
    expect((await readError(await h.post('/v1/generate', { prompt: 'x', seed: 1 }))).code).toBe(
      'MODEL_NOT_READY'
    )

    finishLoading()
    await h.runner.ready
    const engine = await h.engine
    expect(engine.batches).toEqual([['warm-up'], ['warm-up']])
    const ready = await h.get('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({
      ready: true,
      model: { name: 'fake', sha: h.manifestSha },
      draining: false,
    })

    engine.hold()
    const inFlight = h.post('/v1/generate', { prompt: 'in flight', seed: 1 })
    await waitForLoad(h, 0, 1)
    const stopping = h.runner.shutdown('SIGTERM')
    const draining = await h.get('/readyz')
    expect(draining.status).toBe(503)
    expect(await draining.json()).toEqual({
      ready: false,
      model: { name: 'fake', sha: h.manifestSha },
      draining: true,
    })
    engine.release()
    expect((await inFlight).status).toBe(200)
    await stopping
  })

  it('drains on shutdown without losing an admitted request, refusing new ones with 503', async () => {
    harness = await startTestRunner({
      env: { RUNNER_MAX_BATCH: '2', RUNNER_DRAIN_TIMEOUT_MS: '600000' },
    })
    const h = harness
    await h.runner.ready
    const engine = await h.engine
    engine.hold()
    const admitted = ['a', 'b', 'c', 'd', 'e'].map((prompt) =>
      h.post('/v1/generate', { prompt, seed: 3 })
    )
    // The first request found the engine idle and went alone; the rest wait behind it.
    await waitForLoad(h, 4, 1)

    let stopped = false
    const stopping = h.runner.shutdown('SIGTERM').then(() => {
      stopped = true
    })
    const late = await h.post('/v1/generate', { prompt: 'late', seed: 3 })
    expect(late.headers.get('connection')).toBe('close')
    expect(await readError(late)).toMatchObject({
      status: 503,
      code: 'RUNNER_SHUTTING_DOWN',
      retryAfter: '1',
    })
    expect(stopped).toBe(false)

    engine.release()
    const responses = await Promise.all(admitted)
    for (const response of responses) {
      expect(response.status).toBe(200)
      expect(new Uint8Array(await response.arrayBuffer()).subarray(0, 8)).toEqual(PNG_SIGNATURE)
    }
    await stopping
    expect(engine.closed).toBe(true)
    expect(engine.batches.slice(2).flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(engine.batches.slice(2).map((b) => b.length)).toEqual([1, 2, 2])
    await expect(h.get('/healthz')).rejects.toThrow()
    expect(h.logs().some((l) => l.msg === 'stopped')).toBe(true)
  })

  it('cancels what is left when the drain deadline passes, then stops', async () => {
    harness = await startTestRunner({
      env: { RUNNER_MAX_BATCH: '1', RUNNER_DRAIN_TIMEOUT_MS: '50' },
    })
    const h = harness
    await h.runner.ready
    const engine = await h.engine
    engine.hold()
    const running = h.post('/v1/generate', { prompt: 'running', seed: 1 })
    // Two requests in flight at once may reach the runner in either order: wait for the first.
    await waitForLoad(h, 0, 1)
    const queued = h.post('/v1/generate', { prompt: 'queued', seed: 1 })
    await waitForLoad(h, 1, 1)
    const stopping = h.runner.shutdown('SIGTERM')
    expect(await readError(await running)).toMatchObject({
      status: 503,
      code: 'GENERATION_CANCELLED',
    })
    expect(await readError(await queued)).toMatchObject({
      status: 503,
      code: 'GENERATION_CANCELLED',
    })
    // The engine notices the cancellation at its next step; only then is the runner stopped.
    engine.release()
    await stopping
    expect(engine.events).toContainEqual({ type: 'cancelled', prompt: 'running', step: 1 })
    expect(engine.batches.flat()).not.toContain('queued')
    expect(h.logs().some((l) => l.msg === 'drain deadline passed; cancelling what is left')).toBe(
      true
    )
  })

  it('starts RUNNER_ENGINES engines, one per device, runs a batch on each at once and closes all', async () => {
    const made: FakeEngine[] = []
    const devices: (number | undefined)[] = []
    const factory = createFakeEngineFactory({}, (engine) => made.push(engine))
    harness = await startTestRunner({
      env: { RUNNER_ENGINES: '2', RUNNER_MAX_BATCH: '1' },
      createEngine: () => (options) => {
        devices.push(options.deviceId)
        return factory(options)
      },
    })
    const h = harness
    await h.runner.ready
    expect(devices.sort()).toEqual([0, 1])
    expect(made).toHaveLength(2)
    for (const engine of made) {
      expect(engine.batches).toEqual([['warm-up'], ['warm-up']])
      engine.hold()
    }
    const a = h.post('/v1/generate', { prompt: 'a', seed: 1 })
    const b = h.post('/v1/generate', { prompt: 'b', seed: 1 })
    await waitForLoad(h, 0, 2)
    for (const engine of made) {
      engine.release()
    }
    expect([(await a).status, (await b).status]).toEqual([200, 200])
    const served = made.map((engine) => engine.batches.slice(2).flat().join(''))
    expect(served.sort()).toEqual(['a', 'b'])
    await h.runner.shutdown('test over')
    expect(made.every((engine) => engine.closed)).toBe(true)
  })

  it('closes the engines that started when another one fails, and never reports ready', async () => {
    const made: FakeEngine[] = []
    const factory = createFakeEngineFactory({}, (engine) => made.push(engine))
    harness = await startTestRunner({
      env: { RUNNER_ENGINES: '3' },
      createEngine: () => (options) => {
        if (options.deviceId === 1) {
          return Promise.reject(new Error('CUDA error: no device 1'))
        }
        return factory(options)
      },
    })
    const h = harness
    await expect(h.runner.ready).rejects.toThrow('CUDA error: no device 1')
    expect(made).toHaveLength(2)
    expect(made.every((engine) => engine.closed)).toBe(true)
    expect((await h.get('/readyz')).status).toBe(503)
  })

  it('refuses to serve when the engine names a different model than the checked folder', async () => {
    harness = await startTestRunner({
      engine: { info: { sha: 'f'.repeat(64) } },
      createEngine: (fake) => async (o) => {
        const engine = await fake(o)
        Object.assign(engine.info, { sha: 'f'.repeat(64) })
        return engine
      },
    })
    const h = harness
    await expect(h.runner.ready).rejects.toThrow(
      /engine reports model sha f{64}, but .*manifest.json hashes to/
    )
    expect((await h.get('/readyz')).status).toBe(503)
  })
})
