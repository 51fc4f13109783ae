import type { ErrorCode } from '@showo/contract'
import type { EpChoice } from '../model/runtime.ts'
import type { GenerateOutcome, GenerateParams, ModelInfo, UnderstandOutcome } from './engine.ts'

/** Settings the engine worker starts with. */
export interface WorkerInit {
  modelDir: string
  ep: EpChoice
  intraOpThreads?: number
  /** GPU ordinal on the CUDA EP (engine i of a pool uses GPU i). */
  deviceId?: number
  /** Load the understanding graphs at start too (a runner serves both tasks). */
  loadUnderstanding: boolean
}

/** An error crossing the thread boundary. */
export interface WireError {
  name: string
  message: string
  code?: ErrorCode
  detail?: string
}

/** Main thread → worker. */
export type ToWorker =
  | { type: 'generate'; id: number; jobs: { jobId: number; params: GenerateParams }[] }
  | {
      type: 'understand'
      id: number
      jobId: number
      image: Uint8Array
      question: string
      maxNewTokens: number
    }
  | { type: 'cancel'; jobId: number; reason: string }
  | { type: 'close' }

/** Worker → main thread. */
export type FromWorker =
  | { type: 'ready'; info: Omit<ModelInfo, 'batchIndependent'> }
  | { type: 'init-error'; error: WireError }
  | {
      type: 'generate-result'
      id: number
      results: ({ ok: true; value: GenerateOutcome } | { ok: false; error: WireError })[]
    }
  | {
      type: 'understand-result'
      id: number
      result: { ok: true; value: UnderstandOutcome } | { ok: false; error: WireError }
    }
