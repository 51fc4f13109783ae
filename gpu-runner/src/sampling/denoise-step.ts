import { KNOWN_CONFIDENCE, selectRemask } from './remask.ts'
import type { Rng } from './rng.ts'
import { annealTemperature, maskCount } from './schedule.ts'
import { type Candidates, sampleCandidate } from './top-k.ts'

/** Marks a still-masked image position in {@link DenoiseState.codes}. */
export const MASKED = -1

/** Where one request's image stands between steps. */
export interface DenoiseState {
  /** Codebook index per image position, or {@link MASKED}. */
  codes: Int32Array
  /** The annealed temperature returned by the previous step (1 before the first). */
  temperature: number
}

/** The request's sampling settings. */
export interface DenoiseSettings {
  steps: number
}

/** Result of one step: the next state, and every position's sample (the final image at the last step). */
export interface DenoiseStepResult {
  state: DenoiseState
  sampled: Int32Array
}

/** The state before the first step: every position masked. */
export function initialState(imageTokens: number): DenoiseState {
  return { codes: new Int32Array(imageTokens).fill(MASKED), temperature: 1 }
}

/**
 * One parallel-decoding step for one request (S2 `denoise`, spec §3.4): sample every position from
 * its top-k candidates, keep known codes, then re-mask the least confident samples. Random draws, in
 * order: one per position for sampling, then one per position for the Gumbel noise.
 */
export function denoiseStep(
  candidates: (position: number) => Candidates,
  state: DenoiseState,
  step: number,
  settings: DenoiseSettings,
  rng: Rng
): DenoiseStepResult {
  const n = state.codes.length
  const sampled = new Int32Array(n)
  const confidence = new Float64Array(n)
  let unknown = 0
  for (let i = 0; i < n; i++) {
    const u = rng.nextFloat()
    const known = state.codes[i] ?? MASKED
    if (known === MASKED) {
      const row = candidates(i)
      const j = sampleCandidate(row, u)
      unknown++
      sampled[i] = row.codes[j] ?? 0
      confidence[i] = row.probs[j] ?? 0
    } else {
      sampled[i] = known
      confidence[i] = KNOWN_CONFIDENCE
    }
  }
  const maskLen = maskCount(n, unknown, step, settings.steps)
  const temperature = annealTemperature(state.temperature, step, settings.steps)
  const remasked = selectRemask(confidence, maskLen, temperature, rng)
  const codes = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    codes[i] = remasked[i] ? MASKED : (sampled[i] ?? 0)
  }
  return { state: { codes, temperature }, sampled }
}
