/** What the batching policy needs to know about a queued request. */
export interface Pending {
  shape: string
  enqueuedAt: number
}

/** Settings of the batching policy. */
export interface BatchPolicy {
  maxBatch: number
  maxWaitMs: number
  /** Largest batch for a shape; shapes that cannot batch (understanding) answer 1. */
  capacityOf: (shape: string) => number
  /**
   * Engines free to start a batch now (at least 1). A group that is due is shared out among them
   * rather than given whole to the first: two batches of 2 finish sooner than one of 4 beside an
   * idle engine, on a GPU as on a CPU.
   */
  idleEngines: number
}

/** The policy's answer: run these items now (oldest first), or look again after `waitMs`. */
export type BatchDecision<T> = { run: T[] } | { waitMs: number } | null

/**
 * Chooses the next batch from a FIFO queue. The oldest request's shape goes first once it has
 * waited `maxWaitMs` (so no shape starves) or its group is full; before that, any full group
 * may go ahead, because waiting longer cannot make it larger. `flushNow` (draining) skips the wait.
 */
export function pickBatch<T extends Pending>(
  queue: readonly T[],
  now: number,
  policy: BatchPolicy,
  flushNow: boolean
): BatchDecision<T> {
  const oldest = queue[0]
  if (oldest === undefined) {
    return null
  }
  const groups = new Map<string, T[]>()
  for (const item of queue) {
    const group = groups.get(item.shape)
    if (group) {
      group.push(item)
    } else {
      groups.set(item.shape, [item])
    }
  }
  const capOf = (shape: string): number => Math.min(policy.maxBatch, policy.capacityOf(shape))
  const waited = now - oldest.enqueuedAt
  const oldestGroup = groups.get(oldest.shape) ?? [oldest]
  const share = (group: T[], shape: string): T[] =>
    group.slice(
      0,
      Math.min(capOf(shape), Math.ceil(group.length / Math.max(1, policy.idleEngines)))
    )
  if (flushNow || waited >= policy.maxWaitMs || oldestGroup.length >= capOf(oldest.shape)) {
    return { run: share(oldestGroup, oldest.shape) }
  }
  for (const [shape, group] of groups) {
    if (group.length >= capOf(shape)) {
      return { run: share(group, shape) }
    }
  }
  return { waitMs: policy.maxWaitMs - waited }
}
