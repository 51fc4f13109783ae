import type { MagvitConfig } from './magvit-config.ts'

// The MAGVIT-v2 encoder and decoder as ordered lists of named layers with their widths: the tensor
// catalogue (magvit-config.ts) and the graph builders (magvit-graph.ts) both walk these plans.

/** A 2-D convolution the graphs run: `<name>.weight` [out, in, k, k] and `<name>.bias` [out]. */
export interface ConvSpec {
  name: string
  inChannels: number
  outChannels: number
  kernel: 1 | 3
}

/** A residual block; it carries a 1×1 `nin_shortcut` exactly when its width changes. */
export interface ResBlockSpec {
  name: string
  inChannels: number
  outChannels: number
}

/** One resolution level: its residual blocks, then an optional stride-2 or ×2 resampling conv. */
export interface LevelSpec {
  blocks: ResBlockSpec[]
  resample: ConvSpec | undefined
}

/** The middle of either stack: ResnetBlock, single-head attention, ResnetBlock at one width. */
export interface MidSpec {
  block1: ResBlockSpec
  attention: { name: string; channels: number }
  block2: ResBlockSpec
}

/** The encoder in execution order (spec §5.2). */
export interface EncoderPlan {
  convIn: ConvSpec
  /** Level 0 (full resolution) first; every level but the last ends with a Downsample. */
  levels: LevelSpec[]
  mid: MidSpec
  normOut: { name: string; channels: number }
  convOut: ConvSpec
  quantConv: ConvSpec
}

/** The decoder in execution order (spec §5.2). */
export interface DecoderPlan {
  postQuantConv: ConvSpec
  convIn: ConvSpec
  mid: MidSpec
  /** In execution order: the deepest level (`up.{L−1}`) first; every level but `up.0` ends with an Upsample. */
  levels: LevelSpec[]
  normOut: { name: string; channels: number }
  convOut: ConvSpec
}

function mid(prefix: string, channels: number): MidSpec {
  const block = (name: string): ResBlockSpec => ({
    name: `${prefix}.mid.${name}`,
    inChannels: channels,
    outChannels: channels,
  })
  return {
    block1: block('block_1'),
    attention: { name: `${prefix}.mid.attn_1`, channels },
    block2: block('block_2'),
  }
}

/** The encoder's blocks with their widths: each level's first block widens from the previous level. */
export function encoderPlan(c: MagvitConfig): EncoderPlan {
  const { channels, numResBlocks } = c.encoder
  const top = channels[channels.length - 1] ?? 0
  let width = c.encoderCh
  const levels = channels.map((out, l): LevelSpec => {
    const blocks: ResBlockSpec[] = []
    for (let b = 0; b < (numResBlocks[l] ?? 0); b++) {
      blocks.push({ name: `encoder.down.${l}.block.${b}`, inChannels: width, outChannels: out })
      width = out
    }
    const resample: ConvSpec | undefined =
      l === channels.length - 1
        ? undefined
        : {
            name: `encoder.down.${l}.downsample.conv`,
            inChannels: out,
            outChannels: out,
            kernel: 3,
          }
    return { blocks, resample }
  })
  return {
    convIn: {
      name: 'encoder.conv_in',
      inChannels: c.imageChannels,
      outChannels: c.encoderCh,
      kernel: 3,
    },
    levels,
    mid: mid('encoder', top),
    normOut: { name: 'encoder.norm_out', channels: top },
    convOut: { name: 'encoder.conv_out', inChannels: top, outChannels: c.zChannels, kernel: 3 },
    quantConv: {
      name: 'encoder.quant_conv',
      inChannels: c.zChannels,
      outChannels: c.zChannels,
      kernel: 1,
    },
  }
}

/** The decoder's blocks in execution order: `up.{L−1}` first, each level narrowing to its width. */
export function decoderPlan(c: MagvitConfig): DecoderPlan {
  const { channels, numResBlocks } = c.decoder
  const top = channels[channels.length - 1] ?? 0
  let width = top
  const levels: LevelSpec[] = []
  for (let l = channels.length - 1; l >= 0; l--) {
    const out = channels[l] ?? 0
    const blocks: ResBlockSpec[] = []
    for (let b = 0; b < (numResBlocks[l] ?? 0); b++) {
      blocks.push({ name: `decoder.up.${l}.block.${b}`, inChannels: width, outChannels: out })
      width = out
    }
    const resample: ConvSpec | undefined =
      l === 0
        ? undefined
        : {
            name: `decoder.up.${l}.upsample.conv`,
            inChannels: width,
            outChannels: width,
            kernel: 3,
          }
    levels.push({ blocks, resample })
  }
  const bottom = channels[0] ?? 0
  return {
    postQuantConv: {
      name: 'decoder.post_quant_conv',
      inChannels: c.zChannels,
      outChannels: c.zChannels,
      kernel: 1,
    },
    convIn: { name: 'decoder.conv_in', inChannels: c.zChannels, outChannels: top, kernel: 3 },
    mid: mid('decoder', top),
    levels,
    normOut: { name: 'decoder.norm_out', channels: bottom },
    convOut: {
      name: 'decoder.conv_out',
      inChannels: bottom,
      outChannels: c.imageChannels,
      kernel: 3,
    },
  }
}
