import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type {
  Engine,
  GenerateJob,
  GenerateOutcome,
  GenerateParams,
  ModelInfo,
  Settled,
  UnderstandJob,
  UnderstandOutcome,
} from '../../../src/engine/engine.ts'
import { GenerationCancelledError, GenerationFailedError } from '../../../src/errors.ts'
import type { Clock } from '../../../src/batcher/clock.ts'
import type { EngineFactory } from '../../../src/main.ts'

/** Settings of a {@link FakeEngine}. */
export interface FakeEngineOptions {
  /** Clock the fake steps wait on; without it they wait on real timers. */
  clock?: Clock
  /** Milliseconds one denoising step of a batch of `n` takes (a GPU's cost grows slowly with n). */
  stepMs?: number | ((batchSize: number) => number)
  info?: Partial<ModelInfo>
}

/** Something that happened inside the fake, in order, for tests to assert on. */
export type FakeEvent =
  | { type: 'batch'; prompts: string[] }
  | { type: 'step'; step: number; prompts: string[] }
  | { type: 'cancelled'; prompt: string; step: number }
  | { type: 'understand'; question: string }

/** Default model description of the fake. */
export const FAKE_INFO: ModelInfo = {
  name: 'fake',
  sha: '0'.repeat(64),
  ep: 'fake',
  resolutions: [256, 512],
  defaults: { steps: 4, topK: 200, guidanceScale: 0, resolution: 256 },
  batchIndependent: true,
}

/**
 * An engine that takes `steps` fake denoising steps per batch and checks every job's signal
 * before each step, as the real engine does, so batching and cancellation are testable.
 * `hold()` stops it before its next step until `release()`.
 */
export class FakeEngine implements Engine {
  readonly info: ModelInfo
  readonly events: FakeEvent[] = []
  closed = false
  readonly #options: FakeEngineOptions
  #gate: { promise: Promise<void>; open: () => void } | undefined

  constructor(options: FakeEngineOptions = {}) {
    this.#options = options
    this.info = { ...FAKE_INFO, ...options.info }
  }

  /** Prompts of each batch the engine ran, in order. */
  get batches(): string[][] {
    return this.events.flatMap((e) => (e.type === 'batch' ? [e.prompts] : []))
  }

  hold(): void {
    if (!this.#gate) {
      let open!: () => void
      const promise = new Promise<void>((resolve) => {
        open = resolve
      })
      this.#gate = { promise, open }
    }
  }

  release(): void {
    this.#gate?.open()
    this.#gate = undefined
  }

  async generate(jobs: readonly GenerateJob[]): Promise<Settled<GenerateOutcome>[]> {
    const start = this.#now()
    const results: Settled<GenerateOutcome>[] = []
    let live = jobs.map((job, index) => ({ job, index }))
    this.events.push({ type: 'batch', prompts: jobs.map((j) => j.params.prompt) })
    const steps = jobs[0]?.params.steps ?? 0
    for (let step = 0; step < steps && live.length > 0; step++) {
      live = live.filter(({ job, index }) => {
        if (!job.signal.aborted) {
          return true
        }
        this.events.push({ type: 'cancelled', prompt: job.params.prompt, step })
        results[index] = { ok: false, error: toCancelled(job.signal.reason) }
        return false
      })
      if (live.length > 0) {
        this.events.push({ type: 'step', step, prompts: live.map((l) => l.job.params.prompt) })
        await this.#step(live.length)
      }
    }
    const totalMs = this.#now() - start
    for (const { job, index } of live) {
      results[index] =
        job.params.prompt === 'fail'
          ? { ok: false, error: new GenerationFailedError('fake failure on request') }
          : { ok: true, value: { png: fakePng(job.params), timings: fakeTimings(totalMs) } }
    }
    return results
  }

  async understand(job: UnderstandJob): Promise<UnderstandOutcome> {
    const start = this.#now()
    this.events.push({ type: 'understand', question: job.question })
    await this.#step(1)
    if (job.signal.aborted) {
      throw toCancelled(job.signal.reason)
    }
    const totalMs = this.#now() - start
    return {
      text: `fake answer to: ${job.question}`,
      tokens: Math.min(job.maxNewTokens, 5),
      timings: { encodeMs: 0, decodeMs: totalMs, totalMs },
    }
  }

  close(): Promise<void> {
    this.closed = true
    return Promise.resolve()
  }

  #now(): number {
    return this.#options.clock?.now() ?? performance.now()
  }

  async #step(batchSize: number): Promise<void> {
    await this.#gate?.promise
    const { stepMs = 0, clock } = this.#options
    const ms = typeof stepMs === 'function' ? stepMs(batchSize) : stepMs
    await new Promise<void>((resolve) => {
      if (clock) {
        clock.setTimeout(resolve, ms)
      } else if (ms > 0) {
        setTimeout(resolve, ms)
      } else {
        setImmediate(resolve)
      }
    })
  }
}

/** An engine factory that builds a {@link FakeEngine} naming the model folder's real manifest sha. */
export function createFakeEngineFactory(
  options: FakeEngineOptions = {},
  onCreate?: (engine: FakeEngine) => void
): EngineFactory {
  return async ({ modelDir }) => {
    const manifest = await readFile(join(modelDir, 'manifest.json'))
    const sha = createHash('sha256').update(manifest).digest('hex')
    const engine = new FakeEngine({ ...options, info: { ...options.info, sha } })
    onCreate?.(engine)
    return engine
  }
}

/** The eight bytes every PNG starts with. */
export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** PNG signature followed by the request as JSON, so a test can tell which image it got. */
export function fakePng(params: GenerateParams): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(params))
  return new Uint8Array([...PNG_SIGNATURE, ...body])
}

function fakeTimings(totalMs: number): GenerateOutcome['timings'] {
  return {
    prefillMs: totalMs * 0.1,
    denoiseMs: totalMs * 0.7,
    decodeMs: totalMs * 0.15,
    encodeMs: totalMs * 0.05,
    totalMs,
  }
}

function toCancelled(reason: unknown): Error {
  return reason instanceof Error ? reason : new GenerationCancelledError(String(reason))
}
