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
   * yet is interpolated between the nearest measured sizes; beyond them, it costs the same per
   * image as the nearest one. That errs towards refusing (a larger batch predicted too long, a
   * request alone predicted too short): a CPU's batches do cost that much, while a GPU's turn out
   * cheaper as soon as one is measured (with a tight `maxDelayMs` a GPU runner therefore grows
   * its batches one size at a time).
   */
  estimate(size: number): number | undefined {
    const exact = this.#bySize.get(size)
    if (exact !== undefined) {
      return exact
    }
    let below: [number, number] | undefined
    let above: [number, number] | undefined
    for (const [known, ms] of this.#bySize) {
      if (known < size && (below === undefined || known > below[0])) {
        below = [known, ms]
      }
      if (known > size && (above === undefined || known < above[0])) {
        above = [known, ms]
      }
    }
    if (below && above) {
      const share = (size - below[0]) / (above[0] - below[0])
      return below[1] + share * (above[1] - below[1])
    }
    const nearest = below ?? above
    return nearest && (nearest[1] * size) / nearest[0]
  }
}
