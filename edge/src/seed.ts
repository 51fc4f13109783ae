import { LIMITS } from '@showo/contract'

/** Draws a uniformly random seed in [0, 2^32), so a request without one is still reproducible. */
export function drawSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0
}

/** The i-th seed of a multi-image request: consecutive, wrapping inside the seed range. */
export function nthSeed(first: number, i: number): number {
  return (first + i) % (LIMITS.seedMax + 1)
}
