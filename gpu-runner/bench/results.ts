// Shapes of the benchmark result files: written by the bench scripts, read by BENCHMARKS.md's renderer.

/** The machine a benchmark ran on. */
export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  date: string
}

/** What bench:convert writes to bench-results/convert-<preset>.json. */
export interface ConvertResult {
  benchmark: 'convert'
  preset: string
  dtype: string
  checkpointGB: number
  seconds: number
  peakRssGB: number
  targetPeakRssGB: number
  machine: Machine
}

/** What bench:engine writes to bench-results/engine-<preset>-<ep>.json. */
export interface EngineResult {
  benchmark: 'engine'
  preset: string
  dtype: string
  ep: string
  textToImage: {
    resolution: number
    steps: number
    topK: number
    engineSecondsPerImage: number
    referenceSecondsPerImage: number
    speedup: number
    target: number
    batch?: number
    engineSecondsPerImageAtBatch?: number
  }
  understanding: {
    tokens: number
    promptTokens: number
    jacobiTokensPerSecond: number
    jacobiPasses: number
    greedyKvTokensPerSecond: number
    referenceTokensPerSecond: number
    /** The reference loop may be timed over fewer tokens (`--reference-tokens`). */
    referenceTokensMeasured: number
    speedup: number
    target: number
    jacobiEqualsGreedy: boolean
  }
  python?: {
    framework: string
    threads: number
    textToImageSecondsPerImage: number
    referenceTokensPerSecond: number
    textToImageIncludes: string
    tokens: number
  } | null
  gpu?: string
  machine: Machine
}
