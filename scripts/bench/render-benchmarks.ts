import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConvertResult, EngineResult, Machine } from '../../gpu-runner/bench/results.ts'
import { formatReport, type BenchReport } from '../../gpu-runner/bench/runner/report.ts'

// Results are files this repository's benchmarks wrote, in the shapes of gpu-runner/bench/results.ts.
const readJson = (path: string): unknown =>
  existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined
const machineLine = (m: Machine, gpu?: string): string =>
  `${m.date} · ${gpu ? `${gpu}, ` : ''}${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}`
const met = (ok: boolean): string => (ok ? 'met' : '**not met**')

function convertSection(r: ConvertResult): string {
  return [
    '## Model conversion (`npm run bench:convert`)',
    '',
    machineLine(r.machine),
    '',
    `The \`${r.preset}\` preset (the real 1.45B Show-o shape, ${r.checkpointGB.toFixed(2)} GB of fp32 safetensors with random weights) converted to ${r.dtype}:`,
    '',
    '| seconds | peak RSS | target |',
    '| ---: | ---: | --- |',
    `| ${r.seconds.toFixed(0)} | ${r.peakRssGB.toFixed(2)} GB | < ${r.targetPeakRssGB} GB: ${met(r.peakRssGB < r.targetPeakRssGB)} |`,
  ].join('\n')
}

function engineSection(r: EngineResult): string {
  const t = r.textToImage
  const u = r.understanding
  const lines = [
    `### ${r.preset} preset, ${r.dtype}, ${r.ep.toUpperCase()} EP`,
    '',
    machineLine(r.machine, r.gpu),
    '',
    `| text to image, 256 px, ${t.steps} steps, top-k ${t.topK} | seconds per image |`,
    '| --- | ---: |',
    `| this engine (prefill once, denoise image rows, sliced head, in-graph top-k) | ${t.engineSecondsPerImage.toFixed(3)} |`,
    ...(t.engineSecondsPerImageAtBatch
      ? [
          `| this engine, batch ${t.batch} (per image) | ${t.engineSecondsPerImageAtBatch.toFixed(3)} |`,
        ]
      : []),
    `| reference algorithm on the same graphs (\`full\` every step, full-vocabulary head) | ${t.referenceSecondsPerImage.toFixed(3)} |`,
    ...(r.python
      ? [
          `| PyTorch reference loop, ${r.python.framework}, ${r.python.threads} threads (no VQ decode) | ${r.python.textToImageSecondsPerImage.toFixed(3)} |`,
        ]
      : []),
    '',
    `Speedup over the reference algorithm: **${t.speedup.toFixed(2)}×** (target ≥ ${t.target}×: ${met(t.speedup >= t.target)}).`,
    '',
    `| understanding, ${u.tokens}-token answer after a ${u.promptTokens}-token prompt | tokens/s |`,
    '| --- | ---: |',
    `| Jacobi windows of 16 + KV cache (${u.jacobiPasses} passes) | ${u.jacobiTokensPerSecond.toFixed(2)} |`,
    `| greedy + KV cache (one token per pass) | ${u.greedyKvTokensPerSecond.toFixed(2)} |`,
    `| reference no-cache greedy loop (\`full\` every token) | ${u.referenceTokensPerSecond.toFixed(2)} |`,
    ...(r.python
      ? [`| PyTorch no-cache greedy loop | ${r.python.referenceTokensPerSecond.toFixed(2)} |`]
      : []),
    '',
    `Jacobi + KV cache over the reference loop: **${u.speedup.toFixed(2)}×** (target ≥ ${u.target}×: ${met(u.speedup >= u.target)}); Jacobi tokens equal greedy tokens in this run: ${u.jacobiEqualsGreedy ? 'yes' : 'no'}.`,
  ]
  return lines.join('\n')
}

function latest(dir: string, prefix: string): string | undefined {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
        .sort()
    : []
  const last = files[files.length - 1]
  return last ? join(dir, last) : undefined
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`, or appends the section. */
export function replaceSection(document: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const block = `${start}\n\n${body.trim()}\n\n${end}`
  const i = document.indexOf(start)
  const j = document.indexOf(end)
  if (i >= 0 && j > i) {
    return document.slice(0, i) + block + document.slice(j + end.length)
  }
  return `${document.trimEnd()}\n\n${block}\n`
}

/** Rewrites the generated sections of BENCHMARKS.md from `bench-results/*.json`. */
export function renderBenchmarks(repo: string): void {
  const results = join(repo, 'bench-results')
  const path = join(repo, 'BENCHMARKS.md')
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n'
  const convert = readJson(join(results, 'convert-full.json')) as ConvertResult | undefined
  if (convert) {
    doc = replaceSection(doc, 'model-convert-bench', convertSection(convert))
  }
  const engines = ['engine-full-cpu.json', 'engine-full-webgpu.json']
    .map((f) => readJson(join(results, f)) as EngineResult | undefined)
    .filter((r): r is EngineResult => r !== undefined)
  if (engines.length > 0) {
    const intro = [
      '## Inference engine (`npm run bench:engine`)',
      '',
      'Random weights of the real shape (`showo make-tiny --preset full`). The reference algorithm runs',
      'on the same graphs, weights, EP and sampling code, so the ratio isolates what the engine skips.',
    ].join('\n')
    doc = replaceSection(
      doc,
      'model-engine-bench',
      [intro, ...engines.map(engineSection)].join('\n\n')
    )
  }
  const runner = latest(results, 'runner-onnx-')
  const report = runner ? (readJson(runner) as BenchReport | undefined) : undefined
  if (report) {
    doc = replaceSection(doc, 'runner-service-bench', formatReport(report))
  }
  writeFileSync(path, doc)
}
