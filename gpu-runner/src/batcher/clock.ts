/** Cancels a timer made by {@link Clock.setTimeout}; calling it twice is harmless. */
export type CancelTimer = () => void

/**
 * Time as the batcher and the runner see it. Injected so that tests can drive batching windows,
 * deadlines and reporting intervals without sleeping.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences mean anything). */
  now(): number
  /** Milliseconds since the Unix epoch, for log lines and signature timestamps. */
  wallNow(): number
  setTimeout(fn: () => void, ms: number): CancelTimer
}

/** The real clock: `performance.now()` for durations, unref'd timers so they never hold the process. */
export function createSystemClock(): Clock {
  return {
    now: () => performance.now(),
    wallNow: () => Date.now(),
    setTimeout(fn, ms) {
      const timer = setTimeout(fn, ms)
      timer.unref()
      return () => {
        clearTimeout(timer)
      }
    },
  }
}
