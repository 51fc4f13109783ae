import type { KvCache } from '../model/showo-model.ts'
import type { Rng } from '../sampling/rng.ts'

/**
 * Runs the `decode` graph: the rows `ids.slice(cachedLength)` after a cache of `cachedLength` rows
 * (of the whole sequence `ids`), returning each row's greedy prediction (the argmax over the full
 * vocabulary) and the extended cache.
 */
export type DecodeRunner = (
  ids: readonly number[],
  cache: KvCache
) => Promise<{ next: ArrayLike<number | bigint>; cache: KvCache }>

/** The start of decoding: the prompt cached and the greedy prediction for the first new token. */
export interface DecodeStart {
  cache: KvCache
  next: number
}

/** Limits and settings of one decode. */
export interface DecodeOptions {
  maxNewTokens: number
  eos: number
  /** Largest sequence length the model's position tables cover. */
  maxPositions: number
  cancelled?: () => string | undefined
  /** Frees a cache that is no longer needed (GPU-resident caches; a no-op on the CPU). */
  release?: (cache: KvCache) => void
}

/** Tokens produced and the forward passes it took. */
export interface DecodeResult {
  tokens: number[]
  passes: number
  /** Set when decoding stopped because the request was cancelled. */
  cancelled?: string
}

/**
 * Jacobi decoding with a key/value cache (S2 `get_jacobian_trajectory`, spec §4.3, plus the prefix
 * cache the reference leaves out): guess a window of tokens, run the window in one pass, replace each
 * guess by the greedy prediction of its predecessor, and repeat until nothing changes. The fixed point
 * is exactly the greedy continuation, so the answer equals greedy decoding; a distilled model reaches
 * it in fewer passes than tokens. The window's first token is always known (the prediction after the
 * accepted text), the others start as random tokens of the prompt's text (`choices`).
 */
export async function jacobiDecode(
  ids: readonly number[],
  start: DecodeStart,
  run: DecodeRunner,
  options: DecodeOptions & { window: number; choices: readonly number[]; rng: Rng }
): Promise<DecodeResult> {
  const seq = [...ids]
  const out: number[] = []
  let { cache, next } = start
  let passes = 0
  while (out.length < options.maxNewTokens && seq.length < options.maxPositions) {
    const reason = options.cancelled?.()
    if (reason) {
      options.release?.(cache)
      return { tokens: out, passes, cancelled: reason }
    }
    const size = Math.min(
      options.window,
      options.maxNewTokens - out.length,
      options.maxPositions - seq.length
    )
    let window = [next]
    for (let j = 1; j < size; j++) {
      window.push(options.choices[options.rng.nextInt(options.choices.length)] ?? next)
    }
    for (;;) {
      const result = await run([...seq, ...window], cache)
      passes++
      const proposal = [next]
      for (let j = 1; j < size; j++) {
        proposal.push(Number(result.next[j - 1]))
      }
      if (proposal.every((t, j) => t === window[j])) {
        options.release?.(cache)
        cache = result.cache
        next = Number(result.next[size - 1])
        break
      }
      options.release?.(result.cache)
      window = proposal
    }
    seq.push(...window)
    const eos = window.indexOf(options.eos)
    if (eos >= 0) {
      out.push(...window.slice(0, eos))
      break
    }
    out.push(...window)
  }
  options.release?.(cache)
  return { tokens: out, passes }
}

/** Plain greedy decoding with the cache, one token per pass: the oracle Jacobi must equal. */
export async function greedyDecode(
  ids: readonly number[],
  start: DecodeStart,
  run: DecodeRunner,
  options: DecodeOptions
): Promise<DecodeResult> {
  const seq = [...ids]
  const out: number[] = []
  let { cache, next } = start
  let passes = 0
  while (out.length < options.maxNewTokens && seq.length < options.maxPositions) {
    if (next === options.eos) {
      break
    }
    out.push(next)
    seq.push(next)
    if (out.length === options.maxNewTokens) {
      break
    }
    const result = await run(seq, cache)
    passes++
    options.release?.(cache)
    cache = result.cache
    next = Number(result.next[0])
  }
  options.release?.(cache)
  return { tokens: out, passes }
}
