import type { Rng } from './rng.ts'

/** Confidence given to already-known tokens: float32 max, so they are never re-masked (spec §3.4 step 6). */
export const KNOWN_CONFIDENCE = 3.4028234663852886e38

const EPS = 1e-20

/** `log(max(x, 1e-20))`, the reference's clamped log. */
function clampedLog(x: number): number {
  return Math.log(Math.max(x, EPS))
}

/** Gumbel noise from a uniform draw: `−log(−log(u))`, each log clamped as in the reference. */
export function gumbel(u: number): number {
  return -clampedLog(-clampedLog(u))
}

/**
 * `mask_by_random_topk` (spec §3.4 step 8): score = log(confidence) + T·gumbel, then the positions
 * scoring below the `maskLen`-th smallest score are re-masked — exactly `maskLen` of them when there
 * are no ties. Draws one uniform per position, in position order.
 */
export function selectRemask(
  confidence: Float64Array,
  maskLen: number,
  temperature: number,
  rng: Rng
): Uint8Array {
  const n = confidence.length
  const scores = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    scores[i] = clampedLog(confidence[i] ?? 0) + temperature * gumbel(rng.nextFloat())
  }
  const cutoff = Float64Array.from(scores).sort()[maskLen] ?? Infinity
  const masked = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    masked[i] = (scores[i] ?? 0) < cutoff ? 1 : 0
  }
  return masked
}
