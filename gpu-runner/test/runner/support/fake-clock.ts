import type { CancelTimer, Clock } from '../../../src/batcher/clock.ts'

interface Timer {
  at: number
  seq: number
  fn: () => void
}

/** A manual clock: time moves only when a test calls {@link FakeClock.advance}. */
export class FakeClock implements Clock {
  #now = 0
  #seq = 0
  #timers: Timer[] = []

  constructor(readonly wallStart = 1_700_000_000_000) {}

  now(): number {
    return this.#now
  }

  wallNow(): number {
    return this.wallStart + this.#now
  }

  setTimeout(fn: () => void, ms: number): CancelTimer {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn }
    this.#timers.push(timer)
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer)
    }
  }

  /** Timers still waiting. */
  get pendingTimers(): number {
    return this.#timers.length
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    await settle()
    for (;;) {
      const next = this.#timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!next) {
        break
      }
      this.#timers = this.#timers.filter((t) => t !== next)
      this.#now = next.at
      next.fn()
      await settle()
    }
    this.#now = target
    await settle()
  }
}

/** Lets every pending promise callback run (a macrotask turn drains the microtask queue). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}
