import type { Checkpoint } from '../checkpoint/checkpoint.ts'
import type { ExternalTensor } from '../onnx/graph-builder.ts'
import type { PhiConfig } from './phi-config.ts'
import type { WeightWriter } from './weight-writer.ts'

/** A Linear layer laid out for MatMul: weight [in, out], bias [out]. */
export interface Linear {
  weight: ExternalTensor
  bias: ExternalTensor
}

/** LayerNorm scale and shift. */
export interface Norm {
  weight: ExternalTensor
  bias: ExternalTensor
}

/** One transformer block's weights. */
export interface LayerWeights {
  inputNorm: Norm
  /** q, k and v projections fused into one [hidden, 3·hidden] MatMul. */
  qkv: Linear
  qNorm: Norm
  kNorm: Norm
  dense: Linear
  fc1: Linear
  fc2: Linear
}

/** Every weight the transformer graphs reference, in one external data file. */
export interface TransformerWeights {
  embed: ExternalTensor
  layers: LayerWeights[]
  finalNorm: Norm
  /** [hidden, vocab]: the full-vocabulary head (understanding, the reference graph). */
  lmHead: Linear
  /** [hidden, codebook]: the head sliced to the image-codebook columns (denoising). */
  imageHead: Linear | undefined
  /** [maxPositions, rotaryDim / 2] RoPE tables. */
  cos: ExternalTensor
  sin: ExternalTensor
}

/** Which vocabulary columns are image codes, for the sliced head. */
export interface ImageColumns {
  offset: number
  count: number
}

/** Writes the transformer's weights in graph layout; `imageColumns` adds the sliced head. */
export function writeTransformerWeights(
  ckpt: Checkpoint,
  prefix: string,
  config: PhiConfig,
  w: WeightWriter,
  imageColumns?: ImageColumns
): TransformerWeights {
  const p = (name: string): string => `${prefix}${name}`
  const norm = (name: string): Norm => ({
    weight: w.copy(ckpt, p(`${name}.weight`)),
    bias: w.copy(ckpt, p(`${name}.bias`)),
  })
  const linear = (name: string): Linear => ({
    weight: w.transposed(ckpt, p(`${name}.weight`)),
    bias: w.copy(ckpt, p(`${name}.bias`)),
  })
  const embed = w.copy(ckpt, p('model.embed_tokens.weight'))
  const layers: LayerWeights[] = []
  for (let i = 0; i < config.numLayers; i++) {
    const l = `model.layers.${i}.`
    const qkvNames = ['q_proj', 'k_proj', 'v_proj'].map((n) => p(`${l}self_attn.${n}`))
    layers.push({
      inputNorm: norm(`${l}input_layernorm`),
      qkv: {
        weight: w.concatTransposed(
          ckpt,
          qkvNames.map((n) => `${n}.weight`)
        ),
        bias: w.concat(
          ckpt,
          qkvNames.map((n) => `${n}.bias`)
        ),
      },
      qNorm: norm(`${l}self_attn.q_layernorm`),
      kNorm: norm(`${l}self_attn.k_layernorm`),
      dense: linear(`${l}self_attn.dense`),
      fc1: linear(`${l}mlp.fc1`),
      fc2: linear(`${l}mlp.fc2`),
    })
  }
  const finalNorm = norm('model.final_layernorm')
  const lmHead = linear('lm_head')
  const imageHead = imageColumns && {
    weight: w.transposed(ckpt, p('lm_head.weight'), imageColumns.offset, imageColumns.count),
    bias: w.values(
      ckpt
        .read(p('lm_head.bias'))
        .slice(imageColumns.offset, imageColumns.offset + imageColumns.count),
      [imageColumns.count]
    ),
  }
  const { cos, sin } = rotaryTables(config)
  const half = config.rotaryDim / 2
  return {
    embed,
    layers,
    finalNorm,
    lmHead,
    imageHead,
    cos: w.values(cos, [config.maxPositions, half]),
    sin: w.values(sin, [config.maxPositions, half]),
  }
}

/**
 * RoPE tables computed the way transformers' Phi does in float32: inv_freq = 1 / θ^(2i/d), angle =
 * position · inv_freq, each step rounded to float32 (spec §8.3).
 */
export function rotaryTables(config: PhiConfig): { cos: Float32Array; sin: Float32Array } {
  const half = config.rotaryDim / 2
  const invFreq = Array.from({ length: half }, (_, i) =>
    Math.fround(
      1 / Math.fround(Math.pow(config.ropeTheta, Math.fround((2 * i) / config.rotaryDim)))
    )
  )
  const cos = new Float32Array(config.maxPositions * half)
  const sin = new Float32Array(config.maxPositions * half)
  for (let pos = 0; pos < config.maxPositions; pos++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(pos * (invFreq[i] ?? 0))
      cos[pos * half + i] = Math.cos(angle)
      sin[pos * half + i] = Math.sin(angle)
    }
  }
  return { cos, sin }
}
