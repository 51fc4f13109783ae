// bench:convert — converts the `full` preset (the real 1.45B Show-o shape, 5.8 GB of fp32 random
// weights) to an fp16 model folder and reports the time and the converter's peak RSS.
// Target (issue 2): peak RSS under 1.5 GB. A benchmark, not a test: it prints figures.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { PRESETS } from '../src/convert/presets.ts'
import { writeRandomSources } from '../src/convert/random-sources.ts'
import { describeMachine } from './machine.ts'
import type { ConvertResult } from './results.ts'
import { writeResult } from './write-result.ts'

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'full' },
    dtype: { type: 'string', default: 'fp16' },
    keep: { type: 'boolean', default: false },
  },
})
const preset = PRESETS[values.preset as keyof typeof PRESETS]
const work = mkdtempSync(join(tmpdir(), 'showo-bench-convert-'))
try {
  let t = performance.now()
  const sources = writeRandomSources(join(work, 'sources'), preset, 0)
  const sourceSeconds = (performance.now() - t) / 1000
  const checkpointBytes =
    statSync(join(sources.showoDir, 'pytorch_model.safetensors')).size +
    statSync(join(sources.vqDir, 'pytorch_model.safetensors')).size
  console.error(
    `wrote ${(checkpointBytes / 1e9).toFixed(2)} GB of ${preset.name} checkpoints in ${sourceSeconds.toFixed(0)} s; converting…`
  )
  t = performance.now()
  const child = resolve(import.meta.dirname, 'convert-child.ts')
  const out = join(work, 'model')
  const stdout = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      child,
      sources.showoDir,
      sources.vqDir,
      sources.tokenizerPath,
      out,
      values.dtype,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const child_ = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
    seconds: number
    peakRssBytes: number
  }
  const result: ConvertResult = {
    benchmark: 'convert',
    preset: preset.name,
    dtype: values.dtype,
    checkpointGB: checkpointBytes / 1e9,
    seconds: child_.seconds,
    peakRssGB: child_.peakRssBytes / 1e9,
    targetPeakRssGB: 1.5,
    machine: describeMachine(),
  }
  console.log(JSON.stringify(result, null, 2))
  console.error(`results in ${writeResult(`convert-${preset.name}`, result)}`)
} finally {
  if (!values.keep) {
    rmSync(work, { recursive: true, force: true })
  }
}
