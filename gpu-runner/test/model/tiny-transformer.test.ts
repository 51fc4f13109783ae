import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTinyModel } from '../../src/convert/make-tiny.ts'
import type { Manifest } from '../../src/model/manifest.ts'
import { int64Tensor, ModelSession, type TensorData, outputData } from '../../src/model/runtime.ts'

let root: string
let manifest: Manifest

/** A text-to-image sequence in Show-o's layout: pads, <t2i>, bos, prompt, eos, <soi>, image, <eoi>. */
function t2iSequence(m: Manifest, promptIds: number[], imageIds: number[]): number[] {
  const t = m.tokens
  const text = [t.t2i, t.bos, ...promptIds, t.eos]
  const pads = Array<number>(t.maxTextLength + 1 - text.length).fill(t.pad)
  return [...pads, ...text, t.soi, ...imageIds, t.eoi]
}

/** Image tokens, every third one masked, the rest random codes (deterministic). */
function imageTokens(m: Manifest, salt: number): number[] {
  return Array.from({ length: m.image.imageTokens }, (_, i) =>
    i % 3 === 0
      ? m.tokens.mask
      : m.tokens.imageOffset + ((i * 7919 + salt * 104729) % m.tokens.codebookSize)
  )
}

async function imageLogitsViaCache(
  dir: string,
  m: Manifest,
  seqs: number[][]
): Promise<Float32Array> {
  const textBlock = m.tokens.maxTextLength + 1
  const prefill = await ModelSession.create(join(dir, m.graphs.prefill), { ep: 'cpu' })
  const denoise = await ModelSession.create(join(dir, m.graphs.denoise), { ep: 'cpu' })
  const cache = await prefill.run({
    input_ids: int64Tensor(
      seqs.flatMap((s) => s.slice(0, textBlock)),
      [seqs.length, textBlock]
    ),
  })
  const feeds: Record<string, TensorData> = {
    input_ids: int64Tensor(seqs.flat(), [seqs.length, seqs[0]?.length ?? 0]),
  }
  for (let l = 0; l < m.transformer.numLayers; l++) {
    feeds[`past_key.${l}`] = cache[`present_key.${l}`] as TensorData
    feeds[`past_value.${l}`] = cache[`present_value.${l}`] as TensorData
  }
  const out = await denoise.run({ ...feeds, top_k: int64Tensor([1], [1]) })
  await Promise.all([prefill.release(), denoise.release()])
  return outputData(out, 'image_logits', 'float32')
}

function argmaxRows(data: Float32Array, width: number): number[] {
  const out: number[] = []
  for (let r = 0; r < data.length / width; r++) {
    let best = 0
    for (let i = 1; i < width; i++) {
      if ((data[r * width + i] ?? 0) > (data[r * width + best] ?? 0)) {
        best = i
      }
    }
    out.push(best)
  }
  return out
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'showo-tiny-'))
  manifest = await makeTinyModel({ outDir: join(root, 'fp32'), seed: 3, dtype: 'fp32' })
  await makeTinyModel({ outDir: join(root, 'fp16'), seed: 3, dtype: 'fp16' })
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('tiny model graphs', () => {
  it('give the same image-row logits through prefill + denoise as the full graph does', async () => {
    const m = manifest
    const seqs = [
      t2iSequence(m, [5, 6, 7, 8], imageTokens(m, 1)),
      t2iSequence(m, [9], imageTokens(m, 2)),
    ]
    const viaCache = await imageLogitsViaCache(join(root, 'fp32'), m, seqs)
    const full = await ModelSession.create(join(root, 'fp32', m.graphs.full), { ep: 'cpu' })
    const logits = outputData(
      await full.run({ input_ids: int64Tensor(seqs.flat(), [2, seqs[0]?.length ?? 0]) }),
      'logits',
      'float32'
    )
    await full.release()
    const L = seqs[0]?.length ?? 0
    const N = m.image.imageTokens
    const V = m.transformer.vocabSize
    const C = m.tokens.codebookSize
    let maxDiff = 0
    let maxMagnitude = 0
    for (let b = 0; b < 2; b++) {
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const want = logits[(b * L + L - N - 1 + n) * V + m.tokens.imageOffset + c] ?? 0
          maxDiff = Math.max(maxDiff, Math.abs((viaCache[(b * N + n) * C + c] ?? 0) - want))
          maxMagnitude = Math.max(maxMagnitude, Math.abs(want))
        }
      }
    }
    expect(maxMagnitude).toBeGreaterThan(1)
    expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxMagnitude)
  })

  it('in fp16 agree with fp32 on the argmax of at least 99% of image rows', async () => {
    const m = manifest
    const seqs = [1, 2, 3, 4].map((salt) =>
      t2iSequence(m, [salt, salt + 10, salt + 20], imageTokens(m, salt))
    )
    const fp32 = argmaxRows(
      await imageLogitsViaCache(join(root, 'fp32'), m, seqs),
      m.tokens.codebookSize
    )
    const fp16 = argmaxRows(
      await imageLogitsViaCache(join(root, 'fp16'), m, seqs),
      m.tokens.codebookSize
    )
    const agree = fp32.filter((v, i) => v === fp16[i]).length / fp32.length
    expect(fp32).toHaveLength(4 * m.image.imageTokens)
    expect(agree).toBeGreaterThanOrEqual(0.99)
  })
})
