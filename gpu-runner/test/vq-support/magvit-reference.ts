import type { Checkpoint } from '../../src/checkpoint/checkpoint.ts'
import {
  MAGVIT_GROUPS,
  MAGVIT_NORM_EPS,
  type MagvitConfig,
} from '../../src/convert/magvit-config.ts'
import {
  type ConvSpec,
  decoderPlan,
  encoderPlan,
  type LevelSpec,
  type MidSpec,
  type ResBlockSpec,
} from '../../src/convert/magvit-plan.ts'

// A plain-loop, float64 MAGVIT-v2 written straight from the spec (§5.1–5.3), one image at a time, to
// check the ONNX graphs where no reference vectors exist (other resolutions, non-square images,
// batches). Slow and simple on purpose: explicit row/column loops leave no room for H/W mix-ups.

/** One image's activations: [channels, height, width]. */
interface Map3 {
  c: number
  h: number
  w: number
  data: Float64Array
}

const at = (m: Map3, c: number, y: number, x: number): number =>
  m.data[(c * m.h + y) * m.w + x] ?? 0

/** The reference, reading weights from a checkpoint. */
export class MagvitReference {
  private readonly cache = new Map<string, Float32Array>()

  constructor(
    private readonly ckpt: Checkpoint,
    private readonly config: MagvitConfig
  ) {}

  /** Encoder + quant_conv for one image [3, H, W]: latents [z, h, w] and codes [h·w] (raster). */
  encode(
    pixels: Float32Array,
    height: number,
    width: number
  ): { latents: Float64Array; codes: number[] } {
    const p = encoderPlan(this.config)
    let x: Map3 = {
      c: this.config.imageChannels,
      h: height,
      w: width,
      data: Float64Array.from(pixels),
    }
    x = this.conv(x, p.convIn, 1, [1, 1, 1, 1])
    x = this.levels(x, p.levels, 'down')
    x = this.mid(x, p.mid)
    x = this.conv(swish(this.groupNorm(x, p.normOut.name)), p.convOut, 1, [1, 1, 1, 1])
    const z = this.conv(x, p.quantConv, 1, [0, 0, 0, 0])
    const codes: number[] = []
    for (let i = 0; i < z.h * z.w; i++) {
      let code = 0
      for (let c = 0; c < z.c; c++) {
        code = code * 2 + ((z.data[c * z.h * z.w + i] ?? 0) > 0 ? 1 : 0)
      }
      codes.push(code)
    }
    return { latents: z.data, codes }
  }

  /** Code vectors + decoder for one grid of codes [h, w] (raster): pixels [3, H, W]. */
  decode(codes: readonly number[], h: number, w: number): Float64Array {
    const p = decoderPlan(this.config)
    const zc = this.config.zChannels
    let x: Map3 = { c: zc, h, w, data: new Float64Array(zc * h * w) }
    for (let i = 0; i < h * w; i++) {
      for (let c = 0; c < zc; c++) {
        x.data[c * h * w + i] = (((codes[i] ?? 0) >> (zc - 1 - c)) & 1) * 2 - 1
      }
    }
    x = this.conv(x, p.postQuantConv, 1, [0, 0, 0, 0])
    x = this.conv(x, p.convIn, 1, [1, 1, 1, 1])
    x = this.mid(x, p.mid)
    x = this.levels(x, p.levels, 'up')
    return this.conv(swish(this.groupNorm(x, p.normOut.name)), p.convOut, 1, [1, 1, 1, 1]).data
  }

  private levels(x: Map3, levels: readonly LevelSpec[], direction: 'down' | 'up'): Map3 {
    let h = x
    for (const level of levels) {
      for (const block of level.blocks) {
        h = this.resBlock(h, block)
      }
      if (level.resample && direction === 'down') {
        h = this.conv(h, level.resample, 2, [0, 0, 1, 1]) // top, left, bottom, right
      } else if (level.resample) {
        h = this.conv(nearest2x(h), level.resample, 1, [1, 1, 1, 1])
      }
    }
    return h
  }

  private mid(x: Map3, m: MidSpec): Map3 {
    return this.resBlock(this.attention(this.resBlock(x, m.block1), m.attention.name), m.block2)
  }

  private resBlock(x: Map3, b: ResBlockSpec): Map3 {
    const spec = (name: string, inChannels: number, kernel: 1 | 3): ConvSpec => ({
      name: `${b.name}.${name}`,
      inChannels,
      outChannels: b.outChannels,
      kernel,
    })
    let h = this.conv(
      swish(this.groupNorm(x, `${b.name}.norm1`)),
      spec('conv1', b.inChannels, 3),
      1,
      [1, 1, 1, 1]
    )
    h = this.conv(
      swish(this.groupNorm(h, `${b.name}.norm2`)),
      spec('conv2', b.outChannels, 3),
      1,
      [1, 1, 1, 1]
    )
    const shortcut =
      b.inChannels === b.outChannels
        ? x
        : this.conv(x, spec('nin_shortcut', b.inChannels, 1), 1, [0, 0, 0, 0])
    return add(shortcut, h)
  }

  private attention(x: Map3, name: string): Map3 {
    const n = this.groupNorm(x, `${name}.norm`)
    const proj = (p: string): Map3 =>
      this.conv(
        n,
        { name: `${name}.${p}`, inChannels: x.c, outChannels: x.c, kernel: 1 },
        1,
        [0, 0, 0, 0]
      )
    const [q, k, v] = [proj('q'), proj('k'), proj('v')]
    const positions = x.h * x.w
    const out: Map3 = { c: x.c, h: x.h, w: x.w, data: new Float64Array(x.c * positions) }
    const scores = new Float64Array(positions)
    for (let i = 0; i < positions; i++) {
      let max = -Infinity
      for (let j = 0; j < positions; j++) {
        let s = 0
        for (let c = 0; c < x.c; c++) {
          s += (q.data[c * positions + i] ?? 0) * (k.data[c * positions + j] ?? 0)
        }
        scores[j] = s / Math.sqrt(x.c)
        max = Math.max(max, scores[j] ?? 0)
      }
      let total = 0
      for (let j = 0; j < positions; j++) {
        scores[j] = Math.exp((scores[j] ?? 0) - max)
        total += scores[j] ?? 0
      }
      for (let c = 0; c < x.c; c++) {
        let s = 0
        for (let j = 0; j < positions; j++) {
          s += ((scores[j] ?? 0) / total) * (v.data[c * positions + j] ?? 0)
        }
        out.data[c * positions + i] = s
      }
    }
    return add(
      x,
      this.conv(
        out,
        { name: `${name}.proj_out`, inChannels: x.c, outChannels: x.c, kernel: 1 },
        1,
        [0, 0, 0, 0]
      )
    )
  }

  /** GroupNorm(32): each group of channels normalised over its channels and pixels, then affine. */
  private groupNorm(x: Map3, name: string): Map3 {
    const gamma = this.tensor(`${name}.weight`)
    const beta = this.tensor(`${name}.bias`)
    const per = x.c / MAGVIT_GROUPS
    const size = per * x.h * x.w
    const out: Map3 = { ...x, data: new Float64Array(x.data.length) }
    for (let g = 0; g < MAGVIT_GROUPS; g++) {
      const start = g * size
      let mean = 0
      for (let i = 0; i < size; i++) {
        mean += x.data[start + i] ?? 0
      }
      mean /= size
      let variance = 0
      for (let i = 0; i < size; i++) {
        variance += ((x.data[start + i] ?? 0) - mean) ** 2
      }
      variance /= size
      const inv = 1 / Math.sqrt(variance + MAGVIT_NORM_EPS)
      for (let i = 0; i < size; i++) {
        const c = g * per + Math.floor(i / (x.h * x.w))
        out.data[start + i] =
          ((x.data[start + i] ?? 0) - mean) * inv * (gamma[c] ?? 0) + (beta[c] ?? 0)
      }
    }
    return out
  }

  /** Cross-correlation with zero padding [top, left, bottom, right], as torch's Conv2d. */
  private conv(
    x: Map3,
    spec: ConvSpec,
    stride: number,
    pads: readonly [number, number, number, number]
  ): Map3 {
    const weight = this.tensor(`${spec.name}.weight`)
    const bias = this.tensor(`${spec.name}.bias`)
    const k = spec.kernel
    const [top, left, bottom, right] = pads
    const h = Math.floor((x.h + top + bottom - k) / stride) + 1
    const w = Math.floor((x.w + left + right - k) / stride) + 1
    const out: Map3 = {
      c: spec.outChannels,
      h,
      w,
      data: new Float64Array(spec.outChannels * h * w),
    }
    for (let o = 0; o < spec.outChannels; o++) {
      for (let y = 0; y < h; y++) {
        for (let xo = 0; xo < w; xo++) {
          let s = bias[o] ?? 0
          for (let i = 0; i < x.c; i++) {
            for (let ky = 0; ky < k; ky++) {
              const sy = y * stride + ky - top
              if (sy < 0 || sy >= x.h) {
                continue
              }
              for (let kx = 0; kx < k; kx++) {
                const sx = xo * stride + kx - left
                if (sx >= 0 && sx < x.w) {
                  s += (weight[((o * x.c + i) * k + ky) * k + kx] ?? 0) * at(x, i, sy, sx)
                }
              }
            }
          }
          out.data[(o * h + y) * w + xo] = s
        }
      }
    }
    return out
  }

  private tensor(name: string): Float32Array {
    let t = this.cache.get(name)
    if (!t) {
      t = this.ckpt.read(name)
      this.cache.set(name, t)
    }
    return t
  }
}

function swish(x: Map3): Map3 {
  return { ...x, data: x.data.map((v) => v / (1 + Math.exp(-v))) }
}

function add(a: Map3, b: Map3): Map3 {
  return { ...a, data: a.data.map((v, i) => v + (b.data[i] ?? 0)) }
}

/** torch F.interpolate(scale_factor=2, mode='nearest'): output (y, x) reads (⌊y/2⌋, ⌊x/2⌋). */
function nearest2x(x: Map3): Map3 {
  const h = x.h * 2
  const w = x.w * 2
  const out: Map3 = { c: x.c, h, w, data: new Float64Array(x.c * h * w) }
  for (let c = 0; c < x.c; c++) {
    for (let y = 0; y < h; y++) {
      for (let xo = 0; xo < w; xo++) {
        out.data[(c * h + y) * w + xo] = at(x, c, Math.floor(y / 2), Math.floor(xo / 2))
      }
    }
  }
  return out
}
