import type { Engine } from '../engine/engine.ts'
import { createOnnxEngine } from '../engine/onnx-engine.ts'
import { choiceFlag, intFlag, required } from './parse-flags.ts'

/** The flags every model-running command takes: `--model DIR --ep … --threads N`. */
export const ENGINE_FLAGS = {
  model: { type: 'string' },
  ep: { type: 'string' },
  threads: { type: 'string' },
} as const

/** Opens the engine the flags describe (CPU EP unless `--ep` says otherwise). */
export function openEngine(
  flags: { model?: string; ep?: string; threads?: string },
  loadUnderstanding: boolean
): Promise<Engine> {
  const modelDir = required(flags.model, 'model')
  const ep = choiceFlag(flags.ep, 'ep', ['cpu', 'cuda', 'webgpu', 'auto'] as const) ?? 'cpu'
  const threads = intFlag(flags.threads, 'threads', 1, 256)
  return createOnnxEngine({
    modelDir,
    ep,
    loadUnderstanding,
    ...(threads ? { intraOpThreads: threads } : {}),
  })
}
