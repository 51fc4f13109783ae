/** Weight of the newest duration in each size's moving average. */
const EWMA_WEIGHT = 0.2

/**
 * How long recent batches took, by batch size (an exponential moving average per size), so that
 * admission can predict queue waits. A GPU's batch of 8 costs little more than a batch of 1 and a
 * CPU's costs about 8 times as much, so each size is measured rather than modelled.
 */
export class BatchDurations {
  readonly #bySize = new Map<number, number>()

  /** Adds a finished batch's duration. */
  record(size: number, ms: number): void {
    const average = this.#bySize.get(size)
    this.#bySize.set(size, average === undefined ? ms : average + EWMA_WEIGHT * (ms - average))
  }

  /**
   * Expected milliseconds of a batch of `size`; undefined before any batch ran. A size not seen
   * yet takes the nearest measured size's figure: guessing low errs towards admitting, and the
   * request deadline still bounds the wait; a guess high would refuse the very batches that would
   * have measured it.
   */
  estimate(size: number): number | undefined {
    const exact = this.#bySize.get(size)
    if (exact !== undefined) {
      return exact
    }
    let nearest: { distance: number; ms: number } | undefined
    for (const [known, ms] of this.#bySize) {
      const distance = Math.abs(known - size)
      if (nearest === undefined || distance < nearest.distance) {
        nearest = { distance, ms }
      }
    }
    return nearest?.ms
  }
}
