import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import onnxProto from 'onnx-proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MagvitReference } from '../../test/vq-support/magvit-reference.ts'
import {
  prng,
  randomMagvitTensors,
  randomPixels,
  tinyMagvitConfig,
} from '../../test/vq-support/random-magvit.ts'
import { compare, VqSessions } from '../../test/vq-support/vq-sessions.ts'
import { Checkpoint } from '../checkpoint/checkpoint.ts'
import { writeSafetensors } from '../checkpoint/write-safetensors.ts'
import { ONNX_DATA_TYPE } from '../onnx/tensor-type.ts'
import { MAGVIT_IO } from './magvit-graph.ts'
import { MAGVIT_FILES, writeMagvit } from './write-magvit.ts'

// The tokenizer graphs away from the golden fixture's shape: a non-square image, a batch of two,
// another depth and latent size, fp16 weights. The oracle is the plain-loop float64 reference in
// test/vq-support (itself checked against the Python vectors by the golden test).

const CONFIG = tinyMagvitConfig({
  encoderCh: 32,
  encoder: { channels: [32, 32, 64], numResBlocks: [1, 1, 2] },
  decoder: { channels: [32, 64, 64], numResBlocks: [2, 1, 1] },
  zChannels: 10,
})
const BATCH = 2
const HEIGHT = 16
const WIDTH = 24
const LATENT = [HEIGHT / CONFIG.downsample, WIDTH / CONFIG.downsample] as const
const IMAGE_SIZE = CONFIG.imageChannels * HEIGHT * WIDTH
const GRID = LATENT[0] * LATENT[1]

describe('MAGVIT-v2 graphs on a non-square batch (random tokenizer, CPU EP)', () => {
  let dir: string
  let ckpt: Checkpoint
  let fp32: VqSessions
  let fp16: VqSessions
  let reference: MagvitReference
  const pixels = randomPixels(BATCH * IMAGE_SIZE, 7)
  const random = prng(11)
  const codes = Array.from({ length: BATCH * GRID }, () =>
    Math.floor(random() * CONFIG.codebookSize)
  )
  const item = <T extends Float32Array | number[]>(all: T, index: number, size: number): T =>
    all.slice(index * size, (index + 1) * size) as T

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'magvit-graph-'))
    writeSafetensors(join(dir, 'vq.safetensors'), randomMagvitTensors(CONFIG, 3))
    ckpt = Checkpoint.open(join(dir, 'vq.safetensors'))
    for (const dtype of ['fp32', 'fp16'] as const) {
      mkdirSync(join(dir, dtype))
      writeMagvit(join(dir, dtype), { ckpt, dtype })
    }
    fp32 = await VqSessions.open(join(dir, 'fp32'))
    fp16 = await VqSessions.open(join(dir, 'fp16'))
    reference = new MagvitReference(ckpt, CONFIG)
  })

  afterAll(async () => {
    await fp32.release()
    await fp16.release()
    ckpt.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('declares the I/O contract', () => {
    for (const sessions of [fp32, fp16]) {
      expect(sessions.names).toEqual({
        encoder: [[MAGVIT_IO.pixels], [MAGVIT_IO.codes, MAGVIT_IO.latents]],
        decoder: [[MAGVIT_IO.codes], [MAGVIT_IO.pixels]],
      })
    }
  })

  it('encodes each image of the batch like the reference', async () => {
    const out = await fp32.encode(pixels, [BATCH, CONFIG.imageChannels, HEIGHT, WIDTH])
    expect(out.latentDims).toEqual([BATCH, CONFIG.zChannels, ...LATENT])
    const latentSize = CONFIG.zChannels * GRID
    for (let b = 0; b < BATCH; b++) {
      const expected = reference.encode(item(pixels, b, IMAGE_SIZE), HEIGHT, WIDTH)
      const { maxDiff, maxMagnitude } = compare(item(out.latents, b, latentSize), expected.latents)
      const closest = Math.min(...expected.latents.map(Math.abs))
      console.log(
        `encoder item ${b}: max abs diff ${maxDiff.toExponential(2)}, max magnitude ${maxMagnitude.toFixed(3)}, smallest |latent| ${closest.toExponential(2)}`
      )
      expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxMagnitude)
      expect(item(out.codes, b, GRID)).toEqual(expected.codes)
    }
  })

  it('decodes each code grid of the batch like the reference', async () => {
    const out = await fp32.decode(codes, [BATCH, ...LATENT])
    expect(out.dims).toEqual([BATCH, CONFIG.imageChannels, HEIGHT, WIDTH])
    for (let b = 0; b < BATCH; b++) {
      const expected = reference.decode(item(codes, b, GRID), ...LATENT)
      const { maxDiff, maxMagnitude } = compare(item(out.pixels, b, IMAGE_SIZE), expected)
      console.log(
        `decoder item ${b}: max abs diff ${maxDiff.toExponential(2)}, max magnitude ${maxMagnitude.toFixed(3)}`
      )
      expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxMagnitude)
    }
  })

  it('gives an item the same result alone as in the batch', async () => {
    const batchDims = [BATCH, CONFIG.imageChannels, HEIGHT, WIDTH]
    const together = await fp32.encode(pixels, batchDims)
    const alone = await fp32.encode(item(pixels, 1, IMAGE_SIZE), [1, ...batchDims.slice(1)])
    const latentSize = CONFIG.zChannels * GRID
    const encoded = compare(alone.latents, item(together.latents, 1, latentSize))
    expect(alone.codes).toEqual(item(together.codes, 1, GRID))
    const decodedTogether = await fp32.decode(codes, [BATCH, ...LATENT])
    const decodedAlone = await fp32.decode(item(codes, 1, GRID), [1, ...LATENT])
    const decoded = compare(decodedAlone.pixels, item(decodedTogether.pixels, 1, IMAGE_SIZE))
    console.log(
      `alone vs batch: latents ${encoded.maxDiff.toExponential(2)}, pixels ${decoded.maxDiff.toExponential(2)}`
    )
    expect(encoded.maxDiff).toBeLessThanOrEqual(1e-6 * encoded.maxMagnitude)
    expect(decoded.maxDiff).toBeLessThanOrEqual(1e-6 * decoded.maxMagnitude)
  })

  it('fp16 graphs agree with fp32', async () => {
    const dims = [BATCH, CONFIG.imageChannels, HEIGHT, WIDTH]
    const a = await fp32.encode(pixels, dims)
    const b = await fp16.encode(pixels, dims)
    const latents = compare(b.latents, a.latents)
    const pixels32 = await fp32.decode(codes, [BATCH, ...LATENT])
    const pixels16 = await fp16.decode(codes, [BATCH, ...LATENT])
    const decoded = compare(pixels16.pixels, pixels32.pixels)
    const sameCodes = a.codes.filter((code, i) => code === b.codes[i]).length
    console.log(
      `fp16 vs fp32: latents ${latents.maxDiff.toExponential(2)} of ${latents.maxMagnitude.toFixed(3)}, ` +
        `codes ${sameCodes}/${a.codes.length} equal, pixels ${decoded.maxDiff.toExponential(2)} of ${decoded.maxMagnitude.toFixed(3)}`
    )
    // Measured 9e-4 (latents) and 1.5e-3 (pixels) of the largest magnitude: fp16 weights and
    // activations carry 2^-11 relative rounding through ~20 layers. 1e-2 leaves room for other
    // CPUs' kernels while still catching a wrong layer (errors of order 1).
    expect(latents.maxDiff).toBeLessThanOrEqual(1e-2 * latents.maxMagnitude)
    expect(decoded.maxDiff).toBeLessThanOrEqual(1e-2 * decoded.maxMagnitude)
    // Each graph's codes are the sign bits of its own latents, channel 0 most significant.
    expect(a.codes).toEqual(signCodes(a.latents))
    expect(b.codes).toEqual(signCodes(b.latents))
    // Across precisions a code changes only where a latent lies within fp16 error (~2e-3 here) of
    // zero; all 48 were equal when measured, 90% leaves room for other kernels.
    expect(sameCodes).toBeGreaterThanOrEqual(0.9 * a.codes.length)
  })

  it('stores every weight as float16 in the fp16 graphs, at half the bytes', () => {
    for (const file of [MAGVIT_FILES.encoder, MAGVIT_FILES.decoder]) {
      const [w32, w16] = ['fp32', 'fp16'].map((dtype) => externalWeights(join(dir, dtype, file)))
      expect(w16?.types).toEqual(new Set([ONNX_DATA_TYPE.float16]))
      expect(w32?.types).toEqual(new Set([ONNX_DATA_TYPE.float32]))
      expect(w16?.bytes).toBe((w32?.bytes ?? 0) / 2)
    }
  })
})

/** LFQ codes of latents [batch, z, h, w]: bit (z−1−c) set when channel c is positive. */
function signCodes(latents: Float32Array): number[] {
  const z = CONFIG.zChannels
  return Array.from({ length: BATCH * GRID }, (_, i) => {
    const [n, cell] = [Math.floor(i / GRID), i % GRID]
    let code = 0
    for (let c = 0; c < z; c++) {
      code = code * 2 + ((latents[(n * z + c) * GRID + cell] ?? 0) > 0 ? 1 : 0)
    }
    return code
  })
}

/** Element types and total bytes of a graph's external initializers. */
function externalWeights(path: string): { types: Set<number>; bytes: number } {
  const model = onnxProto.onnx.ModelProto.decode(readFileSync(path))
  const types = new Set<number>()
  let bytes = 0
  for (const init of model.graph?.initializer ?? []) {
    const length = init.externalData?.find((e) => e.key === 'length')?.value
    if (length !== undefined && length !== null) {
      types.add(init.dataType ?? 0)
      bytes += Number(length)
    }
  }
  return { types, bytes }
}
