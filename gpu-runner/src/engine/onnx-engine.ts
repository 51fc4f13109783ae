import { Worker } from 'node:worker_threads'
import {
  GenerationCancelledError,
  GenerationFailedError,
  InvalidRequestError,
  RunnerError,
} from '../errors.ts'
import { ModelFolderError } from '../model/manifest.ts'
import { type EpChoice, RuntimeError } from '../model/runtime.ts'
import type {
  Engine,
  GenerateJob,
  GenerateOutcome,
  ModelInfo,
  Settled,
  UnderstandJob,
  UnderstandOutcome,
} from './engine.ts'
import type { FromWorker, ToWorker, WireError, WorkerInit } from './worker-protocol.ts'

/** Options of {@link createOnnxEngine}. */
export interface OnnxEngineOptions {
  modelDir: string
  ep: EpChoice
  intraOpThreads?: number
  /** GPU ordinal on the CUDA EP; other EPs ignore it. */
  deviceId?: number
  /** Load the understanding graphs at start (default true); otherwise on the first request. */
  loadUnderstanding?: boolean
}

type Pending =
  | {
      kind: 'generate'
      resolve: (r: Settled<GenerateOutcome>[]) => void
      reject: (e: Error) => void
    }
  | { kind: 'understand'; resolve: (r: UnderstandOutcome) => void; reject: (e: Error) => void }

/** Turns a worker error back into the typed error it was. */
function fromWire(error: WireError): Error {
  switch (error.name) {
    case 'GenerationCancelledError':
      return new GenerationCancelledError(error.message.replace(/^generation cancelled: /, ''))
    case 'InvalidRequestError':
      return new InvalidRequestError(error.message)
    case 'ModelFolderError':
      return new ModelFolderError(error.message)
    case 'RuntimeError':
      return new RuntimeError(error.message)
    default:
      if (error.code) {
        return new RunnerError(error.code, error.message, error.detail)
      }
      return new GenerationFailedError(`${error.name}: ${error.message}`)
  }
}

/**
 * The ONNX Runtime engine. Sessions live in a worker thread that runs whole requests; this object
 * forwards jobs and cancellations, so the caller's event loop never waits on a model run. Resolves
 * once the graphs are loaded; a model folder or EP that cannot load rejects with its one-line error.
 */
export async function createOnnxEngine(options: OnnxEngineOptions): Promise<Engine> {
  const init: WorkerInit = {
    modelDir: options.modelDir,
    ep: options.ep,
    loadUnderstanding: options.loadUnderstanding ?? true,
    ...(options.intraOpThreads ? { intraOpThreads: options.intraOpThreads } : {}),
    ...(options.deviceId === undefined ? {} : { deviceId: options.deviceId }),
  }
  const worker = new Worker(new URL('./engine-worker.mjs', import.meta.url), { workerData: init })
  const pending = new Map<number, Pending>()
  let nextId = 1
  let failure: Error | undefined

  const info = await new Promise<ModelInfo>((resolve, reject) => {
    const onMessage = (message: FromWorker): void => {
      if (message.type === 'ready') {
        worker.off('message', onMessage)
        // Only the CPU EP is known to give the same bytes for a request alone and in a batch.
        resolve({ ...message.info, batchIndependent: message.info.ep === 'cpu' })
      } else if (message.type === 'init-error') {
        worker.off('message', onMessage)
        // Let the worker finish on its own: terminating a thread inside ONNX Runtime can abort the
        // process. It has nothing left to do, so it exits at once.
        const error = fromWire(message.error)
        worker.once('exit', () => {
          reject(error)
        })
      }
    }
    worker.on('message', onMessage)
    worker.once('error', reject)
  })

  const fail = (error: Error): void => {
    failure = error
    for (const p of pending.values()) {
      p.reject(error)
    }
    pending.clear()
  }
  worker.on('error', (error) => {
    fail(new GenerationFailedError(`engine worker crashed: ${error.message}`, error))
  })
  worker.on('exit', (code) => {
    fail(new GenerationFailedError(`engine worker exited (${code})`))
  })
  worker.on('message', (message: FromWorker) => {
    if (message.type !== 'generate-result' && message.type !== 'understand-result') {
      return
    }
    const p = pending.get(message.id)
    pending.delete(message.id)
    if (p?.kind === 'generate' && message.type === 'generate-result') {
      p.resolve(message.results.map((r) => (r.ok ? r : { ok: false, error: fromWire(r.error) })))
    } else if (p?.kind === 'understand' && message.type === 'understand-result') {
      if (message.result.ok) {
        p.resolve(message.result.value)
      } else {
        p.reject(fromWire(message.result.error))
      }
    }
  })

  const post = (message: ToWorker, transfer: ArrayBuffer[] = []): void => {
    worker.postMessage(message, transfer)
  }
  /** Forwards an abort to the worker; returns a function that detaches the listener. */
  const watch = (jobId: number, signal: AbortSignal): (() => void) => {
    const onAbort = (): void => {
      post({ type: 'cancel', jobId, reason: abortReason(signal) })
    }
    signal.addEventListener('abort', onAbort, { once: true })
    return () => {
      signal.removeEventListener('abort', onAbort)
    }
  }

  return {
    info,
    generate: async (jobs: readonly GenerateJob[]) => {
      if (failure) {
        throw failure
      }
      const results: Settled<GenerateOutcome>[] = jobs.map((job) =>
        job.signal.aborted
          ? { ok: false, error: new GenerationCancelledError(abortReason(job.signal)) }
          : { ok: false, error: new Error('pending') }
      )
      const runnable = jobs
        .map((job, i) => ({ job, i, jobId: nextId++ }))
        .filter(({ job }) => !job.signal.aborted)
      if (runnable.length === 0) {
        return results
      }
      const id = nextId++
      const detach = runnable.map(({ job, jobId }) => watch(jobId, job.signal))
      try {
        const settled = await new Promise<Settled<GenerateOutcome>[]>((resolve, reject) => {
          pending.set(id, { kind: 'generate', resolve, reject })
          post({
            type: 'generate',
            id,
            jobs: runnable.map(({ job, jobId }) => ({ jobId, params: job.params })),
          })
        })
        runnable.forEach(({ i }, k) => {
          results[i] = settled[k] ?? {
            ok: false,
            error: new GenerationFailedError('missing result'),
          }
        })
        return results
      } finally {
        for (const d of detach) {
          d()
        }
      }
    },
    understand: async (job: UnderstandJob) => {
      if (failure) {
        throw failure
      }
      if (job.signal.aborted) {
        throw new GenerationCancelledError(abortReason(job.signal))
      }
      const id = nextId++
      const jobId = nextId++
      const detach = watch(jobId, job.signal)
      try {
        return await new Promise<UnderstandOutcome>((resolve, reject) => {
          pending.set(id, { kind: 'understand', resolve, reject })
          const image = job.image.slice()
          post(
            {
              type: 'understand',
              id,
              jobId,
              image,
              question: job.question,
              maxNewTokens: job.maxNewTokens,
            },
            [image.buffer]
          )
        })
      } finally {
        detach()
      }
    },
    close: async () => {
      if (failure) {
        return
      }
      const exited = new Promise<void>((resolve) =>
        worker.once('exit', () => {
          resolve()
        })
      )
      post({ type: 'close' })
      await exited
    },
  }
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason
  if (reason instanceof Error) {
    return reason.name === 'TimeoutError' ? 'deadline passed' : reason.message
  }
  return typeof reason === 'string' ? reason : 'client went away'
}
