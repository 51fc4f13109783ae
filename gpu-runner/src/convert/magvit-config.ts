import type { Checkpoint } from '../checkpoint/checkpoint.ts'
import { CheckpointError } from '../checkpoint/checkpoint-error.ts'
import {
  type ConvSpec,
  decoderPlan,
  encoderPlan,
  type LevelSpec,
  type MidSpec,
  type ResBlockSpec,
} from './magvit-plan.ts'
import { checkTensors } from './phi-config.ts'

/** GroupNorm of every MAGVIT-v2 block: 32 groups, eps 1e-6 (spec §5.1, §8.12). */
export const MAGVIT_GROUPS = 32
export const MAGVIT_NORM_EPS = 1e-6

/**
 * Codes travel through float32 arithmetic in the graphs (WebGPU has no int64 arithmetic), which is
 * exact for integers below 2^24.
 */
const MAX_Z_CHANNELS = 24

/** One side of the tokenizer: the width and depth of each resolution level, level 0 = full size. */
export interface MagvitStack {
  /** Output channels of each level's residual blocks (`ch · ch_mult[level]`). */
  channels: number[]
  /** Residual blocks in each level (`num_res_blocks[level]`). */
  numResBlocks: number[]
}

/** Architecture of a MAGVIT-v2 encoder/decoder pair, read off a checkpoint's tensor shapes. */
export interface MagvitConfig {
  /** Colour channels of the images (3). */
  imageChannels: number
  /** Width of the encoder's `conv_in` (`ch`). */
  encoderCh: number
  encoder: MagvitStack
  decoder: MagvitStack
  /** Latent channels = LFQ bits per code. */
  zChannels: number
  /** 2^zChannels codes. */
  codebookSize: number
  /** Pixels per latent cell along each side: 2^(levels − 1), the same for encoder and decoder. */
  downsample: number
}

/** LFQ buffers the reference stores; the graphs compute the codebook instead (spec §5.3). */
export const QUANTIZE_EMBEDDING = 'quantize.embedding'
export const QUANTIZE_POWER_VALS = 'quantize.power_vals'

/**
 * Reads the architecture off the checkpoint: level and block counts from the tensor indices, widths
 * from each level's first conv, latent size from `quant_conv`. Refuses widths GroupNorm(32) cannot
 * split and an encoder and decoder that disagree on the downsampling factor.
 */
export function inferMagvitConfig(ckpt: Checkpoint): MagvitConfig {
  const need = (name: string, rank: number): number[] => {
    if (!ckpt.has(name)) {
      throw new CheckpointError(`${ckpt.source}: missing tensor '${name}'`)
    }
    const shape = ckpt.shape(name)
    if (shape.length !== rank || shape.some((d) => d <= 0)) {
      throw new CheckpointError(
        `${ckpt.source}: tensor '${name}' has shape [${shape.join(', ')}], expected rank ${rank}`
      )
    }
    return shape
  }
  const [encoderCh = 0, imageChannels = 0] = need('encoder.conv_in.weight', 4)
  const [zChannels = 0] = need('encoder.quant_conv.weight', 4)
  if (zChannels > MAX_Z_CHANNELS) {
    throw new CheckpointError(
      `${ckpt.source}: ${zChannels} latent channels ('encoder.quant_conv.weight'); at most ${MAX_Z_CHANNELS} are supported`
    )
  }
  const names = ckpt.names()
  const stack = (side: 'encoder.down' | 'decoder.up'): MagvitStack => {
    const levels = countIndices(names, `${side}.`)
    if (levels === 0) {
      throw new CheckpointError(`${ckpt.source}: missing tensor '${side}.0.block.0.conv1.weight'`)
    }
    const channels: number[] = []
    const numResBlocks: number[] = []
    for (let l = 0; l < levels; l++) {
      const blocks = countIndices(names, `${side}.${l}.block.`)
      const conv1 = `${side}.${l}.block.0.conv1.weight`
      const [width = 0] = need(conv1, 4)
      if (width % MAGVIT_GROUPS !== 0) {
        throw new CheckpointError(
          `${ckpt.source}: tensor '${conv1}' gives ${width} channels, not a multiple of the ${MAGVIT_GROUPS} GroupNorm groups`
        )
      }
      channels.push(width)
      numResBlocks.push(blocks)
    }
    return { channels, numResBlocks }
  }
  const encoder = stack('encoder.down')
  const decoder = stack('decoder.up')
  if (encoderCh % MAGVIT_GROUPS !== 0) {
    throw new CheckpointError(
      `${ckpt.source}: tensor 'encoder.conv_in.weight' gives ${encoderCh} channels, not a multiple of the ${MAGVIT_GROUPS} GroupNorm groups`
    )
  }
  if (encoder.channels.length !== decoder.channels.length) {
    throw new CheckpointError(
      `${ckpt.source}: the encoder has ${encoder.channels.length} levels and the decoder ${decoder.channels.length}; ` +
        'they must downsample and upsample by the same factor'
    )
  }
  return {
    imageChannels,
    encoderCh,
    encoder,
    decoder,
    zChannels,
    codebookSize: 2 ** zChannels,
    downsample: 2 ** (encoder.channels.length - 1),
  }
}

/** Highest `<prefix><n>.` index among the names, plus one (0 when none). */
function countIndices(names: readonly string[], prefix: string): number {
  let count = 0
  for (const name of names) {
    if (name.startsWith(prefix)) {
      const index = Number(name.slice(prefix.length).split('.', 1)[0])
      if (Number.isSafeInteger(index) && index >= 0) {
        count = Math.max(count, index + 1)
      }
    }
  }
  return count
}

/** Every tensor the encoder and decoder need, with its shape (the LFQ buffers are not included). */
export function expectedMagvitTensors(c: MagvitConfig): Map<string, number[]> {
  const out = new Map<string, number[]>()
  const conv = (s: ConvSpec): void => {
    out.set(`${s.name}.weight`, [s.outChannels, s.inChannels, s.kernel, s.kernel])
    out.set(`${s.name}.bias`, [s.outChannels])
  }
  const norm = (name: string, channels: number): void => {
    out.set(`${name}.weight`, [channels])
    out.set(`${name}.bias`, [channels])
  }
  const block = (b: ResBlockSpec): void => {
    norm(`${b.name}.norm1`, b.inChannels)
    conv({
      name: `${b.name}.conv1`,
      inChannels: b.inChannels,
      outChannels: b.outChannels,
      kernel: 3,
    })
    norm(`${b.name}.norm2`, b.outChannels)
    conv({
      name: `${b.name}.conv2`,
      inChannels: b.outChannels,
      outChannels: b.outChannels,
      kernel: 3,
    })
    if (b.inChannels !== b.outChannels) {
      conv({
        name: `${b.name}.nin_shortcut`,
        inChannels: b.inChannels,
        outChannels: b.outChannels,
        kernel: 1,
      })
    }
  }
  const middle = (m: MidSpec): void => {
    block(m.block1)
    const { name, channels } = m.attention
    norm(`${name}.norm`, channels)
    for (const proj of ['q', 'k', 'v', 'proj_out']) {
      conv({ name: `${name}.${proj}`, inChannels: channels, outChannels: channels, kernel: 1 })
    }
    block(m.block2)
  }
  const levels = (ls: readonly LevelSpec[]): void => {
    for (const level of ls) {
      level.blocks.forEach(block)
      if (level.resample) {
        conv(level.resample)
      }
    }
  }
  const e = encoderPlan(c)
  conv(e.convIn)
  levels(e.levels)
  middle(e.mid)
  norm(e.normOut.name, e.normOut.channels)
  conv(e.convOut)
  conv(e.quantConv)
  const d = decoderPlan(c)
  conv(d.postQuantConv)
  conv(d.convIn)
  middle(d.mid)
  levels(d.levels)
  norm(d.normOut.name, d.normOut.channels)
  conv(d.convOut)
  return out
}

/**
 * Refuses a checkpoint whose tensors differ from the architecture, naming the first missing, extra
 * or misshapen tensor. The LFQ buffers may be absent (the graphs compute the codebook); when present
 * they must be the MSB-first sign-bit codebook the graphs compute, or the codes would mean
 * something else.
 */
export function checkMagvitTensors(ckpt: Checkpoint, c: MagvitConfig): void {
  checkTensors(ckpt, expectedMagvitTensors(c), [QUANTIZE_EMBEDDING, QUANTIZE_POWER_VALS])
  const z = c.zChannels
  const expectShape = (name: string, shape: readonly number[]): boolean => {
    if (!ckpt.has(name)) {
      return false
    }
    const actual = ckpt.shape(name)
    if (actual.length !== shape.length || actual.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(
        `${ckpt.source}: tensor '${name}' has shape [${actual.join(', ')}], expected [${shape.join(', ')}]`
      )
    }
    return true
  }
  if (expectShape(QUANTIZE_POWER_VALS, [z])) {
    const powers = ckpt.read(QUANTIZE_POWER_VALS)
    powers.forEach((p, i) => {
      if (p !== 2 ** (z - 1 - i)) {
        throw new CheckpointError(
          `${ckpt.source}: tensor '${QUANTIZE_POWER_VALS}' holds ${p} at ${i}, expected ${2 ** (z - 1 - i)} (channel 0 = most significant bit)`
        )
      }
    })
  }
  if (expectShape(QUANTIZE_EMBEDDING, [c.codebookSize, z])) {
    const embedding = ckpt.read(QUANTIZE_EMBEDDING)
    for (let code = 0; code < c.codebookSize; code++) {
      for (let ch = 0; ch < z; ch++) {
        const expected = ((code >> (z - 1 - ch)) & 1) * 2 - 1
        if (embedding[code * z + ch] !== expected) {
          throw new CheckpointError(
            `${ckpt.source}: tensor '${QUANTIZE_EMBEDDING}' row ${code} is not the sign-bit code of ${code} (channel 0 = most significant bit)`
          )
        }
      }
    }
  }
}
