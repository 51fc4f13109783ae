import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls `url` until it answers with `status`, or fails after `timeoutMs` naming what it waited for;
 * `alive()` lets it give up early when the process behind the URL has already exited.
 */
export async function waitForHttp(
  url: string,
  options: { status?: number; timeoutMs: number; what: string; alive?: () => boolean }
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (options.alive && !options.alive()) {
      throw new Error(`${options.what} exited before it was ready`)
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.status === (options.status ?? 200)) {
        return
      }
      last = `HTTP ${response.status}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await sleep(250)
  }
  throw new Error(`${options.what} was not ready within ${options.timeoutMs / 1000} s (${last})`)
}
