import { float, GraphBuilder, int, MS } from '../onnx/graph-builder.ts'
import { ONNX_DATA_TYPE, type WeightDtype, floatType } from '../onnx/tensor-type.ts'
import { buildOmniMask, type MaskTokens } from './omni-mask.ts'
import type { PhiConfig } from './phi-config.ts'
import { buildBlock, layerNames } from './transformer-block.ts'
import type { TransformerWeights } from './transformer-weights.ts'

/**
 * The transformer graphs (DESIGN §2). All share one weight file.
 * - `prefill`: a text block → its key/value cache (text rows never attend to image rows).
 * - `denoise`: `<soi>` image `<eoi>` after a cached text block → logits of the image rows over the
 *   codebook columns only.
 * - `decode`: new tokens after a cache → full-vocabulary logits and the extended cache.
 * - `full`: a whole sequence → full-vocabulary logits; the reference computation, no cache.
 */
export type TransformerGraphKind = 'prefill' | 'denoise' | 'decode' | 'full'

/** Everything needed to write one transformer graph. */
export interface TransformerGraphSpec {
  kind: TransformerGraphKind
  config: PhiConfig
  tokens: MaskTokens
  dtype: WeightDtype
  weights: TransformerWeights
}

/** Graph input/output names: the contract between the converter and the engine. */
export const TRANSFORMER_IO = {
  inputIds: 'input_ids',
  pastKey: (layer: number) => `past_key.${layer}`,
  pastValue: (layer: number) => `past_value.${layer}`,
  presentKey: (layer: number) => `present_key.${layer}`,
  presentValue: (layer: number) => `present_value.${layer}`,
  logits: 'logits',
  nextTokens: 'next_tokens',
  imageLogits: 'image_logits',
  topK: 'top_k',
  topLogits: 'top_logits',
  topIndices: 'top_indices',
  logSumExp: 'logsumexp',
} as const

/** Serialises one transformer graph. */
export function buildTransformerGraph(spec: TransformerGraphSpec): Uint8Array {
  const { kind, config: c, weights: w } = spec
  const t = floatType(spec.dtype)
  const g = new GraphBuilder(`showo_${kind}`)
  const io = TRANSFORMER_IO
  const hasPast = kind === 'denoise' || kind === 'decode'
  const wantPresent = kind === 'prefill' || kind === 'decode'

  const ids = g.input(io.inputIds, 'int64', ['batch', 'total'])
  const pastKeys: string[] = []
  const pastValues: string[] = []
  if (hasPast) {
    for (let l = 0; l < c.numLayers; l++) {
      pastKeys.push(g.input(io.pastKey(l), t, ['batch', c.numHeads, 'past', c.headDim]))
      pastValues.push(g.input(io.pastValue(l), t, ['batch', c.numHeads, 'past', c.headDim]))
    }
  }

  // Lengths: past rows come from the cache's shape, the rest are computed here.
  const scalar = (x: string): string => g.node('Squeeze', [x, g.int64s('axes', [0])])
  const dimOf = (x: string, axis: number): string =>
    scalar(g.node('Shape', [x], { start: int(axis), end: int(axis + 1) }))
  const total = dimOf(ids, 1)
  const past = hasPast && pastKeys[0] ? dimOf(pastKeys[0], 2) : g.int64s('past', [0], [])
  const rowIds = hasPast
    ? g.node('Slice', [
        ids,
        g.node('Unsqueeze', [past, g.int64s('ax', [0])]),
        g.node('Unsqueeze', [total, g.int64s('ax', [0])]),
        g.int64s('axes', [1]),
      ])
    : ids

  // Positions are absolute indices, left pads included (spec §3.1): past..total-1 for every row.
  const positions = g.node('Expand', [
    g.node('Unsqueeze', [
      g.node('Range', [past, total, g.int64s('one', [1], [])]),
      g.int64s('axes', [0]),
    ]),
    g.node('Shape', [rowIds]),
  ])
  const bias = buildOmniMask(g, spec.tokens, { ids, past, total, floatType: t })

  const ext = (name: string, tensor: Parameters<GraphBuilder['external']>[1]): string =>
    g.external(name, tensor)
  const embed = ext('embed_tokens', w.embed)
  const cos = ext('rotary_cos', w.cos)
  const sin = ext('rotary_sin', w.sin)
  let residual = g.node('Gather', [embed, rowIds])
  let normed: string
  let pendingDelta: string | undefined
  let pendingBias: string | undefined

  for (let l = 0; l < c.numLayers; l++) {
    const lw = w.layers[l]
    if (!lw) {
      throw new Error(`missing weights for layer ${l}`)
    }
    const names = layerNames(g, l, lw)
    if (pendingDelta === undefined || pendingBias === undefined) {
      normed = g.node('LayerNormalization', [residual, names.inputNormW, names.inputNormB], {
        axis: int(-1),
        epsilon: float(c.layerNormEps),
      })
    } else {
      // The previous block's output joins the residual stream inside this block's LayerNorm.
      const [out = '', , , sum = ''] = g.nodeN(
        'SkipLayerNormalization',
        [residual, pendingDelta, names.inputNormW, names.inputNormB, pendingBias],
        { epsilon: float(c.layerNormEps) },
        { domain: MS, outputs: 4 }
      )
      normed = out
      residual = sum
    }
    const block = buildBlock(g, c, l, names, {
      normed,
      positions,
      cos,
      sin,
      bias,
      pastKey: pastKeys[l],
      pastValue: pastValues[l],
    })
    if (wantPresent) {
      g.output(block.presentKey, io.presentKey(l), t, ['batch', c.numHeads, 'total', c.headDim])
      g.output(block.presentValue, io.presentValue(l), t, ['batch', c.numHeads, 'total', c.headDim])
    }
    pendingDelta = block.delta
    pendingBias = block.deltaBias
  }

  if (kind === 'prefill') {
    return g.toBytes('Show-o prefill: text block → key/value cache')
  }
  const [finalNormed = ''] = g.nodeN(
    'SkipLayerNormalization',
    [
      residual,
      pendingDelta ?? '',
      ext('final_norm.weight', w.finalNorm.weight),
      ext('final_norm.bias', w.finalNorm.bias),
      pendingBias ?? '',
    ],
    { epsilon: float(c.layerNormEps) },
    { domain: MS, outputs: 4 }
  )
  const toFloat32 = (x: string): string =>
    t === 'float32' ? x : g.node('Cast', [x], { to: int(ONNX_DATA_TYPE.float32) })
  if (kind === 'denoise') {
    if (!w.imageHead) {
      throw new Error('the denoise graph needs the image head (image columns)')
    }
    // Image rows are every row between <soi> and <eoi>; only they need logits (spec §3.3).
    const imageRows = g.node('Slice', [
      finalNormed,
      g.int64s('start', [1]),
      g.int64s('end', [-1]),
      g.int64s('axes', [1]),
    ])
    const fp32 = t === 'float32'
    const logits = g.node(
      'Add',
      [
        g.node('MatMul', [imageRows, ext('image_head.weight', w.imageHead.weight)]),
        ext('image_head.bias', w.imageHead.bias),
      ],
      {},
      fp32 ? { outputNames: [io.imageLogits] } : {}
    )
    const codebook = w.imageHead.bias.dims[0] ?? 'codebook'
    const logits32 = fp32
      ? logits
      : g.node(
          'Cast',
          [logits],
          { to: int(ONNX_DATA_TYPE.float32) },
          { outputNames: [io.imageLogits] }
        )
    g.output(logits32, io.imageLogits, 'float32', ['batch', 'image_tokens', codebook])
    // Sampling needs only the k best codes of each row and the softmax normaliser: computing them
    // here returns k values per row instead of the whole codebook (spec §3.4 steps 2, 3 and 6).
    const k = g.input(io.topK, 'int64', [1])
    const [values = '', indices = ''] = g.nodeN(
      'TopK',
      [logits32, k],
      { axis: int(-1), largest: int(1), sorted: int(1) },
      { outputs: 2 }
    )
    g.output(values, io.topLogits, 'float32', ['batch', 'image_tokens', 'k'])
    g.output(indices, io.topIndices, 'int64', ['batch', 'image_tokens', 'k'])
    // log Σ exp(x) = m + log Σ exp(x − m) with m the row's largest logit, which TopK just found.
    // Spelled out because ORT's CPU ReduceLogSumExp is scalar code, ~6× slower than these ops.
    const rowMax = g.node('Slice', [
      values,
      g.int64s('start', [0]),
      g.int64s('end', [1]),
      g.int64s('axes', [-1]),
    ])
    const sumExp = g.node(
      'ReduceSum',
      [g.node('Exp', [g.node('Sub', [logits32, rowMax])]), g.int64s('axes', [-1])],
      { keepdims: int(0) }
    )
    const lse = g.node('Add', [
      g.node('Log', [sumExp]),
      g.node('Squeeze', [rowMax, g.int64s('axes', [-1])]),
    ])
    g.output(lse, io.logSumExp, 'float32', ['batch', 'image_tokens'])
    return g.toBytes(
      'Show-o denoise: <soi> image <eoi> after a text cache → codebook logits of the image rows'
    )
  }
  const logits = g.node('Add', [
    g.node('MatMul', [finalNormed, ext('lm_head.weight', w.lmHead.weight)]),
    ext('lm_head.bias', w.lmHead.bias),
  ])
  const logits32 = toFloat32(logits)
  g.output(logits32, io.logits, 'float32', [
    'batch',
    kind === 'full' ? 'total' : 'rows',
    c.vocabSize,
  ])
  if (kind === 'decode') {
    // Greedy and Jacobi decoding need only each row's argmax (first maximum, as torch.argmax):
    // fetching it instead of the logits keeps a 16-row window's 3.7 MB on the device.
    const next = g.node('ArgMax', [logits32], {
      axis: int(-1),
      keepdims: int(0),
      select_last_index: int(0),
    })
    g.output(next, io.nextTokens, 'int64', ['batch', 'rows'])
  }
  return g.toBytes(
    kind === 'full'
      ? 'Show-o reference forward: whole sequence → logits'
      : 'Show-o decode: new tokens after a cache → logits and extended cache'
  )
}
