import type { Engine, GenerateParams, UnderstandJob } from '../engine/engine.ts'
import {
  GenerationFailedError,
  RunnerBusyError,
  RunnerError,
  ShuttingDownError,
} from '../errors.ts'
import type { Clock, CancelTimer } from './clock.ts'
import { pickBatch } from './pick-batch.ts'
import {
  UNDERSTAND_SHAPE,
  createWork,
  type AdmissionOptions,
  type GenerateResult,
  type GenerateWork,
  type UnderstandResult,
  type UnderstandWork,
  type Work,
  type WorkRequest,
} from './work-item.ts'

/** Told about every batch the batcher starts (metrics). */
export interface BatchObserver {
  batchStarted(shape: string, size: number): void
}

/** Settings and collaborators of a {@link Batcher}. */
export interface BatcherOptions {
  engine: Engine
  /** Largest number of same-shape requests sent to the engine at once. */
  maxBatch: number
  /** How long the oldest queued request may wait for company before its batch goes anyway. */
  maxWaitMs: number
  /** Requests waiting (not running) beyond which new ones are refused with 429. */
  maxQueue: number
  clock: Clock
  observer?: BatchObserver
}

/** Smoothing of the batch-duration average behind `Retry-After`. */
const DURATION_EWMA_WEIGHT = 0.2

/**
 * Admission queue and scheduler in front of one engine (one GPU): bounded queue, grouping by
 * batch shape, flush on size or wait, one batch in flight. `close()` drains, `destroy()` aborts.
 */
export class Batcher {
  readonly #options: BatcherOptions
  readonly #queue: Work[] = []
  #running: Work[] = []
  #closing = false
  #cancelWakeUp: CancelTimer | undefined
  #batchMsAverage: number | undefined
  readonly #idleWaiters: (() => void)[] = []

  constructor(options: BatcherOptions) {
    this.#options = options
  }

  /** Requests admitted and waiting for a batch. */
  get queued(): number {
    return this.#queue.length
  }

  /** Requests inside the batch the engine is running. */
  get running(): number {
    return this.#running.length
  }

  /** Seconds after which a refused caller may expect room: the queue ahead, at the recent pace. */
  retryAfterS(): number {
    const batchS = (this.#batchMsAverage ?? 1000) / 1000
    const batchesAhead = Math.ceil(this.#queue.length / this.#options.maxBatch) + 1
    return Math.min(60, Math.max(1, Math.ceil(batchesAhead * batchS)))
  }

  /** Queues a text-to-image request; rejects with a {@link RunnerError} (429, 503) or the engine's error. */
  submitGenerate(params: GenerateParams, options: AdmissionOptions): Promise<GenerateResult> {
    return this.#admit({ kind: 'generate', params }, options)
  }

  /** Queues an understanding request; it runs alone, between text-to-image batches. */
  submitUnderstand(
    job: Omit<UnderstandJob, 'signal'>,
    options: AdmissionOptions
  ): Promise<UnderstandResult> {
    return this.#admit({ kind: 'understand', job }, options)
  }

  /** Stops admitting and resolves once every admitted request has finished. Idempotent. */
  close(): Promise<void> {
    this.#closing = true
    this.#schedule()
    if (this.#queue.length === 0 && this.#running.length === 0) {
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve)
    })
  }

  /** Cancels every queued and running request with `reason`; `close()` still waits for the engine. */
  destroy(reason: RunnerError): void {
    this.#closing = true
    for (const work of [...this.#queue, ...this.#running]) {
      work.controller.abort(reason)
    }
  }

  #admit<R extends WorkRequest>(request: R, options: AdmissionOptions) {
    if (this.#closing) {
      return Promise.reject(new ShuttingDownError(1))
    }
    if (this.#queue.length >= this.#options.maxQueue) {
      return Promise.reject(new RunnerBusyError(this.#queue.length, this.retryAfterS()))
    }
    const { work, promise } = createWork(request, options, this.#options.clock, (aborted) => {
      this.#onAbort(aborted)
    })
    if (!work.settled) {
      this.#queue.push(work)
      this.#schedule()
    }
    return promise
  }

  /** A cancelled request leaves the queue at once; a running one is answered now, and the engine drops it at its next step. */
  #onAbort(work: Work): void {
    const index = this.#queue.indexOf(work)
    if (index >= 0) {
      this.#queue.splice(index, 1)
    }
    const reason: unknown = work.controller.signal.reason
    work.reject(toRunnerError(reason))
    this.#schedule()
  }

  #schedule(): void {
    this.#cancelWakeUp?.()
    this.#cancelWakeUp = undefined
    if (this.#running.length > 0) {
      return
    }
    const { clock, maxBatch, maxWaitMs } = this.#options
    const decision = pickBatch(
      this.#queue,
      clock.now(),
      { maxBatch, maxWaitMs, capacityOf: (shape) => (shape === UNDERSTAND_SHAPE ? 1 : maxBatch) },
      this.#closing
    )
    if (decision === null) {
      this.#notifyIfIdle()
    } else if ('waitMs' in decision) {
      this.#cancelWakeUp = clock.setTimeout(() => {
        this.#schedule()
      }, decision.waitMs)
    } else {
      void this.#run(decision.run)
    }
  }

  async #run(batch: Work[]): Promise<void> {
    const { clock, observer } = this.#options
    for (const work of batch) {
      this.#queue.splice(this.#queue.indexOf(work), 1)
    }
    this.#running = batch
    const startedAt = clock.now()
    observer?.batchStarted(batch[0]?.shape ?? '', batch.length)
    try {
      const first = batch[0]
      if (first?.kind === 'understand') {
        await this.#runUnderstand(first, startedAt)
      } else {
        await this.#runGenerate(batch as GenerateWork[], startedAt)
      }
    } catch (error) {
      const failure = toRunnerError(error)
      for (const work of batch) {
        work.reject(failure)
      }
    } finally {
      const ms = clock.now() - startedAt
      this.#batchMsAverage =
        this.#batchMsAverage === undefined
          ? ms
          : this.#batchMsAverage + DURATION_EWMA_WEIGHT * (ms - this.#batchMsAverage)
      this.#running = []
      this.#schedule()
    }
  }

  async #runGenerate(batch: GenerateWork[], startedAt: number): Promise<void> {
    const results = await this.#options.engine.generate(
      batch.map((work) => ({ params: work.params, signal: work.controller.signal }))
    )
    batch.forEach((work, i) => {
      const result = results[i]
      if (result?.ok) {
        const queueMs = startedAt - work.enqueuedAt
        work.resolve({ outcome: result.value, queueMs, batchSize: batch.length })
      } else {
        work.reject(toRunnerError(result?.error ?? `engine returned no result for job ${i}`))
      }
    })
  }

  async #runUnderstand(work: UnderstandWork, startedAt: number): Promise<void> {
    const outcome = await this.#options.engine.understand({
      ...work.job,
      signal: work.controller.signal,
    })
    work.resolve({ outcome, queueMs: startedAt - work.enqueuedAt })
  }

  #notifyIfIdle(): void {
    if (this.#closing && this.#queue.length === 0 && this.#running.length === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) {
        resolve()
      }
    }
  }
}

/** Engine errors that carry no contract code are the model failing for this request. */
function toRunnerError(error: unknown): RunnerError {
  if (error instanceof RunnerError) {
    return error
  }
  return new GenerationFailedError(error instanceof Error ? error.message : String(error), error)
}
