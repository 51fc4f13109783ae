/** Latency and throughput of one route under a fixed number of concurrent clients. */
export interface LoadResult {
  requests: number
  errors: number
  seconds: number
  rps: number
  p50Ms: number
  p99Ms: number
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN
  }
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

/**
 * Sends GETs to `url` from `concurrency` loops for `seconds`, reading every body fully. A
 * response counts as an error unless `accept` says otherwise. Bounded in time: it stops itself.
 */
export async function load(
  url: string,
  concurrency: number,
  seconds: number,
  accept: (res: Response) => boolean
): Promise<LoadResult> {
  const latencies: number[] = []
  let errors = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now()
        try {
          const res = await fetch(url)
          await res.arrayBuffer()
          if (accept(res)) {
            latencies.push(performance.now() - t0)
          } else {
            errors++
          }
        } catch {
          errors++
        }
      }
    })
  )
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    requests: latencies.length,
    errors,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  }
}
