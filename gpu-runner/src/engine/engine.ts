import type { Resolution } from '@showo/contract'

/** Generation parameters after the request was merged with the model's defaults. */
export interface GenerateParams {
  prompt: string
  seed: number
  steps: number
  /** Top-k over the codebook; the codebook size means "no filtering". */
  topK: number
  guidanceScale: number
  resolution: Resolution
}

/** One text-to-image request inside a batch. Its signal is checked between denoising steps. */
export interface GenerateJob {
  params: GenerateParams
  signal: AbortSignal
}

/** Milliseconds spent in each phase of one request. */
export interface GenerateTimings {
  prefillMs: number
  denoiseMs: number
  decodeMs: number
  encodeMs: number
  totalMs: number
}

/** A finished image. */
export interface GenerateOutcome {
  png: Uint8Array
  timings: GenerateTimings
}

/** Per-job result of a batch: one job failing or being cancelled does not fail the others. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error }

/** One image-understanding request. */
export interface UnderstandJob {
  /** Encoded PNG, JPEG or WebP bytes. */
  image: Uint8Array
  question: string
  maxNewTokens: number
  signal: AbortSignal
}

/** The answer to an understanding request. */
export interface UnderstandOutcome {
  text: string
  tokens: number
  timings: { encodeMs: number; decodeMs: number; totalMs: number }
}

/** What the runner needs to know about the loaded model. */
export interface ModelInfo {
  name: string
  /** sha256 of manifest.json: names the exact weights and graphs in receipts and cache keys. */
  sha: string
  ep: string
  resolutions: readonly Resolution[]
  defaults: { steps: number; topK: number; guidanceScale: number; resolution: Resolution }
  /** False where the EP cannot promise the same bytes for a request alone and inside a batch. */
  batchIndependent: boolean
}

/** The model behind the runner: the batcher calls it, tests replace it with a fake. */
export interface Engine {
  readonly info: ModelInfo
  /** Runs jobs of one {@link batchShape} together; returns one result per job, in order. */
  generate(jobs: readonly GenerateJob[]): Promise<Settled<GenerateOutcome>[]>
  understand(job: UnderstandJob): Promise<UnderstandOutcome>
  close(): Promise<void>
}

/** Jobs with the same shape can share one batch through the graphs. */
export function batchShape(params: GenerateParams): string {
  return `${params.resolution}px/${params.steps}steps/${params.guidanceScale > 0 ? 'cfg' : 'nocfg'}`
}
