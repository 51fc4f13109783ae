import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../test/runner/support/fake-clock.ts'
import { FAKE_INFO, FakeEngine } from '../../test/runner/support/fake-engine.ts'
import type { GenerateParams } from '../engine/engine.ts'
import { GenerationCancelledError, RunnerError } from '../errors.ts'
import { Batcher } from './batcher.ts'

const params = (prompt: string, over: Partial<GenerateParams> = {}): GenerateParams => ({
  ...FAKE_INFO.defaults,
  prompt,
  seed: 1,
  ...over,
})

function setup(
  options: {
    maxBatch?: number
    maxWaitMs?: number
    maxQueue?: number
    maxDelayMs?: number
    stepMs?: number | ((batchSize: number) => number)
    engines?: number
  } = {}
) {
  const clock = new FakeClock()
  const engines = Array.from(
    { length: options.engines ?? 1 },
    () => new FakeEngine({ clock, stepMs: options.stepMs ?? 10 })
  )
  const [engine = new FakeEngine()] = engines
  const batcher = new Batcher({
    engines,
    clock,
    maxBatch: options.maxBatch ?? 4,
    maxWaitMs: options.maxWaitMs ?? 0,
    maxQueue: options.maxQueue ?? 8,
    maxDelayMs: options.maxDelayMs ?? null,
  })
  const submit = (prompt: string, over: Partial<GenerateParams> = {}, timeoutMs = 60_000) => {
    const client = new AbortController()
    const result = batcher.submitGenerate(params(prompt, over), {
      signal: client.signal,
      timeoutMs,
    })
    // Keep rejections observed; tests await `result` where they care.
    result.catch(() => undefined)
    return { result, client }
  }
  return { clock, engine, engines, batcher, submit }
}

/** The contract code a rejected request carries. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  return error instanceof RunnerError ? error.code : `not a RunnerError: ${String(error)}`
}

describe('Batcher', () => {
  it('flushes a batch as soon as it is full, without waiting for maxWaitMs', async () => {
    const { clock, engine, submit } = setup({ maxBatch: 2, maxWaitMs: 1000 })
    submit('a')
    submit('b')
    await clock.advance(0)
    expect(engine.batches).toEqual([['a', 'b']])
  })

  it('flushes a partial batch when the oldest request has waited maxWaitMs', async () => {
    const { clock, engine, submit } = setup({ maxBatch: 4, maxWaitMs: 10 })
    submit('a')
    await clock.advance(5)
    submit('b')
    await clock.advance(4)
    expect(engine.batches).toEqual([])
    await clock.advance(1)
    expect(engine.batches).toEqual([['a', 'b']])
  })

  it('keeps one batch in flight and groups what queued meanwhile by shape', async () => {
    const { clock, engine, batcher, submit } = setup({ maxBatch: 4 })
    engine.hold()
    const first = submit('a')
    await clock.advance(0)
    const rest = [
      submit('b', { steps: 2 }),
      submit('c'),
      submit('d', { steps: 2 }),
      submit('e', { resolution: 512 }),
    ]
    await clock.advance(100)
    expect(engine.batches).toEqual([['a']])
    expect(batcher.queued).toBe(4)
    engine.release()
    await clock.advance(1000)
    await Promise.all([first.result, ...rest.map((r) => r.result)])
    expect(engine.batches).toEqual([['a'], ['b', 'd'], ['c'], ['e']])
  })

  it('reports queue wait and batch size with each result', async () => {
    const { clock, engine, submit } = setup({ maxBatch: 2 })
    engine.hold()
    submit('a')
    await clock.advance(0)
    const b = submit('b')
    const c = submit('c')
    await clock.advance(30)
    engine.release()
    await clock.advance(200)
    const result = await b.result
    expect(result.batchSize).toBe(2)
    expect(result.queueMs).toBeGreaterThanOrEqual(30)
    expect((await c.result).outcome.png.length).toBeGreaterThan(8)
  })

  it('refuses with 429 RUNNER_BUSY and a Retry-After when the queue is full', async () => {
    const { clock, engine, batcher, submit } = setup({ maxQueue: 2, maxBatch: 1 })
    engine.hold()
    submit('running')
    await clock.advance(0)
    submit('q1')
    submit('q2')
    const refused = submit('q3')
    const error = await refused.result.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RunnerError)
    expect((error as RunnerError).code).toBe('RUNNER_BUSY')
    expect((error as RunnerError).retryAfterMs).toBeGreaterThan(0)
    expect(batcher.queued).toBe(2)
    expect(batcher.refused).toBe(1)
  })

  it('runs one batch per engine at once and hands the next batch to the engine that frees up', async () => {
    const { clock, engines, batcher, submit } = setup({ engines: 2, maxBatch: 1, stepMs: 10 })
    const [first, second] = engines
    second?.hold()
    const results = [submit('a'), submit('b'), submit('c'), submit('d')]
    await clock.advance(0)
    expect(batcher.running).toBe(2)
    expect(batcher.queued).toBe(2)
    // 'a' takes 4 steps of 10 ms on the first engine; 'b' is held on the second.
    await clock.advance(40)
    await clock.advance(40)
    expect(first?.batches).toEqual([['a'], ['c'], ['d']])
    expect(second?.batches).toEqual([['b']])
    second?.release()
    await clock.advance(100)
    await Promise.all(results.map((r) => r.result))
    expect(batcher.running).toBe(0)
  })

  it('shares a due group out among idle engines instead of leaving one idle', async () => {
    const { clock, engines, submit } = setup({ engines: 2, maxBatch: 4, maxWaitMs: 5 })
    const results = ['a', 'b', 'c', 'd'].map((prompt) => submit(prompt))
    await clock.advance(5)
    expect(engines.map((engine) => engine.batches)).toEqual([[['a', 'b']], [['c', 'd']]])
    await clock.advance(100)
    await Promise.all(results.map((r) => r.result))
  })

  it('admits freely until a batch has been timed, then refuses requests that would wait too long', async () => {
    const { clock, batcher, submit } = setup({ maxBatch: 1, maxDelayMs: 50, stepMs: 10 })
    // Nothing measured yet: only the queue bound applies.
    const early = [submit('a'), submit('b')]
    await clock.advance(100)
    await Promise.all(early.map((r) => r.result))
    // A batch of one takes 40 ms. One running + one queued: the next would start in ~80 ms.
    submit('running')
    await clock.advance(10)
    submit('queued')
    const refused = submit('refused')
    const error = await refused.result.catch((e: unknown) => e)
    expect((error as RunnerError).code).toBe('RUNNER_BUSY')
    expect((error as RunnerError).message).toContain('expected delay 70 ms, limit 50 ms')
    // It may try again once the predicted wait has shrunk to the limit.
    expect((error as RunnerError).retryAfterMs).toBeCloseTo(20)
    expect(batcher.queued).toBe(1)
    await clock.advance(20)
    const inTime = submit('in time')
    await clock.advance(200)
    expect((await inTime.result).batchSize).toBe(1)
  })

  it('counts the extra time of the larger batch a request would join as delay', async () => {
    // A CPU-like engine: a batch of n takes n times as long as a batch of 1.
    const stepMs = (n: number) => 10 * n
    const { clock, engine, submit } = setup({ maxBatch: 2, maxDelayMs: 45, stepMs })
    engine.hold()
    const timing = [submit('x'), submit('y'), submit('z')]
    await clock.advance(0)
    engine.release()
    await clock.advance(200)
    await Promise.all(timing.map((r) => r.result))
    expect(engine.batches).toEqual([['x'], ['y', 'z']])
    // Batches of 1 take 40 ms, of 2 80 ms. 'queued' starts in 40 ms: 40 ms late, admitted.
    submit('running')
    await clock.advance(0)
    const queued = submit('queued')
    // 'joining' would start then too, but make that batch 80 ms long: 80 ms late, refused.
    const joining = submit('joining')
    const error = await joining.result.catch((e: unknown) => e)
    expect((error as RunnerError).message).toContain('expected delay 80 ms, limit 45 ms')
    await clock.advance(200)
    expect((await queued.result).batchSize).toBe(1)
  })

  it('refuses at once a request that would finish after its own deadline', async () => {
    const { clock, submit } = setup({ maxBatch: 1, stepMs: 10 })
    const timed = submit('timed')
    await clock.advance(100)
    await timed.result
    submit('running')
    await clock.advance(0)
    const tight = submit('tight', {}, 60)
    const error = await tight.result.catch((e: unknown) => e)
    expect((error as RunnerError).code).toBe('RUNNER_BUSY')
    expect((error as RunnerError).message).toContain('finish in 80 ms, after its 60 ms deadline')
    const roomy = submit('roomy', {}, 1000)
    await clock.advance(200)
    await roomy.result
  })

  it('frees the queue slot of a request whose client went away while it waited', async () => {
    const { clock, engine, batcher, submit } = setup({ maxQueue: 1, maxBatch: 1 })
    engine.hold()
    submit('running')
    await clock.advance(0)
    const gone = submit('gone')
    expect(await codeOf(submit('refused').result)).toBe('RUNNER_BUSY')
    gone.client.abort()
    expect(await codeOf(gone.result)).toBe('GENERATION_CANCELLED')
    expect(batcher.queued).toBe(0)
    const admitted = submit('admitted')
    engine.release()
    await clock.advance(1000)
    await admitted.result
    expect(engine.batches).toEqual([['running'], ['admitted']])
  })

  it('cancels a running request between steps and finishes the rest of its batch', async () => {
    const { clock, engine, submit } = setup({ maxBatch: 2, maxWaitMs: 5, stepMs: 10 })
    const a = submit('a')
    const b = submit('b')
    await clock.advance(15)
    a.client.abort()
    expect(await codeOf(a.result)).toBe('GENERATION_CANCELLED')
    await clock.advance(100)
    await b.result
    expect(engine.events).toContainEqual({ type: 'cancelled', prompt: 'a', step: 2 })
    const steps = engine.events.flatMap((e) => (e.type === 'step' ? [e.prompts] : []))
    expect(steps).toEqual([['a', 'b'], ['a', 'b'], ['b'], ['b']])
  })

  it('cancels a request whose deadline passes, queued or running', async () => {
    const { clock, engine, batcher, submit } = setup({ maxBatch: 1, stepMs: 10 })
    const running = submit('running', {}, 25)
    const queued = submit('queued', {}, 5)
    await clock.advance(5)
    const error = await queued.result.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GenerationCancelledError)
    expect((error as Error).message).toContain('deadline of 5 ms')
    expect(batcher.queued).toBe(0)
    await clock.advance(20)
    expect(await codeOf(running.result)).toBe('GENERATION_CANCELLED')
    await clock.advance(20)
    expect(engine.events).toContainEqual({ type: 'cancelled', prompt: 'running', step: 3 })
    expect(engine.batches).toEqual([['running']])
  })

  it('close() stops admitting and resolves after every admitted request finished', async () => {
    const { clock, engine, batcher, submit } = setup({ maxBatch: 1 })
    engine.hold()
    const admitted = [submit('a'), submit('b'), submit('c')]
    await clock.advance(0)
    let closed = false
    const closing = batcher.close().then(() => {
      closed = true
    })
    expect(await codeOf(submit('late').result)).toBe('RUNNER_SHUTTING_DOWN')
    await clock.advance(10)
    expect(closed).toBe(false)
    engine.release()
    await clock.advance(1000)
    await closing
    const results = await Promise.all(admitted.map((r) => r.result))
    expect(results).toHaveLength(3)
    expect(engine.batches).toEqual([['a'], ['b'], ['c']])
  })

  it('destroy() cancels queued and running requests', async () => {
    const { clock, engine, batcher, submit } = setup({ maxBatch: 1 })
    engine.hold()
    const running = submit('running')
    const queued = submit('queued')
    await clock.advance(0)
    const closing = batcher.close()
    batcher.destroy(new GenerationCancelledError('the runner is shutting down'))
    expect(await codeOf(running.result)).toBe('GENERATION_CANCELLED')
    expect(await codeOf(queued.result)).toBe('GENERATION_CANCELLED')
    engine.release()
    await clock.advance(100)
    await closing
    expect(engine.batches).toEqual([['running']])
    expect(batcher.running).toBe(0)
  })

  it('turns an engine failure into GENERATION_FAILED for the jobs it hit', async () => {
    const { clock, engine, submit } = setup({ maxBatch: 2 })
    const ok = submit('fine')
    const failed = submit('fail')
    await clock.advance(100)
    expect(await codeOf(failed.result)).toBe('GENERATION_FAILED')
    await ok.result
    engine.generate = () => Promise.reject(new Error('CUDA out of memory'))
    const both = [submit('x'), submit('y')]
    await clock.advance(10)
    for (const { result } of both) {
      const error = await result.catch((e: unknown) => e)
      expect((error as RunnerError).code).toBe('GENERATION_FAILED')
      expect((error as RunnerError).detail).toBe('CUDA out of memory')
    }
  })

  it('runs understanding requests one at a time, between image batches', async () => {
    const { clock, engine, batcher, submit } = setup({ maxBatch: 4 })
    engine.hold()
    submit('a')
    await clock.advance(0)
    const ask = (question: string) =>
      batcher.submitUnderstand(
        { image: new Uint8Array([1]), question, maxNewTokens: 8 },
        { signal: new AbortController().signal, timeoutMs: 60_000 }
      )
    const q1 = ask('what?')
    const q2 = ask('why?')
    submit('b')
    engine.release()
    await clock.advance(1000)
    expect((await q1).outcome.text).toBe('fake answer to: what?')
    await q2
    const order = engine.events.flatMap((e) =>
      e.type === 'batch' ? [e.prompts.join('+')] : e.type === 'understand' ? [e.question] : []
    )
    expect(order).toEqual(['a', 'what?', 'why?', 'b'])
  })
})
