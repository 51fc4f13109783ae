import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Calls `probe` until it returns a value other than undefined, or fails after `timeoutMs` naming
 * `what` (and the last thing `describe` says, when given). The timeout only bounds a hang.
 */
export async function pollFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs?: number; describe?: () => string }
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) {
      return value
    }
    if (Date.now() > deadline) {
      const detail = options.describe ? `\n${options.describe()}` : ''
      throw new Error(`timed out after ${options.timeoutMs / 1000} s waiting for ${what}${detail}`)
    }
    await sleep(options.intervalMs ?? 100)
  }
}
