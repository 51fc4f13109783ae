import type { Checkpoint } from '../checkpoint/checkpoint.ts'
import { float, type GraphBuilder, int, ints, str } from '../onnx/graph-builder.ts'
import { MAGVIT_GROUPS, MAGVIT_NORM_EPS } from './magvit-config.ts'
import type { ConvSpec, MidSpec, ResBlockSpec } from './magvit-plan.ts'
import type { ProgressSink, WeightWriter } from './weight-writer.ts'

/**
 * The MAGVIT-v2 building blocks (spec §5.1) as ONNX nodes, each pulling its weights from the
 * checkpoint into the graph's data file as it is built. Only plain ops that the CPU, CUDA and WebGPU
 * EPs all implement: Conv, Reshape + InstanceNormalization for GroupNorm, Sigmoid·Mul, Pad, Resize,
 * MatMul/Softmax. Activations are NCHW in the weights' float type.
 */
export class MagvitBlocks {
  private groupConstants: { shape: string; ones: string; zeros: string } | undefined

  constructor(
    private readonly g: GraphBuilder,
    private readonly ckpt: Checkpoint,
    private readonly w: WeightWriter,
    private readonly progress: ProgressSink = () => undefined
  ) {}

  /** Float type of weights and activations. */
  get type(): 'float32' | 'float16' {
    return this.w.type
  }

  /** A convolution with `same` padding (3×3 pads 1, 1×1 pads 0), stride 1. */
  conv(x: string, spec: ConvSpec): string {
    const pad = (spec.kernel - 1) / 2
    return this.convWith(x, spec, [pad, pad, pad, pad], 1)
  }

  /**
   * GroupNorm(32, eps 1e-6) with affine: InstanceNormalization over [batch, groups, rest] normalises
   * each group over its channels and pixels, then the per-channel scale and shift apply.
   */
  groupNorm(x: string, name: string, channels: number): string {
    const g = this.g
    const { shape, ones, zeros } = (this.groupConstants ??= {
      shape: g.int64s('groups', [0, MAGVIT_GROUPS, -1]),
      ones: g.floats('gn_one', this.type, new Array<number>(MAGVIT_GROUPS).fill(1)),
      zeros: g.floats('gn_zero', this.type, new Array<number>(MAGVIT_GROUPS).fill(0)),
    })
    const grouped = g.node('Reshape', [x, shape])
    const normed = g.node('InstanceNormalization', [grouped, ones, zeros], {
      epsilon: float(MAGVIT_NORM_EPS),
    })
    const back = g.node('Reshape', [normed, g.node('Shape', [x])])
    // The checkpoint's [C] scale and shift, declared [C, 1, 1] so they broadcast over H and W.
    const perChannel = [channels, 1, 1]
    const scale = g.external(`${name}.weight`, {
      ...this.w.copy(this.ckpt, `${name}.weight`),
      dims: perChannel,
    })
    const shift = g.external(`${name}.bias`, {
      ...this.w.copy(this.ckpt, `${name}.bias`),
      dims: perChannel,
    })
    return g.node('Add', [g.node('Mul', [back, scale]), shift])
  }

  /** swish(x) = x · sigmoid(x); ORT fuses the pair where it has a kernel for it. */
  swish(x: string): string {
    return this.g.node('Mul', [x, this.g.node('Sigmoid', [x])])
  }

  /** GN → swish → conv3×3 → GN → swish → conv3×3, plus the input (through a 1×1 conv when the width changes). */
  resBlock(x: string, b: ResBlockSpec): string {
    const conv = (name: string, inChannels: number, kernel: 1 | 3): ConvSpec => ({
      name: `${b.name}.${name}`,
      inChannels,
      outChannels: b.outChannels,
      kernel,
    })
    let h = this.swish(this.groupNorm(x, `${b.name}.norm1`, b.inChannels))
    h = this.conv(h, conv('conv1', b.inChannels, 3))
    h = this.swish(this.groupNorm(h, `${b.name}.norm2`, b.outChannels))
    h = this.conv(h, conv('conv2', b.outChannels, 3))
    const shortcut =
      b.inChannels === b.outChannels ? x : this.conv(x, conv('nin_shortcut', b.inChannels, 1))
    return this.g.node('Add', [shortcut, h])
  }

  /**
   * Single-head self-attention over the H·W positions: GN, q/k/v 1×1 convs (one fused conv, with the
   * c^−0.5 scale folded into q's weights so fp16 scores stay small), softmax over keys, 1×1
   * `proj_out`, residual. Kept as MatMul → Softmax → MatMul; the transposes are of [C, HW], never of
   * the [HW, HW] scores.
   */
  attention(x: string, name: string, channels: number): string {
    const g = this.g
    const h = this.groupNorm(x, `${name}.norm`, channels)
    const qkv = g.node('Conv', [h, ...this.qkvWeights(name, channels)], {
      kernel_shape: ints([1, 1]),
      pads: ints([0, 0, 0, 0]),
      strides: ints([1, 1]),
    })
    const flat = g.node('Reshape', [qkv, g.int64s('qkv_shape', [0, 3 * channels, -1])])
    const [q = '', k = '', v = ''] = g.nodeN(
      'Split',
      [flat, g.int64s('split', [channels, channels, channels])],
      { axis: int(1) },
      { outputs: 3 }
    )
    const toRows = (m: string): string => g.node('Transpose', [m], { perm: ints([0, 2, 1]) })
    const scores = g.node('MatMul', [toRows(q), k]) // [batch, HW queries, HW keys]
    const probs = g.node('Softmax', [scores], { axis: int(-1) })
    const attended = toRows(g.node('MatMul', [probs, toRows(v)])) // back to [batch, C, HW]
    const grid = g.node('Reshape', [attended, g.node('Shape', [x])])
    const out = this.conv(grid, {
      name: `${name}.proj_out`,
      inChannels: channels,
      outChannels: channels,
      kernel: 1,
    })
    return g.node('Add', [x, out])
  }

  /** Mid section: ResnetBlock, attention, ResnetBlock. */
  mid(x: string, m: MidSpec): string {
    const h = this.resBlock(x, m.block1)
    return this.resBlock(this.attention(h, m.attention.name, m.attention.channels), m.block2)
  }

  /** Zero-pad right and bottom by one, then a 3×3 stride-2 valid conv (spec §8.12). */
  downsample(x: string, spec: ConvSpec): string {
    // An explicit Pad rather than asymmetric Conv pads: not every EP's conv accepts those, and ORT
    // folds Pad into Conv where its kernel can.
    const padded = this.g.node('Pad', [x, this.g.int64s('pads', [0, 0, 0, 0, 0, 0, 1, 1])], {
      mode: str('constant'),
    })
    return this.convWith(padded, spec, [0, 0, 0, 0], 2)
  }

  /**
   * Nearest ×2 as torch's F.interpolate(scale_factor=2, mode='nearest') does it: source index
   * floor(i / 2), i.e. `asymmetric` coordinates with `floor` rounding. Then a 3×3 conv.
   */
  upsample(x: string, spec: ConvSpec): string {
    const g = this.g
    const scaled = g.node('Resize', [x, '', g.floats('scales', 'float32', [1, 1, 2, 2])], {
      mode: str('nearest'),
      coordinate_transformation_mode: str('asymmetric'),
      nearest_mode: str('floor'),
    })
    return this.conv(scaled, spec)
  }

  private convWith(x: string, spec: ConvSpec, pads: readonly number[], stride: number): string {
    const weight = this.g.external(
      `${spec.name}.weight`,
      this.w.copy(this.ckpt, `${spec.name}.weight`)
    )
    const bias = this.g.external(`${spec.name}.bias`, this.w.copy(this.ckpt, `${spec.name}.bias`))
    return this.g.node('Conv', [x, weight, bias], {
      kernel_shape: ints([spec.kernel, spec.kernel]),
      pads: ints(pads),
      strides: ints([stride, stride]),
    })
  }

  /** q, k and v stacked into one [3C, C, 1, 1] conv; q's weight and bias carry the c^−0.5 scale. */
  private qkvWeights(name: string, channels: number): [string, string] {
    const scale = Math.fround(channels ** -0.5)
    const weight = new Float32Array(3 * channels * channels)
    const bias = new Float32Array(3 * channels)
    ;['q', 'k', 'v'].forEach((proj, i) => {
      const wk = this.ckpt.read(`${name}.${proj}.weight`)
      const bk = this.ckpt.read(`${name}.${proj}.bias`)
      const s = proj === 'q' ? scale : 1
      weight.set(
        wk.map((value) => value * s),
        i * channels * channels
      )
      bias.set(
        bk.map((value) => value * s),
        i * channels
      )
      this.progress(wk.length + bk.length)
    })
    return [
      this.g.external(`${name}.qkv.weight`, this.w.values(weight, [3 * channels, channels, 1, 1])),
      this.g.external(`${name}.qkv.bias`, this.w.values(bias, [3 * channels])),
    ]
  }
}
