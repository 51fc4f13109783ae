import type { Engine } from '../engine/engine.ts'

/**
 * Runs one 1-step image per resolution the model serves, so that the first real request does
 * not pay for lazy allocations and kernel selection (cuDNN autotuning, WebGPU pipeline builds).
 * Throws when the engine cannot produce an image: such a runner must never report ready.
 */
export async function warmUp(engine: Engine, signal: AbortSignal): Promise<void> {
  const { defaults, resolutions } = engine.info
  for (const resolution of resolutions) {
    const params = { ...defaults, prompt: 'warm-up', seed: 0, steps: 1, resolution }
    const [result] = await engine.generate([{ params, signal }])
    if (!result?.ok) {
      throw new Error(
        `warm-up at ${resolution} px failed: ${result?.error.message ?? 'no result'}`,
        {
          cause: result?.error,
        }
      )
    }
  }
}
