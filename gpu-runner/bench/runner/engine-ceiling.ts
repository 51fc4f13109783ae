import { createOnnxEngine, type OnnxEngineOptions } from '../../src/engine/onnx-engine.ts'
import type { Engine, GenerateJob } from '../../src/engine/engine.ts'

/** Images per second of the engines alone, without HTTP or a batcher in front. */
export interface EngineCeiling {
  /** One of the pool's engines, one image at a time (what concurrency 1 can reach). */
  oneEngine: number
  /** Every engine of the pool busy, one image at a time each (what any concurrency can reach). */
  pool: number
  engines: number
}

/**
 * Measures what the engines can do on this machine before the runner adds anything: the
 * ceiling for the throughput ratio between concurrency 16 and concurrency 1.
 */
export async function measureEngineCeiling(
  options: Omit<OnnxEngineOptions, 'loadUnderstanding'> & { engines: number; durationMs: number }
): Promise<EngineCeiling> {
  const { engines: count, durationMs, ...engineOptions } = options
  const engines = await Promise.all(
    Array.from({ length: count }, () =>
      createOnnxEngine({ ...engineOptions, loadUnderstanding: false })
    )
  )
  try {
    await imagesPerSecond(engines, durationMs / 4)
    const oneEngine = await imagesPerSecond(engines.slice(0, 1), durationMs)
    const pool = await imagesPerSecond(engines, durationMs)
    return { oneEngine, pool, engines: count }
  } finally {
    await Promise.all(engines.map((engine) => engine.close()))
  }
}

async function imagesPerSecond(engines: Engine[], durationMs: number): Promise<number> {
  const signal = new AbortController().signal
  const start = performance.now()
  let images = 0
  await Promise.all(
    engines.map(async (engine) => {
      while (performance.now() - start < durationMs) {
        const { defaults } = engine.info
        const job: GenerateJob = {
          params: { ...defaults, prompt: `a bench prompt number ${images % 8}`, seed: images },
          signal,
        }
        images += 1
        const [result] = await engine.generate([job])
        if (!result?.ok) {
          throw result?.error ?? new Error('the engine returned no result')
        }
      }
    })
  )
  return images / ((performance.now() - start) / 1000)
}
