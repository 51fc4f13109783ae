import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { convertModel } from '../src/convert/convert-model.ts'
import { PRESETS } from '../src/convert/presets.ts'
import { type RandomSources, writeRandomSources } from '../src/convert/random-sources.ts'
import { isCurrentModelFolder } from '../src/model/manifest.ts'
import type { WeightDtype } from '../src/onnx/tensor-type.ts'

/**
 * Where benchmarks keep their random models: `models/` at the repository root (ignored by git), or
 * `$SHOWO_BENCH_DIR/models` when a bundled benchmark runs away from the checkout (GPU machines).
 */
const ROOT = process.env.SHOWO_BENCH_DIR
  ? join(process.env.SHOWO_BENCH_DIR, 'models')
  : resolve(import.meta.dirname, '../../models')

/**
 * The random model of a preset for benchmarks, made on first use and kept: the model folder and the
 * safetensors sources it came from (the Python reference loads those).
 */
export async function benchModel(
  preset: keyof typeof PRESETS,
  dtype: WeightDtype
): Promise<{ dir: string; sources: RandomSources }> {
  const base = join(ROOT, `bench-${preset}`)
  const sourcesDir = join(base, 'sources')
  const sources: RandomSources = {
    showoDir: join(sourcesDir, 'show-o'),
    vqDir: join(sourcesDir, 'magvitv2'),
    tokenizerPath: join(sourcesDir, 'tokenizer.json'),
  }
  if (!existsSync(sources.tokenizerPath)) {
    mkdirSync(sourcesDir, { recursive: true })
    console.error(`writing random ${preset} checkpoints to ${sourcesDir}…`)
    writeRandomSources(sourcesDir, PRESETS[preset], 0)
  }
  const dir = join(base, dtype)
  if (!isCurrentModelFolder(dir)) {
    rmSync(dir, { recursive: true, force: true })
    console.error(`converting to ${dir}…`)
    await convertModel({ ...sources, outDir: dir, dtype, name: `bench-${preset}-${dtype}` })
  }
  return { dir, sources }
}
