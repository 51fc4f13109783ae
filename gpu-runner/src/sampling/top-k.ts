import { softmax } from './softmax.ts'

/**
 * The codes one image position may be sampled from: the k most probable, best first (ties to the
 * lower code), with their probabilities under the full softmax (spec §3.4 steps 2-3).
 */
export interface Candidates {
  codes: Int32Array
  probs: Float64Array
}

/** Candidates from a row of logits (used with guidance, which combines two rows first). */
export function candidatesFromLogits(logits: Float32Array, k: number): Candidates {
  const probs = softmax(logits)
  const codes = topIndices(probs, k)
  return { codes, probs: Float64Array.from(codes, (c) => probs[c] ?? 0) }
}

/**
 * Candidates from the denoise graph's TopK outputs: values and indices of the best `k` logits and the
 * row's log-sum-exp, so probabilities are `exp(logit − lse)`.
 */
export function candidatesFromTopK(
  values: Float32Array,
  indices: BigInt64Array,
  logSumExp: number,
  k: number
): Candidates {
  const count = Math.min(k, values.length)
  const codes = new Int32Array(count)
  const probs = new Float64Array(count)
  for (let j = 0; j < count; j++) {
    codes[j] = Number(indices[j])
    probs[j] = Math.exp((values[j] ?? -Infinity) - logSumExp)
  }
  return { codes, probs }
}

/**
 * Draws one candidate, the probabilities renormalised over the candidates (Turbo's top-k
 * multinomial). `u` is a uniform draw in [0, 1); returns the candidate's position.
 */
export function sampleCandidate(candidates: Candidates, u: number): number {
  const { probs } = candidates
  let total = 0
  for (let j = 0; j < probs.length; j++) {
    total += probs[j] ?? 0
  }
  let target = u * total
  for (let j = 0; j < probs.length; j++) {
    target -= probs[j] ?? 0
    if (target < 0) {
      return j
    }
  }
  return probs.length - 1
}

/** Indices of the k largest values, largest first, ties to the lower index. */
export function topIndices(values: Float64Array, k: number): Int32Array {
  const n = values.length
  const count = Math.min(k, n)
  if (count === n) {
    return Int32Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => (values[b] ?? 0) - (values[a] ?? 0) || a - b
    )
  }
  // Find the k-th largest value with a selection on a copy, then gather and sort only the winners.
  const threshold = selectKthLargest(Float64Array.from(values), count)
  const above: number[] = []
  const equal: number[] = []
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? 0
    if (v > threshold) {
      above.push(i)
    } else if (v === threshold) {
      equal.push(i)
    }
  }
  const chosen = above.concat(equal.slice(0, count - above.length))
  chosen.sort((a, b) => (values[b] ?? 0) - (values[a] ?? 0) || a - b)
  return Int32Array.from(chosen)
}

/** Quickselect (Hoare partition, median of three): the k-th largest value; reorders `a`. */
function selectKthLargest(a: Float64Array, k: number): number {
  let lo = 0
  let hi = a.length - 1
  const target = k - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const pivot = median(a[lo] ?? 0, a[mid] ?? 0, a[hi] ?? 0)
    let i = lo
    let j = hi
    while (i <= j) {
      while ((a[i] ?? 0) > pivot) {
        i++
      }
      while ((a[j] ?? 0) < pivot) {
        j--
      }
      if (i <= j) {
        const t = a[i] ?? 0
        a[i] = a[j] ?? 0
        a[j] = t
        i++
        j--
      }
    }
    if (target <= j) {
      hi = j
    } else if (target >= i) {
      lo = i
    } else {
      return a[target] ?? 0
    }
  }
  return a[target] ?? 0
}

function median(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c))
}
