/** First backoff step when the runner gives no Retry-After. */
export const RETRY_BASE_MS = 250

/**
 * Delay before retry number `attempt` (1-based). A Retry-After from the runner is honoured as a
 * floor, plus up to one base step of jitter so that coalesced callers on many edges do not return
 * in lockstep; without it the delay grows exponentially with ±50% jitter.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterS: number | undefined,
  random: () => number
): number {
  if (retryAfterS !== undefined) {
    return Math.round(retryAfterS * 1000 + random() * RETRY_BASE_MS)
  }
  return Math.round(RETRY_BASE_MS * 2 ** (attempt - 1) * (0.5 + random()))
}

/** Parses a Retry-After header (delta seconds or HTTP date) into seconds; undefined when absent. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') {
    return undefined
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim())
  }
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000))
}
