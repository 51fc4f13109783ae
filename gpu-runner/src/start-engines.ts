import { warmUp } from './batcher/warm-up.ts'
import type { Engine } from './engine/engine.ts'
import type { EngineFactory, EngineOptions } from './main.ts'

/** What {@link startEngines} needs. */
export interface EnginePoolOptions {
  count: number
  factory: EngineFactory
  engine: Omit<EngineOptions, 'deviceId'>
  /** sha256 of the manifest the runner checked; every engine must report it. */
  manifestSha: string
  signal: AbortSignal
}

/**
 * Loads and warms `count` engines (engine i gets `deviceId` i: its GPU on CUDA). All or nothing:
 * if one fails to load or warm, the others are closed and the first error is thrown.
 */
export async function startEngines(options: EnginePoolOptions): Promise<Engine[]> {
  const { count, factory, manifestSha, signal } = options
  const started = await Promise.allSettled(
    Array.from({ length: count }, async (_, deviceId) => {
      const engine = await factory({ ...options.engine, deviceId })
      try {
        if (engine.info.sha !== manifestSha) {
          throw new Error(
            `the engine reports model sha ${engine.info.sha}, but ${options.engine.modelDir}/manifest.json hashes to ${manifestSha}`
          )
        }
        await warmUp(engine, signal)
        signal.throwIfAborted()
        return engine
      } catch (error) {
        await engine.close()
        throw error
      }
    })
  )
  const engines = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = started.find((s) => s.status === 'rejected')
  if (failed) {
    await Promise.all(engines.map((engine) => engine.close()))
    throw failed.reason
  }
  return engines
}
