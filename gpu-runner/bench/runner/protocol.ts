/** Settings the benchmark hands its runner child. */
export interface ServerOptions {
  engine: 'fake' | 'onnx'
  modelDir: string
  ep: 'cpu' | 'cuda' | 'webgpu' | 'auto'
  secret: string
  maxBatch: number
  maxQueue: number
  maxWaitMs: number
  /** RUNNER_MAX_DELAY_MS; null leaves it unset. */
  maxDelayMs: number | null
  /** RUNNER_ENGINES. */
  engines: number
  /** RUNNER_INTRA_OP_THREADS; null leaves it to ONNX Runtime. */
  intraOpThreads: number | null
  /** Fake engine: milliseconds per denoising step of a batch of n = fakeStepMs + n × fakeStepPerJobMs. */
  fakeStepMs: number
  fakeStepPerJobMs: number
}

/** Parent → child. `stats` answers with a {@link ServerMessage} and resets the lag histogram. */
export type ParentMessage = { type: 'stats'; gc: boolean } | { type: 'stop' }

/** Child → parent. */
export type ServerMessage =
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'stats'; lagP99Ms: number; lagMaxMs: number; rssBytes: number }
