import { float, type GraphBuilder, int, MS } from '../onnx/graph-builder.ts'
import type { PhiConfig } from './phi-config.ts'
import type { LayerWeights } from './transformer-weights.ts'

/** The graph names of one layer's weights. */
export interface LayerNames {
  inputNormW: string
  inputNormB: string
  qkvW: string
  qkvB: string
  qNormW: string
  qNormB: string
  kNormW: string
  kNormB: string
  denseW: string
  fc1W: string
  fc1B: string
  fc2W: string
  deltaBias: string
}

/** Declares one layer's weights in the graph; dense and fc2 biases are summed once here. */
export function layerNames(g: GraphBuilder, l: number, w: LayerWeights): LayerNames {
  const p = `layers.${l}.`
  const deltaBias = g.node('Add', [
    g.external(`${p}dense.bias`, w.dense.bias),
    g.external(`${p}fc2.bias`, w.fc2.bias),
  ])
  return {
    inputNormW: g.external(`${p}input_norm.weight`, w.inputNorm.weight),
    inputNormB: g.external(`${p}input_norm.bias`, w.inputNorm.bias),
    qkvW: g.external(`${p}qkv.weight`, w.qkv.weight),
    qkvB: g.external(`${p}qkv.bias`, w.qkv.bias),
    qNormW: g.external(`${p}q_norm.weight`, w.qNorm.weight),
    qNormB: g.external(`${p}q_norm.bias`, w.qNorm.bias),
    kNormW: g.external(`${p}k_norm.weight`, w.kNorm.weight),
    kNormB: g.external(`${p}k_norm.bias`, w.kNorm.bias),
    denseW: g.external(`${p}dense.weight`, w.dense.weight),
    fc1W: g.external(`${p}fc1.weight`, w.fc1.weight),
    fc1B: g.external(`${p}fc1.bias`, w.fc1.bias),
    fc2W: g.external(`${p}fc2.weight`, w.fc2.weight),
    deltaBias,
  }
}

/** The values a block reads besides its weights. */
export interface BlockInputs {
  /** The block's LayerNorm output. */
  normed: string
  positions: string
  cos: string
  sin: string
  /** The omni-attention mask as an additive bias. */
  bias: string
  pastKey: string | undefined
  pastValue: string | undefined
}

/**
 * One Phi block on the normed input: attention and MLP in parallel (spec §8.2). Returns their summed
 * MatMul outputs; the biases (dense + fc2) are added by the next SkipLayerNormalization.
 */
export function buildBlock(
  g: GraphBuilder,
  c: PhiConfig,
  l: number,
  n: LayerNames,
  inputs: BlockInputs
): { delta: string; deltaBias: string; presentKey: string; presentValue: string } {
  const { normed, positions, cos, sin, bias, pastKey, pastValue } = inputs
  const H = c.hiddenSize
  const qkv = g.node('Add', [g.node('MatMul', [normed, n.qkvW]), n.qkvB])
  const [q = '', k = '', v = ''] = g.nodeN(
    'Split',
    [qkv, g.int64s('split', [H, H, H])],
    { axis: int(-1) },
    { outputs: 3 }
  )
  // q/k LayerNorm per head, after the head reshape and before RoPE (spec §8.1).
  const headNorm = (x: string, w: string, b: string): string =>
    g.node('Reshape', [
      g.node(
        'LayerNormalization',
        [g.node('Reshape', [x, g.int64s('heads', [0, 0, c.numHeads, c.headDim])]), w, b],
        {
          axis: int(-1),
          epsilon: float(c.layerNormEps),
        }
      ),
      g.int64s('merge', [0, 0, H]),
    ])
  const rotary = (x: string): string =>
    g.node(
      'RotaryEmbedding',
      [x, positions, cos, sin],
      { interleaved: int(0), num_heads: int(c.numHeads), rotary_embedding_dim: int(c.rotaryDim) },
      { domain: MS }
    )
  const qr = rotary(headNorm(q, n.qNormW, n.qNormB))
  const kr = rotary(headNorm(k, n.kNormW, n.kNormB))
  const [attn = '', presentKey = '', presentValue = ''] = g.nodeN(
    'MultiHeadAttention',
    [qr, kr, v, '', '', bias, pastKey ?? '', pastValue ?? ''],
    { num_heads: int(c.numHeads), scale: float(1 / Math.sqrt(c.headDim)) },
    { domain: MS, outputs: 3, name: `layers.${l}.attention` }
  )
  const attnOut = g.node('MatMul', [attn, n.denseW])
  const mlp = g.node('MatMul', [
    g.node('FastGelu', [g.node('MatMul', [normed, n.fc1W]), n.fc1B], {}, { domain: MS }),
    n.fc2W,
  ])
  return { delta: g.node('Add', [attnOut, mlp]), deltaBias: n.deltaBias, presentKey, presentValue }
}
