import type { Checkpoint } from '../checkpoint/checkpoint.ts'
import { GraphBuilder, int } from '../onnx/graph-builder.ts'
import { ONNX_DATA_TYPE } from '../onnx/tensor-type.ts'
import { MagvitBlocks } from './magvit-blocks.ts'
import type { MagvitConfig } from './magvit-config.ts'
import { decoderPlan, encoderPlan, type LevelSpec } from './magvit-plan.ts'
import type { ProgressSink, WeightWriter } from './weight-writer.ts'

/**
 * Graph input/output names of `vq-encoder` and `vq-decoder`: the contract between the converter and
 * the engine. Both graphs take and give float32 pixels and int64 codes whatever the weights' type.
 * - `vq-encoder`: `pixels` float32 [batch, 3, height, width] in [−1, 1] → `codes` int64
 *   [batch, height / f, width / f] (raster order, channel 0 = most significant bit) and `latents`
 *   float32 [batch, z, height / f, width / f] (the `quant_conv` output the codes are the signs of).
 * - `vq-decoder`: `codes` int64 [batch, h, w] → `pixels` float32 [batch, 3, h · f, w · f], unclamped
 *   (nominally [−1, 1]).
 */
export const MAGVIT_IO = {
  pixels: 'pixels',
  codes: 'codes',
  latents: 'latents',
} as const

/** Where a graph's weights come from and go to. */
export interface MagvitGraphSource {
  config: MagvitConfig
  ckpt: Checkpoint
  weights: WeightWriter
  /** Told the source elements written; the weight writer reports its own. */
  progress?: ProgressSink
}

const IMAGE_DIMS = ['batch', 'height', 'width'] as const
const LATENT_DIMS = ['batch', 'latent_height', 'latent_width'] as const

/** Serialises the encoder: pixels → blocks → quant_conv → LFQ codes (spec §5.2, §5.3). */
export function buildVqEncoderGraph(source: MagvitGraphSource): Uint8Array {
  const { config: c } = source
  const g = new GraphBuilder('magvit_vq_encoder')
  const b = new MagvitBlocks(g, source.ckpt, source.weights, source.progress)
  const t = b.type
  const plan = encoderPlan(c)
  const [batch, height, width] = IMAGE_DIMS
  const pixels = g.input(MAGVIT_IO.pixels, 'float32', [batch, c.imageChannels, height, width])

  let h = b.conv(cast(g, pixels, 'float32', t), plan.convIn)
  h = runLevels(b, h, plan.levels, 'down')
  h = b.mid(h, plan.mid)
  h = b.conv(b.swish(b.groupNorm(h, plan.normOut.name, plan.normOut.channels)), plan.convOut)
  const latents = b.conv(h, plan.quantConv)

  // bit_c = z_c > 0 (zero counts as −1); code = Σ bit_c · 2^(z−1−c). Summed in float32, which is
  // exact below 2^24, because WebGPU has no int64 arithmetic; only the result is cast to int64.
  const z = c.zChannels
  const bits = g.node('Cast', [g.node('Greater', [latents, g.floats('zero', t, [0], [])])], {
    to: int(ONNX_DATA_TYPE.float32),
  })
  const powers = Array.from({ length: z }, (_, ch) => 2 ** (z - 1 - ch))
  const weighted = g.node('Mul', [bits, g.floats('bit_values', 'float32', powers, [1, z, 1, 1])])
  const sum = g.node('ReduceSum', [weighted, g.int64s('channel_axis', [1])], { keepdims: int(0) })
  const codes = g.node('Cast', [sum], { to: int(ONNX_DATA_TYPE.int64) })

  const [, latentHeight, latentWidth] = LATENT_DIMS
  g.output(codes, MAGVIT_IO.codes, 'int64', [batch, latentHeight, latentWidth])
  g.output(cast(g, latents, t, 'float32'), MAGVIT_IO.latents, 'float32', [
    batch,
    z,
    latentHeight,
    latentWidth,
  ])
  return g.toBytes(
    `MAGVIT-v2 encoder: pixels in [-1, 1] → LFQ codes (downsample ${c.downsample}, ${c.codebookSize} codes)`
  )
}

/** Serialises the decoder: codes → LFQ code vectors → post_quant_conv → blocks → pixels (spec §5.2, §5.3). */
export function buildVqDecoderGraph(source: MagvitGraphSource): Uint8Array {
  const { config: c } = source
  const g = new GraphBuilder('magvit_vq_decoder')
  const b = new MagvitBlocks(g, source.ckpt, source.weights, source.progress)
  const t = b.type
  const plan = decoderPlan(c)
  const [batch, latentHeight, latentWidth] = LATENT_DIMS
  const codes = g.input(MAGVIT_IO.codes, 'int64', [batch, latentHeight, latentWidth])

  // Code vector_c = bit (z−1−c) of the code, as ±1. In float32 (exact below 2^24, no int64
  // arithmetic on WebGPU): shifted = floor(code / 2^(z−1−c)) is an exact scaling plus Floor, and
  // its lowest bit is shifted − 2·floor(shifted / 2). One [batch, z, h, w] tensor, no Gather.
  const z = c.zChannels
  const asFloat = g.node('Cast', [codes], { to: int(ONNX_DATA_TYPE.float32) })
  const column = g.node('Unsqueeze', [asFloat, g.int64s('channel_axis', [1])])
  const inverse = Array.from({ length: z }, (_, ch) => 2 ** -(z - 1 - ch))
  const shifted = g.node('Floor', [
    g.node('Mul', [column, g.floats('bit_scale', 'float32', inverse, [1, z, 1, 1])]),
  ])
  const half = g.node('Floor', [g.node('Mul', [shifted, g.floats('half', 'float32', [0.5], [])])])
  const bit = g.node('Sub', [shifted, g.node('Mul', [half, g.floats('two', 'float32', [2], [])])])
  const signs = g.node('Sub', [
    g.node('Mul', [bit, g.floats('two', 'float32', [2], [])]),
    g.floats('one', 'float32', [1], []),
  ])

  let h = b.conv(cast(g, signs, 'float32', t), plan.postQuantConv)
  h = b.conv(h, plan.convIn)
  h = b.mid(h, plan.mid)
  h = runLevels(b, h, plan.levels, 'up')
  h = b.conv(b.swish(b.groupNorm(h, plan.normOut.name, plan.normOut.channels)), plan.convOut)

  const [, height, width] = IMAGE_DIMS
  g.output(cast(g, h, t, 'float32'), MAGVIT_IO.pixels, 'float32', [
    batch,
    c.imageChannels,
    height,
    width,
  ])
  return g.toBytes(`MAGVIT-v2 decoder: LFQ codes → pixels (upsample ${c.downsample}, unclamped)`)
}

function runLevels(
  b: MagvitBlocks,
  x: string,
  levels: readonly LevelSpec[],
  direction: 'down' | 'up'
): string {
  let h = x
  for (const level of levels) {
    for (const block of level.blocks) {
      h = b.resBlock(h, block)
    }
    if (level.resample) {
      h = direction === 'down' ? b.downsample(h, level.resample) : b.upsample(h, level.resample)
    }
  }
  return h
}

/** Casts at the graph's edges, so callers only ever see float32 pixels and latents. */
function cast(
  g: GraphBuilder,
  x: string,
  from: 'float32' | 'float16',
  to: 'float32' | 'float16'
): string {
  return from === to ? x : g.node('Cast', [x], { to: int(ONNX_DATA_TYPE[to]) })
}
