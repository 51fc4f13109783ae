import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Checkpoint } from '../../src/checkpoint/checkpoint.ts'
import { buildOmniMask, type MaskTokens } from '../../src/convert/omni-mask.ts'
import {
  checkTensors,
  expectedPhiTensors,
  findPhiPrefix,
  inferPhiConfig,
  type PhiConfig,
} from '../../src/convert/phi-config.ts'
import { writeTransformer } from '../../src/convert/write-transformer.ts'
import { type DecodeRunner, greedyDecode, jacobiDecode } from '../../src/engine/jacobi.ts'
import { cacheFromPresents } from '../../src/model/showo-model.ts'
import { GraphBuilder, int } from '../../src/onnx/graph-builder.ts'
import { Rng } from '../../src/sampling/rng.ts'
import { int64Tensor, ModelSession, type TensorData, outputData } from '../../src/model/runtime.ts'
import { compareArrays, flat, shapeOf, tolerance } from './golden-compare.ts'
import { goldenDir } from './golden-dir.ts'

interface PhiGolden {
  config: Record<string, unknown> & {
    rope_parameters?: { rope_theta?: number; partial_rotary_factor?: number }
  }
  tokens: {
    pad: number
    soi: number
    eoi: number
    t2i: number
    mmu: number
    bos: number
    mask: number
  }
  t2i: { input_ids: number[][]; allowed: number[][][]; logits: number[][][] }
  mmu: {
    input_ids: number[][]
    allowed: number[][][]
    logits: number[][][]
    greedy_next8: number[]
  }
}

const dir = goldenDir()
const golden = JSON.parse(readFileSync(join(dir, 'tiny_phi_golden.json'), 'utf8')) as PhiGolden
let work: string
let config: PhiConfig
let full: ModelSession
let prefill: ModelSession
let decode: ModelSession
let denoise: ModelSession
const tokens: MaskTokens = {
  pad: golden.tokens.pad,
  soi: golden.tokens.soi,
  eoi: golden.tokens.eoi,
  mmu: golden.tokens.mmu,
}

const ids2d = (rows: number[][]): TensorData =>
  int64Tensor(rows.flat(), [rows.length, rows[0]?.length ?? 0])

function argmaxRow(data: Float32Array, row: number, width: number): number {
  let best = 0
  for (let i = 1; i < width; i++) {
    if ((data[row * width + i] ?? -Infinity) > (data[row * width + best] ?? -Infinity)) {
      best = i
    }
  }
  return best
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'showo-golden-phi-'))
  const ckpt = Checkpoint.open(join(dir, 'tiny_phi.safetensors'))
  const prefix = findPhiPrefix(ckpt)
  const rope = golden.config.rope_parameters ?? {}
  config = inferPhiConfig(ckpt, prefix, {
    layerNormEps: Number(golden.config.layer_norm_eps),
    ropeTheta: rope.rope_theta ?? Number(golden.config.rope_theta ?? 10_000),
    partialRotaryFactor: rope.partial_rotary_factor ?? Number(golden.config.partial_rotary_factor),
    maxPositions: Number(golden.config.max_position_embeddings),
  })
  checkTensors(ckpt, expectedPhiTensors(config, prefix))
  // The whole vocabulary as "image columns" lets the denoise graph be compared with the full one.
  writeTransformer(work, {
    ckpt,
    prefix,
    config,
    tokens,
    dtype: 'fp32',
    imageColumns: { offset: 0, count: config.vocabSize },
  })
  ckpt.close()
  const open = (f: string): Promise<ModelSession> =>
    ModelSession.create(join(work, f), { ep: 'cpu' })
  full = await open('full.onnx')
  prefill = await open('prefill.onnx')
  decode = await open('decode.onnx')
  denoise = await open('denoise.onnx')
})

afterAll(async () => {
  await Promise.all([full, prefill, decode, denoise].filter(Boolean).map((s) => s.release()))
  rmSync(work, { recursive: true, force: true })
})

describe('Show-o transformer against the reference (fp32, CPU EP)', () => {
  it('reads the architecture the reference config describes off the checkpoint', () => {
    expect(config.hiddenSize).toBe(golden.config.hidden_size)
    expect(config.numLayers).toBe(golden.config.num_hidden_layers)
    expect(config.numHeads).toBe(golden.config.num_attention_heads)
    expect(config.intermediateSize).toBe(golden.config.intermediate_size)
    expect(config.vocabSize).toBe(golden.config.vocab_size)
  })

  it.each(['t2i', 'mmu'] as const)(
    'builds the %s omni-attention mask from the token ids',
    async (task) => {
      const g = new GraphBuilder('mask')
      const ids = g.input('ids', 'int64', ['batch', 'total'])
      const past = g.node('Squeeze', [g.input('past', 'int64', [1]), g.int64s('axes', [0])])
      const length = g.node('Squeeze', [
        g.node('Shape', [ids], { start: int(1), end: int(2) }),
        g.int64s('axes', [0]),
      ])
      g.output(
        buildOmniMask(g, tokens, { ids, past, total: length, floatType: 'float32' }),
        'bias',
        'float32',
        ['batch', 1, 'rows', 'total']
      )
      const path = join(work, 'mask.onnx')
      writeFileSync(path, g.toBytes())
      const session = await ModelSession.create(path, { ep: 'cpu' })
      const { input_ids: inputIds, allowed } = golden[task]
      const [batch = 0, total = 0] = shapeOf(inputIds)
      // Whole sequence, then only the rows after a cached prefix (the cached-decode view).
      for (const p of [0, Math.floor(total / 2)]) {
        const out = await session.run({ ids: ids2d(inputIds), past: int64Tensor([p], [1]) })
        const got = Array.from(outputData(out, 'bias', 'float32'), (v) => (v === 0 ? 1 : 0))
        const want = allowed.flatMap((rows) => rows.slice(p).flat())
        expect(out.bias?.dims).toEqual([batch, 1, total - p, total])
        expect(got).toEqual(want)
      }
      await session.release()
    }
  )

  it.each(['t2i', 'mmu'] as const)('gives the %s logits of the reference', async (task) => {
    const out = await full.run({ input_ids: ids2d(golden[task].input_ids) })
    const expected = flat(golden[task].logits)
    expect(out.logits?.dims).toEqual(shapeOf(golden[task].logits))
    const { maxDiff, maxMagnitude } = compareArrays(outputData(out, 'logits', 'float32'), expected)
    expect(maxDiff).toBeLessThanOrEqual(tolerance(maxMagnitude))
  })

  it('gives the same image-row logits through prefill + denoise as through the full graph', async () => {
    const ids = golden.t2i.input_ids
    const [batch = 0, total = 0] = shapeOf(ids)
    const textBlock = ids[0]?.indexOf(tokens.soi) ?? -1
    const cache = await prefill.run({ input_ids: ids2d(ids.map((r) => r.slice(0, textBlock))) })
    const feeds: Record<string, TensorData> = { input_ids: ids2d(ids) }
    for (let l = 0; l < config.numLayers; l++) {
      feeds[`past_key.${l}`] = cache[`present_key.${l}`] as TensorData
      feeds[`past_value.${l}`] = cache[`present_value.${l}`] as TensorData
    }
    const image = outputData(
      await denoise.run({ ...feeds, top_k: int64Tensor([1], [1]) }),
      'image_logits',
      'float32'
    )
    const reference = outputData(await full.run({ input_ids: ids2d(ids) }), 'logits', 'float32')
    const V = config.vocabSize
    const rows = total - textBlock - 2
    const expected = new Float32Array(batch * rows * V)
    for (let b = 0; b < batch; b++) {
      expected.set(
        reference.subarray((b * total + textBlock + 1) * V, (b * total + total - 1) * V),
        b * rows * V
      )
    }
    const { maxDiff, maxMagnitude } = compareArrays(image, expected)
    expect(maxDiff).toBeLessThanOrEqual(tolerance(maxMagnitude))
  })

  it('decodes the reference greedy next 8 tokens with the full graph', async () => {
    const seq = [...(golden.mmu.input_ids[0] ?? [])]
    const next: number[] = []
    for (let k = 0; k < golden.mmu.greedy_next8.length; k++) {
      const out = await full.run({ input_ids: int64Tensor(seq, [1, seq.length]) })
      const token = argmaxRow(
        outputData(out, 'logits', 'float32'),
        seq.length - 1,
        config.vocabSize
      )
      next.push(token)
      seq.push(token)
    }
    expect(next).toEqual(golden.mmu.greedy_next8)
  })

  it('decodes the same 8 tokens with the key/value cache', async () => {
    const prompt = golden.mmu.input_ids[0] ?? []
    const cache = await prefill.run({
      input_ids: int64Tensor(prompt.slice(0, -1), [1, prompt.length - 1]),
    })
    let past: Record<string, TensorData> = {}
    for (let l = 0; l < config.numLayers; l++) {
      past[`past_key.${l}`] = cache[`present_key.${l}`] as TensorData
      past[`past_value.${l}`] = cache[`present_value.${l}`] as TensorData
    }
    const seq = [...prompt]
    const next: number[] = []
    for (let k = 0; k < golden.mmu.greedy_next8.length; k++) {
      const out = await decode.run({ input_ids: int64Tensor(seq, [1, seq.length]), ...past })
      const token = argmaxRow(outputData(out, 'logits', 'float32'), 0, config.vocabSize)
      next.push(token)
      seq.push(token)
      past = {}
      for (let l = 0; l < config.numLayers; l++) {
        past[`past_key.${l}`] = out[`present_key.${l}`] as TensorData
        past[`past_value.${l}`] = out[`present_value.${l}`] as TensorData
      }
    }
    expect(next).toEqual(golden.mmu.greedy_next8)
  })
})

describe('Jacobi decoding against the reference (fp32, CPU EP)', () => {
  it('decodes the reference greedy next 8 tokens with Jacobi windows over the cache', async () => {
    const prompt = golden.mmu.input_ids[0] ?? []
    const layers = config.numLayers
    // The graph's own argmax (next_tokens), as the engine uses it.
    const run: DecodeRunner = async (ids, cache) => {
      const out = await decode.run({ input_ids: int64Tensor([...ids], [1, ids.length]), ...cache })
      return {
        next: outputData(out, 'next_tokens', 'int64'),
        cache: cacheFromPresents(out, layers),
      }
    }
    const head = prompt.slice(0, -1)
    const presents = await prefill.run({ input_ids: int64Tensor(head, [1, head.length]) })
    const first = await run(prompt, cacheFromPresents(presents, layers))
    const start = { cache: first.cache, next: Number(first.next[0]) }
    const options = {
      maxNewTokens: golden.mmu.greedy_next8.length,
      eos: golden.tokens.bos,
      maxPositions: config.maxPositions,
    }
    for (const window of [3, 16]) {
      const result = await jacobiDecode(prompt, start, run, {
        ...options,
        window,
        choices: prompt,
        rng: new Rng(window),
      })
      expect(result.tokens).toEqual(golden.mmu.greedy_next8)
    }
    expect((await greedyDecode(prompt, start, run, options)).tokens).toEqual(
      golden.mmu.greedy_next8
    )
  })
})
