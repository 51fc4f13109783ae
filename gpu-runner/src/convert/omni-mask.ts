import { type GraphBuilder, int } from '../onnx/graph-builder.ts'
import { ONNX_DATA_TYPE } from '../onnx/tensor-type.ts'

/** Token ids the omni-attention mask is built from (spec §3.2, §4.1). */
export interface MaskTokens {
  pad: number
  soi: number
  eoi: number
  mmu: number
}

/** Values the mask subgraph needs from its caller. */
export interface MaskInputs {
  /** int64 [batch, total]: every token id of the sequence, cached rows included. */
  ids: string
  /** int64 scalar: how many leading rows are cached (0 without a cache). */
  past: string
  /** int64 scalar: total sequence length. */
  total: string
  /** The float type of the additive bias. */
  floatType: 'float32' | 'float16'
}

/**
 * Builds Show-o's omni-attention mask in the graph, from the token ids alone, as an additive bias
 * [batch, 1, rows, total] for the rows after the cache. One rule covers both tasks:
 *
 * - a pad key is seen only by pad rows at or after it (pads are isolated: `rm_pad_in_image=True`);
 * - other keys are seen causally (key ≤ query);
 * - and fully inside the bidirectional segment, which opens at the first `<soi>` or `<mmu>` and closes
 *   after the first `<eoi>`: for text-to-image that is `<soi>` image `<eoi>`
 *   (`create_attention_mask_predict_next`), for understanding it is `<mmu> <soi> image <eoi>`
 *   (`create_attention_mask_for_mmu`).
 *
 * Every row keeps at least itself, so no row is fully masked (no NaN in softmax).
 */
export function buildOmniMask(g: GraphBuilder, tokens: MaskTokens, inputs: MaskInputs): string {
  const { ids, past, total } = inputs
  const eq = (id: number): string => g.node('Equal', [ids, g.int64s('tok', [id], [])])
  const cumsum = (flag: string, exclusive: boolean): string =>
    g.node(
      'CumSum',
      [g.node('Cast', [flag], { to: int(ONNX_DATA_TYPE.int64) }), g.int64s('axis', [1], [])],
      {
        exclusive: int(exclusive ? 1 : 0),
      }
    )
  const zero = g.int64s('zero', [0], [])
  const isPad = eq(tokens.pad)
  const opened = g.node('Greater', [
    cumsum(g.node('Or', [eq(tokens.soi), eq(tokens.mmu)]), false),
    zero,
  ])
  const notClosed = g.node('Equal', [cumsum(eq(tokens.eoi), true), zero])
  const segment = g.node('And', [opened, notClosed]) // [B, T]

  const one = g.int64s('one', [1], [])
  const axis1 = g.int64s('axes', [1])
  const sliceRows = (x: string): string =>
    g.node('Slice', [
      x,
      g.node('Unsqueeze', [past, g.int64s('ax0', [0])]),
      g.node('Unsqueeze', [total, g.int64s('ax0', [0])]),
      axis1,
    ])
  const queryPad = g.node('Unsqueeze', [sliceRows(isPad), g.int64s('axes', [2])]) // [B, S, 1]
  const querySeg = g.node('Unsqueeze', [sliceRows(segment), g.int64s('axes', [2])]) // [B, S, 1]
  const keyPad = g.node('Unsqueeze', [isPad, axis1]) // [B, 1, T]
  const keySeg = g.node('Unsqueeze', [segment, axis1]) // [B, 1, T]

  const queryPos = g.node('Unsqueeze', [g.node('Range', [past, total, one]), g.int64s('axes', [1])]) // [S, 1]
  const keyPos = g.node('Unsqueeze', [g.node('Range', [zero, total, one]), g.int64s('axes', [0])]) // [1, T]
  const causal = g.node('LessOrEqual', [keyPos, queryPos]) // [S, T]

  const open = g.node('Or', [causal, g.node('And', [querySeg, keySeg])]) // [B, S, T]
  // ORT has no bool Where, so the pad rule is spelled with And/Or/Not.
  const padRule = g.node('And', [keyPad, g.node('And', [queryPad, causal])])
  const allowed = g.node('Or', [padRule, g.node('And', [g.node('Not', [keyPad]), open])])
  const blocked = inputs.floatType === 'float16' ? -10_000 : -1e9
  const bias = g.node('Where', [
    allowed,
    g.floats('zero', inputs.floatType, [0], []),
    g.floats('blocked', inputs.floatType, [blocked], []),
  ])
  return g.node('Unsqueeze', [bias, axis1]) // [B, 1, S, T]
}
