// bench:engine — seconds per 256 px 4-step image and understanding tokens/s, this engine against the
// reference algorithm on the same graphs, weights and EP (and, when PyTorch is installed, against the
// reference Python loop on the same weights). A benchmark: it prints figures and asserts nothing.
//
//   npm run bench:engine -- [--preset full|small|tiny] [--ep cpu|webgpu|cuda] [--dtype fp32|fp16]
//                           [--tokens 64] [--reference-tokens N] [--images 1] [--python PATH]
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { TextToImage } from '../src/engine/text-to-image.ts'
import { Understanding } from '../src/engine/understanding.ts'
import type { EpChoice } from '../src/model/runtime.ts'
import { ShowoModel } from '../src/model/showo-model.ts'
import { benchModel } from './bench-model.ts'
import { describeMachine } from './machine.ts'
import type { EngineResult } from './results.ts'
import { referenceGreedy, referenceTextToImage } from './reference/reference-text-to-image.ts'
import { writeResult } from './write-result.ts'

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'full' },
    ep: { type: 'string', default: 'cpu' },
    dtype: { type: 'string' },
    tokens: { type: 'string', default: '64' },
    'reference-tokens': { type: 'string' },
    images: { type: 'string', default: '1' },
    batch: { type: 'string', default: '1' },
    python: { type: 'string' },
    threads: { type: 'string' },
    gpu: { type: 'string' },
    out: { type: 'string' },
  },
})
const preset = args.preset as 'full' | 'small' | 'tiny'
const ep = args.ep as EpChoice
const dtype = (args.dtype ?? (ep === 'cpu' ? 'fp32' : 'fp16')) as 'fp32' | 'fp16'
const tokens = Number(args.tokens)
const referenceTokens = Number(args['reference-tokens'] ?? tokens)
const images = Number(args.images)
const batch = Number(args.batch)
const prompt = 'a watercolor painting of a lighthouse on a rocky coast at sunset'
const log = (line: string): void => {
  console.error(line)
}

const { dir, sources } = await benchModel(preset, dtype)
const model = ShowoModel.open(dir, {
  ep,
  ...(args.threads ? { intraOpThreads: Number(args.threads) } : {}),
})
const m = model.manifest
const params = {
  prompt,
  seed: 1,
  steps: 4,
  topK: m.defaults.topK,
  guidanceScale: 0,
  resolution: 256 as const,
}
const seconds = (t0: number): number => (performance.now() - t0) / 1000

// --- text to image: engine (prefix cache + sliced head + in-graph top-k) -----------------------------
log(`${preset} ${dtype} on ${ep}: loading the engine graphs…`)
const t2i = new TextToImage(model)
await t2i.load()
await t2i.run([{ params: { ...params, steps: 1 }, cancelled: () => undefined }]) // warm-up
let t0 = performance.now()
for (let i = 0; i < images; i++) {
  const [r] = await t2i.run([{ params: { ...params, seed: i + 1 }, cancelled: () => undefined }])
  if (!r?.ok) {
    throw r?.error ?? new Error('no result')
  }
}
const engineImageS = seconds(t0) / images
log(`engine: ${engineImageS.toFixed(2)} s per image`)
// Throughput at a larger batch: requests of one shape share every graph run.
let engineBatchImageS: number | undefined
if (batch > 1) {
  const jobs = Array.from({ length: batch }, (_, i) => ({
    params: { ...params, seed: 100 + i },
    cancelled: () => undefined,
  }))
  await t2i.run(jobs)
  t0 = performance.now()
  await t2i.run(jobs)
  engineBatchImageS = seconds(t0) / batch
  log(`engine at batch ${batch}: ${engineBatchImageS.toFixed(3)} s per image`)
}
await model.release('prefill')
await model.release('denoise')

// --- text to image: the reference algorithm (full graph every step, full-vocabulary head) ------------
log('loading the reference graph…')
await model.session('full')
await referenceTextToImage(model, prompt, 1, 1, params.topK) // warm-up
t0 = performance.now()
for (let i = 0; i < images; i++) {
  await referenceTextToImage(model, prompt, i + 1, params.steps, params.topK)
}
const referenceImageS = seconds(t0) / images
log(`reference: ${referenceImageS.toFixed(2)} s per image`)

// --- understanding: no-cache greedy (reference) ------------------------------------------------------
const codes = Array.from(
  { length: m.image.imageTokens },
  (_, i) => (i * 2654435761) % m.tokens.codebookSize
)
const question = model.tokenizer.understandingPrompt(codes, 'Describe the picture in detail.')
t0 = performance.now()
await referenceGreedy(model, question, referenceTokens)
const referenceTokensPerS = referenceTokens / seconds(t0)
log(
  `reference greedy (no cache): ${referenceTokensPerS.toFixed(2)} tokens/s over ${referenceTokens} tokens`
)
await model.release('full')

// --- understanding: Jacobi + KV cache, and greedy + KV cache for context ------------------------------
// The engine's own decoding path; ignoring eos makes every method produce exactly `tokens` tokens.
const understanding = new Understanding(model)
await understanding.decodeIds(question, 4, { ignoreEos: true }) // warm-up
t0 = performance.now()
const jacobi = await understanding.decodeIds(question, tokens, { ignoreEos: true })
const jacobiTokensPerS = tokens / seconds(t0)
log(
  `Jacobi + KV cache: ${jacobiTokensPerS.toFixed(2)} tokens/s (${jacobi.passes} passes for ${tokens} tokens)`
)
t0 = performance.now()
const greedy = await understanding.decodeIds(question, tokens, {
  method: 'greedy',
  ignoreEos: true,
})
const greedyTokensPerS = tokens / seconds(t0)
log(`greedy + KV cache: ${greedyTokensPerS.toFixed(2)} tokens/s`)
const identical =
  greedy.tokens.length === jacobi.tokens.length &&
  greedy.tokens.every((t, i) => t === jacobi.tokens[i])
await model.close()

// --- optional: the Python reference on the same weights ---------------------------------------------
let python: EngineResult['python'] = null
if (args.python) {
  log(`running the PyTorch reference with ${args.python}…`)
  const script = resolve(import.meta.dirname, 'python/reference_showo.py')
  const out = execFileSync(
    args.python,
    [
      script,
      '--showo',
      sources.showoDir,
      '--tokens',
      String(referenceTokens),
      '--steps',
      String(params.steps),
      '--top-k',
      String(params.topK),
      '--threads',
      args.threads ?? '0',
      '--question-length',
      String(question.length),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }
  )
  python = JSON.parse(out.trim().split('\n').pop() ?? 'null') as EngineResult['python']
}

const result: EngineResult = {
  benchmark: 'engine',
  preset,
  dtype,
  ep,
  textToImage: {
    resolution: 256,
    steps: params.steps,
    topK: params.topK,
    engineSecondsPerImage: engineImageS,
    referenceSecondsPerImage: referenceImageS,
    speedup: referenceImageS / engineImageS,
    target: 1.35,
    ...(engineBatchImageS ? { batch, engineSecondsPerImageAtBatch: engineBatchImageS } : {}),
  },
  understanding: {
    tokens,
    promptTokens: question.length,
    jacobiTokensPerSecond: jacobiTokensPerS,
    jacobiPasses: jacobi.passes,
    greedyKvTokensPerSecond: greedyTokensPerS,
    referenceTokensPerSecond: referenceTokensPerS,
    referenceTokensMeasured: referenceTokens,
    speedup: jacobiTokensPerS / referenceTokensPerS,
    target: 5,
    jacobiEqualsGreedy: identical,
  },
  python,
  ...(args.gpu ? { gpu: args.gpu } : {}),
  machine: describeMachine(),
}
console.log(JSON.stringify(result, null, 2))
log(`results in ${writeResult(args.out ?? `engine-${preset}-${ep}`, result)}`)
