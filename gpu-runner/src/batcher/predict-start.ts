/** What {@link predictStartMs} needs to know about the engines and the queue. */
export interface QueueSnapshot {
  /** Per engine: milliseconds until its running batch should finish (0 when idle). */
  busyForMs: readonly number[]
  /** Requests queued ahead of the one being admitted. */
  ahead: number
  maxBatch: number
  /** Expected milliseconds of a batch of `size`. */
  batchMs: (size: number) => number
}

/**
 * Milliseconds until a request joining the back of the queue starts: the requests ahead leave in
 * batches of `maxBatch`, oldest first, each on the engine that frees up first. An estimate: it
 * ignores that only same-shape requests share a batch.
 */
export function predictStartMs(queue: QueueSnapshot): number {
  const freeAt = queue.busyForMs.map((ms) => Math.max(0, ms))
  if (freeAt.length === 0) {
    return Infinity
  }
  const fullBatchMs = queue.batchMs(queue.maxBatch)
  const batchesAhead = Math.floor(queue.ahead / queue.maxBatch)
  for (let i = 0; i < batchesAhead; i++) {
    const first = indexOfMin(freeAt)
    freeAt[first] = (freeAt[first] ?? 0) + fullBatchMs
  }
  return freeAt[indexOfMin(freeAt)] ?? 0
}

function indexOfMin(values: readonly number[]): number {
  let best = 0
  for (let i = 1; i < values.length; i++) {
    if ((values[i] ?? Infinity) < (values[best] ?? Infinity)) {
      best = i
    }
  }
  return best
}
