// The cosine mask schedule and temperature anneal of Show-o's parallel decoding (spec §3.4), with the
// reference's float32 arithmetic reproduced where it decides integer counts.

const PI_F32 = Math.fround(Math.PI)

/**
 * `cos(π/2 · step/steps)` computed as torch does it on a float32 tensor (S1 `cosine_schedule`):
 * every intermediate rounded to float32. At the last step this is −4.4e-8, not 0.
 */
export function maskRatio(step: number, steps: number): number {
  const ratio = Math.fround(step / steps)
  const angle = Math.fround(Math.fround(ratio * PI_F32) * 0.5)
  return Math.fround(Math.cos(angle))
}

/**
 * How many image tokens stay masked after `step` (1-based) of `steps`: `floor(N · ratio)`, clamped
 * to `[1, unknown − 1]` with the upper clamp first (spec §3.4 step 5).
 */
export function maskCount(
  imageTokens: number,
  unknown: number,
  step: number,
  steps: number
): number {
  const raw = Math.floor(Math.fround(imageTokens * maskRatio(step, steps)))
  return Math.max(1, Math.min(unknown - 1, raw))
}

/** The compounding anneal `T_k = T_{k−1} · (1 − k/S)`; it scales only the Gumbel noise (spec §3.4 step 7). */
export function annealTemperature(previous: number, step: number, steps: number): number {
  return previous * (1 - step / steps)
}
