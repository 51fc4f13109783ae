import type {
  GenerateOutcome,
  GenerateParams,
  UnderstandJob,
  UnderstandOutcome,
} from '../engine/engine.ts'
import { batchShape } from '../engine/engine.ts'
import { GenerationCancelledError, type RunnerError } from '../errors.ts'
import type { Clock } from './clock.ts'

/** What a finished text-to-image request hands back to the HTTP layer. */
export interface GenerateResult {
  outcome: GenerateOutcome
  /** Milliseconds between admission and the start of its batch. */
  queueMs: number
  batchSize: number
}

/** What a finished understanding request hands back to the HTTP layer. */
export interface UnderstandResult {
  outcome: UnderstandOutcome
  queueMs: number
}

/** How long a request may take and how its caller can give up on it. */
export interface AdmissionOptions {
  /** Aborted when the client goes away. */
  signal: AbortSignal
  /** Deadline from admission; past it the request is cancelled between steps. */
  timeoutMs: number
}

/** Shape key of understanding work: never batched with anything. */
export const UNDERSTAND_SHAPE = 'understand'

interface WorkBase<T> {
  shape: string
  enqueuedAt: number
  /** Aborted by the client signal, the deadline or destroy(); the engine sees this signal. */
  controller: AbortController
  resolve: (value: T) => void
  reject: (error: RunnerError) => void
  /** Removes the listeners and the deadline timer. */
  release: () => void
  settled: boolean
}

/** A queued text-to-image request. */
export interface GenerateWork extends WorkBase<GenerateResult> {
  kind: 'generate'
  params: GenerateParams
}

/** A queued understanding request. */
export interface UnderstandWork extends WorkBase<UnderstandResult> {
  kind: 'understand'
  job: Omit<UnderstandJob, 'signal'>
}

/** One admitted request, waiting or running. */
export type Work = GenerateWork | UnderstandWork

/** The payload of a work item, before admission. */
export type WorkRequest =
  | { kind: 'generate'; params: GenerateParams }
  | { kind: 'understand'; job: Omit<UnderstandJob, 'signal'> }

type ResultOf<R extends WorkRequest> = R extends { kind: 'generate' }
  ? GenerateResult
  : UnderstandResult

/**
 * Builds a work item and its promise. The item's controller aborts, with a
 * {@link GenerationCancelledError}, when the client signal fires or the deadline passes;
 * `onAbort` lets the batcher drop the item from its queue at that moment.
 */
export function createWork<R extends WorkRequest>(
  request: R,
  options: AdmissionOptions,
  clock: Clock,
  onAbort: (work: Work) => void
): { work: Work; promise: Promise<ResultOf<R>> } {
  const controller = new AbortController()
  let resolve!: (value: ResultOf<R>) => void
  let reject!: (error: RunnerError) => void
  const promise = new Promise<ResultOf<R>>((res, rej) => {
    resolve = res
    reject = rej
  })
  const shape = request.kind === 'generate' ? batchShape(request.params) : UNDERSTAND_SHAPE
  const onClientAbort = (): void => {
    controller.abort(new GenerationCancelledError('the client went away'))
  }
  const cancelDeadline = clock.setTimeout(() => {
    controller.abort(new GenerationCancelledError(`deadline of ${options.timeoutMs} ms passed`))
  }, options.timeoutMs)
  const work = {
    ...request,
    shape,
    enqueuedAt: clock.now(),
    controller,
    settled: false,
    resolve: (value: ResultOf<R>) => {
      settle(work, () => {
        resolve(value)
      })
    },
    reject: (error: RunnerError) => {
      settle(work, () => {
        reject(error)
      })
    },
    release: () => {
      cancelDeadline()
      options.signal.removeEventListener('abort', onClientAbort)
    },
  } as Work
  controller.signal.addEventListener('abort', () => {
    onAbort(work)
  })
  if (options.signal.aborted) {
    onClientAbort()
  } else {
    options.signal.addEventListener('abort', onClientAbort, { once: true })
  }
  return { work, promise }
}

function settle(work: Work, done: () => void): void {
  if (work.settled) {
    return
  }
  work.settled = true
  work.release()
  done()
}
