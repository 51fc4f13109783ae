/** Softmax of one row, written to `out` (float64 sums keep 8192-wide rows accurate). */
export function softmax(
  logits: Float32Array,
  out: Float64Array = new Float64Array(logits.length)
): Float64Array {
  let max = -Infinity
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i] ?? -Infinity
    if (v > max) {
      max = v
    }
  }
  let sum = 0
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] ?? -Infinity) - max)
    out[i] = e
    sum += e
  }
  for (let i = 0; i < logits.length; i++) {
    out[i] = (out[i] ?? 0) / sum
  }
  return out
}
