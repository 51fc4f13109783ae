import { goldenDir } from './golden-dir.ts'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Checkpoint } from '../../src/checkpoint/checkpoint.ts'
import type { MagvitConfig } from '../../src/convert/magvit-config.ts'
import { writeMagvit } from '../../src/convert/write-magvit.ts'
import { MagvitReference } from '../vq-support/magvit-reference.ts'
import { compare, VqSessions } from '../vq-support/vq-sessions.ts'

// The MAGVIT-v2 graphs against the reference implementation's outputs (../shared/fixtures/golden,
// README there). Every size comes from the fixture, so another fixture set of the same format
// (other widths, depths, resolution, batch) passes unchanged.

const GOLDEN_DIR = goldenDir()

/** A nested JSON array: its dims and its values in row-major order. */
interface Nested {
  dims: number[]
  values: number[]
}

function flatten(value: unknown, what: string): Nested {
  const dims: number[] = []
  for (let v = value; Array.isArray(v); v = (v as unknown[])[0]) {
    dims.push(v.length)
  }
  const values = (value as unknown[]).flat(Infinity)
  if (
    values.length !== dims.reduce((a, b) => a * b, 1) ||
    !values.every((v) => typeof v === 'number')
  ) {
    throw new Error(`fixture '${what}' is not a dense numeric array`)
  }
  return { dims, values }
}

interface StackCfg {
  ch: number
  ch_mult: number[]
  num_res_blocks: number[]
  z_channels: number
}

interface Golden {
  encoder_cfg: StackCfg
  decoder_cfg: StackCfg
  image: Nested
  encoderOut: Nested
  codes: Nested
  decoded: Nested
}

function readGolden(): Golden {
  const json = JSON.parse(readFileSync(join(GOLDEN_DIR, 'tiny_vq_golden.json'), 'utf8')) as Record<
    string,
    unknown
  >
  return {
    encoder_cfg: json.encoder_cfg as StackCfg,
    decoder_cfg: json.decoder_cfg as StackCfg,
    image: flatten(json.image, 'image'),
    encoderOut: flatten(json.encoder_out, 'encoder_out'),
    codes: flatten(json.codes, 'codes'),
    decoded: flatten(json.decoded, 'decoded'),
  }
}

describe('MAGVIT-v2 graphs against the reference (fp32, CPU EP)', () => {
  let golden: Golden
  let dir: string
  let config: MagvitConfig
  let sessions: VqSessions
  let ckpt: Checkpoint

  beforeAll(async () => {
    golden = readGolden()
    dir = mkdtempSync(join(tmpdir(), 'golden-vq-'))
    ckpt = Checkpoint.open(join(GOLDEN_DIR, 'tiny_vq.safetensors'))
    config = writeMagvit(dir, { ckpt, dtype: 'fp32' }).config
    sessions = await VqSessions.open(dir)
  })

  afterAll(async () => {
    await sessions.release()
    ckpt.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('infers the architecture the fixture was built with', () => {
    const { encoder_cfg: e, decoder_cfg: d } = golden
    expect(config.encoderCh).toBe(e.ch)
    expect(config.encoder.channels).toEqual(e.ch_mult.map((m) => m * e.ch))
    expect(config.encoder.numResBlocks).toEqual(e.num_res_blocks)
    expect(config.decoder.channels).toEqual(d.ch_mult.map((m) => m * d.ch))
    expect(config.decoder.numResBlocks).toEqual(d.num_res_blocks)
    expect(config.zChannels).toBe(e.z_channels)
    expect(config.zChannels).toBe(d.z_channels)
    expect(config.codebookSize).toBe(2 ** e.z_channels)
    const [, , height = 0] = golden.image.dims
    const [, , h = 0] = golden.encoderOut.dims
    expect(config.downsample).toBe(height / h)
  })

  it('encodes the image to the reference latents and codes', async () => {
    const out = await sessions.encode(Float32Array.from(golden.image.values), golden.image.dims)
    expect(out.latentDims).toEqual(golden.encoderOut.dims)
    const { maxDiff, maxMagnitude } = compare(out.latents, golden.encoderOut.values)
    console.log(
      `vq-encoder latents: max abs diff ${maxDiff.toExponential(2)}, max magnitude ${maxMagnitude.toFixed(3)}`
    )
    expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxMagnitude)
    // Codes: [batch, h·w] in the fixture, [batch, h, w] from the graph; both raster order.
    const [batch = 0, , h = 0, w = 0] = golden.encoderOut.dims
    expect(golden.codes.dims).toEqual([batch, h * w])
    expect(out.codes).toEqual(golden.codes.values)
  })

  it('decodes the reference codes to the reference pixels', async () => {
    const [batch = 0, , h = 0, w = 0] = golden.encoderOut.dims
    const out = await sessions.decode(golden.codes.values, [batch, h, w])
    expect(out.dims).toEqual(golden.decoded.dims)
    const { maxDiff, maxMagnitude } = compare(out.pixels, golden.decoded.values)
    console.log(
      `vq-decoder pixels: max abs diff ${maxDiff.toExponential(2)}, max magnitude ${maxMagnitude.toFixed(3)}`
    )
    expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxMagnitude)
  })

  // The unit tests check other resolutions and batches against a plain-loop reference; this pins
  // that reference to the Python one, item by item.
  it('agrees with the plain-loop reference the unit tests use', () => {
    const reference = new MagvitReference(ckpt, config)
    const [batch = 0, channels = 0, height = 0, width = 0] = golden.image.dims
    const [, z = 0, h = 0, w = 0] = golden.encoderOut.dims
    const per = (values: number[], size: number, b: number): number[] =>
      values.slice(b * size, (b + 1) * size)
    for (let b = 0; b < batch; b++) {
      const image = Float32Array.from(per(golden.image.values, channels * height * width, b))
      const encoded = reference.encode(image, height, width)
      const latents = compare(encoded.latents, per(golden.encoderOut.values, z * h * w, b))
      expect(latents.maxDiff).toBeLessThanOrEqual(1e-4 * latents.maxMagnitude)
      expect(encoded.codes).toEqual(per(golden.codes.values, h * w, b))
      const decoded = reference.decode(per(golden.codes.values, h * w, b), h, w)
      const pixels = compare(decoded, per(golden.decoded.values, channels * height * width, b))
      expect(pixels.maxDiff).toBeLessThanOrEqual(1e-4 * pixels.maxMagnitude)
    }
  })
})
