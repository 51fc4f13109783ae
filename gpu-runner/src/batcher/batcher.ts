import type { Engine, GenerateParams, UnderstandJob } from '../engine/engine.ts'
import {
  GenerationFailedError,
  RunnerBusyError,
  RunnerError,
  ShuttingDownError,
} from '../errors.ts'
import type { Clock, CancelTimer } from './clock.ts'
import { BatchDurations } from './batch-durations.ts'
import { pickBatch } from './pick-batch.ts'
import { predictStartMs } from './predict-start.ts'
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
  /** Each engine runs one batch at a time: one per GPU; on a CPU, one per group of cores. */
  engines: readonly Engine[]
  /** Largest number of same-shape requests sent to an engine at once. */
  maxBatch: number
  /** How long the oldest queued request may wait for company before its batch goes anyway. */
  maxWaitMs: number
  /** Requests waiting (not running) beyond which new ones are refused with 429. */
  maxQueue: number
  /**
   * Refuse (429) a request expected to take longer than this beyond what it would take alone: its
   * wait for the batches ahead plus the extra time of the larger batch it joins. null: only its
   * deadline limits it. Keeps admitted latency near the unloaded latency under overload.
   */
  maxDelayMs: number | null
  clock: Clock
  observer?: BatchObserver
}

/** `Retry-After` of a full queue before any batch has run, when no wait can be predicted. */
const UNKNOWN_WAIT_RETRY_MS = 1000

/** An engine and the batch it is running (empty when idle). */
interface Slot {
  engine: Engine
  batch: Work[]
  startedAt: number
}

/**
 * Admission queue and scheduler in front of a pool of engines: bounded queue, refusal of requests
 * that could not start in time, grouping by batch shape, flush on size or wait, one batch in
 * flight per engine. `close()` drains, `destroy()` aborts.
 */
export class Batcher {
  readonly #options: BatcherOptions
  readonly #queue: Work[] = []
  readonly #slots: Slot[]
  readonly #imageBatches = new BatchDurations()
  readonly #understandJobs = new BatchDurations()
  #closing = false
  #refused = 0
  #cancelWakeUp: CancelTimer | undefined
  readonly #idleWaiters: (() => void)[] = []

  constructor(options: BatcherOptions) {
    if (options.engines.length === 0) {
      throw new Error('a batcher needs at least one engine')
    }
    this.#options = options
    this.#slots = options.engines.map((engine) => ({ engine, batch: [], startedAt: 0 }))
  }

  /** Requests admitted and waiting for a batch. */
  get queued(): number {
    return this.#queue.length
  }

  /** Requests refused as busy (429) since the start; autoscaling counts them as demand. */
  get refused(): number {
    return this.#refused
  }

  /** Requests inside the batches the engines are running. */
  get running(): number {
    return this.#slots.reduce((sum, slot) => sum + slot.batch.length, 0)
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
    if (this.#isIdle()) {
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve)
    })
  }

  /** Cancels every queued and running request with `reason`; `close()` still waits for the engines. */
  destroy(reason: RunnerError): void {
    this.#closing = true
    for (const work of [...this.#queue, ...this.#slots.flatMap((slot) => slot.batch)]) {
      work.controller.abort(reason)
    }
  }

  #admit<R extends WorkRequest>(request: R, options: AdmissionOptions) {
    if (this.#closing) {
      return Promise.reject(new ShuttingDownError())
    }
    const refusal = this.#refusal(options.timeoutMs)
    if (refusal) {
      this.#refused += 1
      return Promise.reject(refusal)
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

  /**
   * Why a new request cannot be taken, if it cannot: the queue is full, or it is expected to be
   * delayed by more than `maxDelayMs` or to finish after its deadline. Refusing now, in
   * milliseconds, beats a timeout later, and lets the caller try another runner.
   */
  #refusal(timeoutMs: number): RunnerBusyError | undefined {
    const { maxQueue, maxBatch, maxDelayMs } = this.#options
    const ahead = this.#queue.length
    if (ahead >= maxQueue) {
      const retryMs = this.#predictStartMs(0) ?? UNKNOWN_WAIT_RETRY_MS
      return new RunnerBusyError(`${ahead} requests queued`, retryMs)
    }
    const startMs = this.#predictStartMs(ahead)
    const aloneMs = this.#imageBatches.estimate(1)
    if (startMs === undefined || aloneMs === undefined) {
      return undefined
    }
    const finishMs = startMs + (this.#imageBatches.estimate((ahead % maxBatch) + 1) ?? aloneMs)
    const delayMs = finishMs - aloneMs
    if (maxDelayMs !== null && delayMs > maxDelayMs) {
      const reason = `expected delay ${Math.round(delayMs)} ms, limit ${maxDelayMs} ms`
      return new RunnerBusyError(reason, delayMs - maxDelayMs)
    }
    if (finishMs > timeoutMs) {
      const reason = `expected to finish in ${Math.round(finishMs)} ms, after its ${timeoutMs} ms deadline`
      return new RunnerBusyError(reason, finishMs - timeoutMs)
    }
    return undefined
  }

  /** Expected ms until a request with `ahead` requests before it starts; undefined before any batch ran. */
  #predictStartMs(ahead: number): number | undefined {
    const images = this.#imageBatches
    if (images.estimate(1) === undefined) {
      return undefined
    }
    const now = this.#options.clock.now()
    const busyForMs = this.#slots.map(({ batch, startedAt }) => {
      const first = batch[0]
      if (first === undefined) {
        return 0
      }
      const durations = first.kind === 'understand' ? this.#understandJobs : images
      return (durations.estimate(batch.length) ?? 0) - (now - startedAt)
    })
    const { maxBatch } = this.#options
    return predictStartMs({ busyForMs, ahead, maxBatch, batchMs: (n) => images.estimate(n) ?? 0 })
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

  /** Starts batches on idle engines while the policy says go; otherwise sets a wake-up. */
  #schedule(): void {
    this.#cancelWakeUp?.()
    this.#cancelWakeUp = undefined
    const { clock, maxBatch, maxWaitMs } = this.#options
    for (;;) {
      const idleSlots = this.#slots.filter((slot) => slot.batch.length === 0)
      const [idle] = idleSlots
      if (!idle) {
        return
      }
      const policy = {
        maxBatch,
        maxWaitMs,
        capacityOf: (shape: string) => (shape === UNDERSTAND_SHAPE ? 1 : maxBatch),
        idleEngines: idleSlots.length,
      }
      const decision = pickBatch(this.#queue, clock.now(), policy, this.#closing)
      if (decision === null) {
        this.#notifyIfIdle()
        return
      }
      if ('waitMs' in decision) {
        this.#cancelWakeUp = clock.setTimeout(() => {
          this.#schedule()
        }, decision.waitMs)
        return
      }
      void this.#run(idle, decision.run)
    }
  }

  async #run(slot: Slot, batch: Work[]): Promise<void> {
    const { clock, observer } = this.#options
    // Synchronous up to the first await, so #schedule sees this engine busy and these requests gone.
    for (const work of batch) {
      this.#queue.splice(this.#queue.indexOf(work), 1)
    }
    slot.batch = batch
    slot.startedAt = clock.now()
    observer?.batchStarted(batch[0]?.shape ?? '', batch.length)
    const first = batch[0]
    try {
      if (first?.kind === 'understand') {
        await this.#runUnderstand(slot.engine, first, slot.startedAt)
      } else {
        await this.#runGenerate(slot.engine, batch as GenerateWork[], slot.startedAt)
      }
    } catch (error) {
      const failure = toRunnerError(error)
      for (const work of batch) {
        work.reject(failure)
      }
    } finally {
      const durations = first?.kind === 'understand' ? this.#understandJobs : this.#imageBatches
      durations.record(batch.length, clock.now() - slot.startedAt)
      slot.batch = []
      this.#schedule()
    }
  }

  async #runGenerate(engine: Engine, batch: GenerateWork[], startedAt: number): Promise<void> {
    const results = await engine.generate(
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

  async #runUnderstand(engine: Engine, work: UnderstandWork, startedAt: number): Promise<void> {
    const outcome = await engine.understand({ ...work.job, signal: work.controller.signal })
    work.resolve({ outcome, queueMs: startedAt - work.enqueuedAt })
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && this.#slots.every((slot) => slot.batch.length === 0)
  }

  #notifyIfIdle(): void {
    if (this.#closing && this.#isIdle()) {
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
