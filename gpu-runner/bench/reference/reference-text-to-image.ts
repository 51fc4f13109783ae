// The reference algorithm (S2 `denoise`, spec §3.4) on our graphs, for benchmarks: every step runs the
// `full` graph over the whole sequence and takes full-vocabulary logits, as the PyTorch code does.
// It shares the sampling functions with the engine, so the two differ only in what they recompute.
import { encodePng } from '../../src/image/encode-png.ts'
import { int64Tensor, outputData } from '../../src/model/runtime.ts'
import type { ShowoModel } from '../../src/model/showo-model.ts'
import { denoiseStep, initialState, MASKED } from '../../src/sampling/denoise-step.ts'
import { Rng } from '../../src/sampling/rng.ts'
import { candidatesFromLogits } from '../../src/sampling/top-k.ts'

/** Draws one image the reference way; returns the PNG. */
export async function referenceTextToImage(
  model: ShowoModel,
  prompt: string,
  seed: number,
  steps: number,
  topK: number
): Promise<Uint8Array> {
  const m = model.manifest
  const t = m.tokens
  const n = m.image.imageTokens
  const V = m.transformer.vocabSize
  const C = t.codebookSize
  const block = model.tokenizer.textToImageBlock(prompt)
  const full = await model.session('full')
  let state = initialState(n)
  let sampled: Int32Array = new Int32Array(n)
  const rng = new Rng(seed)
  for (let step = 1; step <= steps; step++) {
    const ids = [
      ...block,
      t.soi,
      ...Array.from(state.codes, (c) => (c === MASKED ? t.mask : c + t.imageOffset)),
      t.eoi,
    ]
    const out = await full.run({ input_ids: int64Tensor(ids, [1, ids.length]) }, ['logits'])
    const logits = outputData(out, 'logits', 'float32')
    const firstImageRow = ids.length - n - 1
    const rows = (i: number) => {
      const start = (firstImageRow + i) * V + t.imageOffset
      return candidatesFromLogits(logits.subarray(start, start + C), topK)
    }
    const result = denoiseStep(rows, state, step, { steps }, rng)
    state = result.state
    sampled = result.sampled
  }
  const side = Math.sqrt(n)
  const vq = await model.session('vqDecoder')
  const codes = Array.from(sampled, (c) => Math.min(C - 1, Math.max(0, c)))
  const pixels = outputData(
    await vq.run({ codes: int64Tensor(codes, [1, side, side]) }, ['pixels']),
    'pixels',
    'float32'
  )
  return encodePng(pixels, m.image.resolution, m.image.resolution)
}

/** The reference understanding loop (S1 `mmu_generate`): no cache, the whole sequence every token. */
export async function referenceGreedy(
  model: ShowoModel,
  prompt: readonly number[],
  tokens: number
): Promise<number[]> {
  const V = model.manifest.transformer.vocabSize
  const full = await model.session('full')
  const seq = [...prompt]
  const out: number[] = []
  for (let k = 0; k < tokens; k++) {
    const logits = outputData(
      await full.run({ input_ids: int64Tensor(seq, [1, seq.length]) }, ['logits']),
      'logits',
      'float32'
    )
    let best = 0
    for (let i = 1; i < V; i++) {
      if ((logits[(seq.length - 1) * V + i] ?? 0) > (logits[(seq.length - 1) * V + best] ?? 0)) {
        best = i
      }
    }
    out.push(best)
    seq.push(best)
  }
  return out
}
