import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Manifest } from '../model/manifest.ts'
import type { WeightDtype } from '../onnx/tensor-type.ts'
import { type ConvertProgress, convertModel } from './convert-model.ts'
import { PRESETS, type Preset } from './presets.ts'
import { writeRandomSources } from './random-sources.ts'

/** Options of `showo make-tiny`. */
export interface MakeTinyOptions {
  outDir: string
  preset?: Preset['name']
  seed?: number
  dtype?: WeightDtype
  /** Folder for the random checkpoints (kept); default: a temporary folder removed afterwards. */
  sourcesDir?: string
  progress?: ConvertProgress
}

/**
 * Makes a randomly initialised model of Show-o's architecture and real token layout at a preset
 * size, and sends it through the same converter as the published weights.
 */
export async function makeTinyModel(options: MakeTinyOptions): Promise<Manifest> {
  const preset = PRESETS[options.preset ?? 'tiny']
  const sourcesDir =
    options.sourcesDir ?? mkdtempSync(join(tmpdir(), `showo-${preset.name}-sources-`))
  options.progress?.phase('random checkpoint', 0)
  try {
    const sources = writeRandomSources(sourcesDir, preset, options.seed ?? 0)
    return await convertModel({
      ...sources,
      outDir: options.outDir,
      dtype: options.dtype ?? (preset.name === 'full' ? 'fp16' : 'fp32'),
      family: 'show-o-turbo',
      name: `random-${preset.name}`,
      ...(options.progress ? { progress: options.progress } : {}),
    })
  } finally {
    if (!options.sourcesDir) {
      rmSync(sourcesDir, { recursive: true, force: true })
    }
  }
}
