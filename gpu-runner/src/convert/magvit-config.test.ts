import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  fromValues,
  randomMagvitTensors,
  tinyMagvitConfig,
} from '../../test/vq-support/random-magvit.ts'
import { Checkpoint } from '../checkpoint/checkpoint.ts'
import { CheckpointError } from '../checkpoint/checkpoint-error.ts'
import { type TensorSource, writeSafetensors } from '../checkpoint/write-safetensors.ts'
import {
  checkMagvitTensors,
  expectedMagvitTensors,
  inferMagvitConfig,
  type MagvitConfig,
  QUANTIZE_EMBEDDING,
  QUANTIZE_POWER_VALS,
} from './magvit-config.ts'
import { writeMagvit } from './write-magvit.ts'

/** The released MAGVIT-v2 tokenizer (spec §5.2). */
const REAL = tinyMagvitConfig({
  encoderCh: 128,
  encoder: { channels: [128, 256, 256, 512, 512], numResBlocks: [4, 3, 4, 3, 4] },
  decoder: { channels: [128, 128, 256, 256, 512], numResBlocks: [4, 4, 3, 4, 3] },
  zChannels: 13,
})

/** Small, and unlike the golden fixture: two levels each, 10 latent channels. */
const SMALL = tinyMagvitConfig({
  encoderCh: 32,
  encoder: { channels: [64, 64], numResBlocks: [2, 1] },
  decoder: { channels: [32, 64], numResBlocks: [1, 2] },
  zChannels: 10,
})

const parameters = (c: MagvitConfig, side: string): number =>
  [...expectedMagvitTensors(c)]
    .filter(([name]) => name.startsWith(side))
    .reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0)

describe('MAGVIT-v2 architecture', () => {
  it('lists the released model with its published parameter counts and shortcuts', () => {
    // Spec §5.2: 55,439,171 encoder and 39,947,833 decoder parameters; nin_shortcut on the first
    // block of encoder levels 1 and 3 and of decoder levels 3 and 1.
    expect(parameters(REAL, 'encoder.')).toBe(55_439_171)
    expect(parameters(REAL, 'decoder.')).toBe(39_947_833)
    const shortcuts = [...expectedMagvitTensors(REAL).keys()].filter((n) =>
      n.endsWith('nin_shortcut.weight')
    )
    expect(shortcuts.sort()).toEqual([
      'decoder.up.1.block.0.nin_shortcut.weight',
      'decoder.up.3.block.0.nin_shortcut.weight',
      'encoder.down.1.block.0.nin_shortcut.weight',
      'encoder.down.3.block.0.nin_shortcut.weight',
    ])
    expect(REAL.downsample).toBe(16)
    expect(REAL.codebookSize).toBe(8192)
  })
})

describe('MAGVIT-v2 checkpoint checks', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'magvit-config-'))
  })

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  /** Writes the tensors as a checkpoint and converts it; returns the error, if any. */
  const convert = (tensors: TensorSource[]): unknown => {
    const file = join(dir, `ckpt-${readdirSync(dir).length}.safetensors`)
    writeSafetensors(file, tensors)
    const ckpt = Checkpoint.open(file)
    const out = mkdtempSync(join(dir, 'out-'))
    try {
      writeMagvit(out, { ckpt, dtype: 'fp32' })
      return undefined
    } catch (error) {
      // Refused before anything was written.
      expect(readdirSync(out)).toEqual([])
      return error
    } finally {
      ckpt.close()
    }
  }

  const refusal = (tensors: TensorSource[]): string => {
    const error = convert(tensors)
    expect(error).toBeInstanceOf(CheckpointError)
    return (error as Error).message
  }

  it('reads the architecture back from a checkpoint', () => {
    const file = join(dir, 'small.safetensors')
    writeSafetensors(file, randomMagvitTensors(SMALL, 1))
    const ckpt = Checkpoint.open(file)
    try {
      expect(inferMagvitConfig(ckpt)).toEqual(SMALL)
      expect(() => {
        checkMagvitTensors(ckpt, SMALL)
      }).not.toThrow()
    } finally {
      ckpt.close()
    }
  })

  it('accepts a checkpoint without the LFQ buffers (the graphs compute the codebook)', () => {
    const tensors = randomMagvitTensors(SMALL, 1).filter((t) => !t.name.startsWith('quantize.'))
    expect(convert(tensors)).toBeUndefined()
  })

  it('refuses a missing tensor, naming it', () => {
    const name = 'decoder.up.1.block.1.norm2.bias'
    const tensors = randomMagvitTensors(SMALL, 1).filter((t) => t.name !== name)
    expect(refusal(tensors)).toContain(`missing tensor '${name}'`)
  })

  it('refuses a misshapen tensor, naming it and both shapes', () => {
    const name = 'encoder.mid.attn_1.k.weight'
    const tensors = randomMagvitTensors(SMALL, 1).map((t) =>
      t.name === name ? fromValues(name, [64, 64, 3, 3], new Float32Array(64 * 64 * 9)) : t
    )
    expect(refusal(tensors)).toContain(
      `tensor '${name}' has shape [64, 64, 3, 3], expected [64, 64, 1, 1]`
    )
  })

  it('refuses an extra tensor, naming it', () => {
    // Block 1 of level 0 keeps its width (64 → 64), so a shortcut conv there is not the architecture.
    const name = 'encoder.down.0.block.1.nin_shortcut.weight'
    const tensors = [
      ...randomMagvitTensors(SMALL, 1),
      fromValues(name, [64, 64, 1, 1], new Float32Array(64 * 64)),
    ]
    expect(refusal(tensors)).toContain(`unexpected tensor '${name}'`)
  })

  it('refuses widths GroupNorm(32) cannot split, naming the tensor', () => {
    const odd = tinyMagvitConfig({
      ...SMALL,
      encoder: { channels: [48, 64], numResBlocks: [2, 1] },
    })
    expect(refusal(randomMagvitTensors(odd, 1))).toContain(
      `'encoder.down.0.block.0.conv1.weight' gives 48 channels`
    )
  })

  it('refuses a codebook in another bit order or of another size', () => {
    const z = SMALL.zChannels
    const lsbFirst = randomMagvitTensors(SMALL, 1).map((t) =>
      t.name === QUANTIZE_POWER_VALS
        ? fromValues(
            t.name,
            [z],
            Float32Array.from({ length: z }, (_, c) => 2 ** c)
          )
        : t
    )
    expect(refusal(lsbFirst)).toContain(`tensor '${QUANTIZE_POWER_VALS}' holds 1 at 0`)
    const flipped = randomMagvitTensors(SMALL, 1).map((t) =>
      t.name === QUANTIZE_EMBEDDING
        ? fromValues(
            t.name,
            [SMALL.codebookSize, z],
            new Float32Array(SMALL.codebookSize * z).fill(1)
          )
        : t
    )
    expect(refusal(flipped)).toContain(
      `tensor '${QUANTIZE_EMBEDDING}' row 0 is not the sign-bit code`
    )
    const small = randomMagvitTensors(SMALL, 1).map((t) =>
      t.name === QUANTIZE_EMBEDDING ? fromValues(t.name, [16, z], new Float32Array(16 * z)) : t
    )
    expect(refusal(small)).toContain(
      `tensor '${QUANTIZE_EMBEDDING}' has shape [16, ${z}], expected [1024, ${z}]`
    )
  })
})
