import type { EngineCeiling } from './engine-ceiling.ts'
import type { LatencySummary } from './stats.ts'

/** Everything one benchmark run measured. */
export interface BenchReport {
  engine: 'fake' | 'onnx'
  modelDir: string
  options: Record<string, unknown>
  durationS: number
  /** The engines alone, before the runner; absent for the fake engine. */
  ceiling?: EngineCeiling
  concurrency: {
    concurrency: number
    throughputPerS: number
    latency: LatencySummary
    statuses: Record<string, number>
    lagP99Ms: number
  }[]
  overload: {
    offeredPerS: number
    sentPerS: number
    admitted: LatencySummary
    refused: LatencySummary
    refusedWithin50Ms: number
    statuses: Record<string, number>
    unloadedP99Ms: number
    lagP99Ms: number
  }
  /** Requests sent between the two readings, and how many of them got an image (429s retried). */
  rss: { requests: number; served: number; beforeBytes: number; afterBytes: number }
  node: string
  date: string
}

const ms = (v: number) => `${v.toFixed(1)} ms`
const mark = (pass: boolean) => (pass ? 'met' : 'NOT met')

/** The report as Markdown: tables plus the targets, each marked met or not. */
export function formatReport(r: BenchReport): string {
  const rows = r.concurrency.map(
    (c) =>
      `| ${c.concurrency} | ${c.throughputPerS.toFixed(1)} | ${ms(c.latency.p50)} | ${ms(c.latency.p99)} | ${ms(c.lagP99Ms)} | ${JSON.stringify(c.statuses)} |`
  )
  const o = r.overload
  const c1 = r.concurrency.find((c) => c.concurrency === 1)?.throughputPerS ?? 0
  const c16 = r.concurrency.find((c) => c.concurrency === 16)?.throughputPerS ?? 0
  const lagP99 = Math.max(o.lagP99Ms, ...r.concurrency.map((c) => c.lagP99Ms))
  const growth = (r.rss.afterBytes - r.rss.beforeBytes) / r.rss.beforeBytes
  const others = Object.entries(o.statuses).filter(
    ([status]) => status !== '200' && status !== '429'
  )
  return [
    `## Runner benchmark — engine: ${r.engine} (${r.modelDir}), ${r.node}, ${r.date}`,
    '',
    `Settings: ${JSON.stringify(r.options)}; ${r.durationS} s per phase.`,
    '',
    ...(r.ceiling
      ? [
          `Engines alone, no HTTP, one image at a time each: one engine ${r.ceiling.oneEngine.toFixed(1)} img/s, ` +
            `all ${r.ceiling.engines} ${r.ceiling.pool.toFixed(1)} img/s ` +
            `(${(r.ceiling.pool / r.ceiling.oneEngine).toFixed(2)}×: the most that concurrency can add here).`,
          '',
        ]
      : []),
    '| concurrency | throughput (img/s) | p50 | p99 | event-loop lag p99 | statuses |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Overload: offered ${o.offeredPerS.toFixed(0)}/s (4× the best closed-loop throughput), sent ${o.sentPerS.toFixed(0)}/s.`,
    `- admitted: ${o.admitted.count}, p50 ${ms(o.admitted.p50)}, p99 ${ms(o.admitted.p99)} (unloaded p99 ${ms(o.unloadedP99Ms)})`,
    `- refused 429: ${o.refused.count}, p99 ${ms(o.refused.p99)}, max ${ms(o.refused.max)}; within 50 ms: ${o.refusedWithin50Ms}`,
    `- other statuses: ${others.length === 0 ? 'none' : JSON.stringify(Object.fromEntries(others))}`,
    `- event-loop lag p99 during overload: ${ms(o.lagP99Ms)}`,
    '',
    `RSS over ${r.rss.served} images served (${r.rss.requests} requests with the refused): ${(r.rss.beforeBytes / 2 ** 20).toFixed(1)} → ${(r.rss.afterBytes / 2 ** 20).toFixed(1)} MiB (${(growth * 100).toFixed(1)}%)`,
    '',
    'Targets (issue 4):',
    `- throughput at concurrency 16 ≥ 2× concurrency 1: ${(c16 / Math.max(c1, 1e-9)).toFixed(2)}× — ${mark(c16 >= 2 * c1)}`,
    `- every excess request answered 429 within 50 ms: ${o.refusedWithin50Ms}/${o.refused.count}, ${others.length} other — ${mark(o.refusedWithin50Ms === o.refused.count && others.length === 0)}`,
    `- admitted p99 within 2× unloaded p99: ${(o.admitted.p99 / Math.max(o.unloadedP99Ms, 1e-9)).toFixed(2)}× — ${mark(o.admitted.p99 <= 2 * o.unloadedP99Ms)}`,
    `- event-loop lag p99 under 20 ms (worst phase; monitorEventLoopDelay p99 minus its 1 ms tick): ${ms(lagP99)} — ${mark(lagP99 < 20)}`,
    `- RSS growth under 10% over ${r.rss.served} served requests: ${(growth * 100).toFixed(1)}% — ${mark(growth < 0.1)}`,
  ].join('\n')
}
