/**
 * Classifier-free guidance in Show-o's "muse" form: `(1 + w)·cond − w·uncond` (spec §3.3). Writes
 * into `out` (which may be `cond`).
 */
export function applyGuidance(
  cond: Float32Array,
  uncond: Float32Array,
  weight: number,
  out: Float32Array = new Float32Array(cond.length)
): Float32Array {
  const a = 1 + weight
  for (let i = 0; i < cond.length; i++) {
    out[i] = a * (cond[i] ?? 0) - weight * (uncond[i] ?? 0)
  }
  return out
}
