/**
 * `npm run bench:edge`: cache-hit latency and throughput of `GET /v1/images/{key}.png` on a local
 * `wrangler dev` Worker, next to a bare Hono route that returns the same bytes from R2, in the
 * same run. Prints the figures and writes them into BENCHMARKS.md. A report, not a test.
 *
 * Knobs (env): BENCH_SECONDS (per round, default 8), BENCH_CONCURRENCY (default 16),
 * BENCH_ROUNDS (default 2), BENCH_PNG_BYTES (default 131072, about a 256 px PNG).
 */
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { startFakeRunner } from '../fake-runner.ts'
import { startEdge } from '../start-edge.ts'
import { writeBenchmarksSection } from './benchmarks-section.ts'
import { load, type LoadResult } from './load.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const PNG_BYTES = Number(process.env.BENCH_PNG_BYTES ?? 128 * 1024)
const SECRET = 'bench-runner-secret'
const MODEL_SHA = 'e'.repeat(64)
const BENCHMARKS_MD = fileURLToPath(new URL('../../../BENCHMARKS.md', import.meta.url))
const BENCH_WORKER = fileURLToPath(new URL('../../bench-worker/index.ts', import.meta.url))

function merge(results: LoadResult[]): LoadResult {
  const requests = results.reduce((s, r) => s + r.requests, 0)
  const seconds = results.reduce((s, r) => s + r.seconds, 0)
  return {
    requests,
    errors: results.reduce((s, r) => s + r.errors, 0),
    seconds,
    rps: requests / seconds,
    // Rounds have equal length, so the mean of per-round percentiles is a fair summary.
    p50Ms: results.reduce((s, r) => s + r.p50Ms, 0) / results.length,
    p99Ms: results.reduce((s, r) => s + r.p99Ms, 0) / results.length,
  }
}

async function main(): Promise<void> {
  const runner = await startFakeRunner({ secret: SECRET, modelSha: MODEL_SHA, pngBytes: PNG_BYTES })
  const edge = await startEdge(
    { RUNNER_URL: runner.url, RUNNER_SECRET: SECRET, MODEL_SHA },
    BENCH_WORKER
  )
  try {
    const made = await fetch(`${edge.url}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'benchmark image', seed: 1 }),
    })
    const key = ((await made.json()) as { data: { key: string }[] }).data[0]?.key
    if (!key) {
      throw new Error(`could not create the benchmark image (HTTP ${made.status})`)
    }
    const cdnUrl = `${edge.url}/v1/images/${key}.png`
    const bareUrl = `${edge.url}/bench/bare/${key}`
    await (await fetch(cdnUrl)).arrayBuffer()
    const isHit = (res: Response): boolean => res.ok && res.headers.get('x-cache') === 'hit'
    if (!isHit(await fetch(cdnUrl))) {
      throw new Error('the image route does not answer from the cache after one request')
    }
    // Warm both paths (JIT, connection pool) before measuring.
    await load(cdnUrl, CONCURRENCY, 1, isHit)
    await load(bareUrl, CONCURRENCY, 1, (res) => res.ok)
    const cdn: LoadResult[] = []
    const bare: LoadResult[] = []
    // Alternate the routes so that drift on the machine hits both alike.
    for (let round = 0; round < ROUNDS; round++) {
      cdn.push(await load(cdnUrl, CONCURRENCY, SECONDS, isHit))
      bare.push(await load(bareUrl, CONCURRENCY, SECONDS, (res) => res.ok))
    }
    report(merge(cdn), merge(bare))
  } finally {
    await edge.stop()
    await runner.close()
  }
}

function row(name: string, r: LoadResult): string {
  return `| ${name} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.rps.toFixed(0)} | ${r.requests} | ${r.errors} |`
}

function report(cdn: LoadResult, bare: LoadResult): void {
  const ratio = cdn.rps / bare.rps
  const cpu = cpus()
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`
  const table = [
    '| route | p50 ms | p99 ms | requests/s | requests | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('`GET /v1/images/{key}.png` (cache hit)', cdn),
    row('bare Hono route, same bytes from R2', bare),
  ].join('\n')
  const body = `## Edge: image CDN cache hits (\`npm run bench:edge\`)

${new Date().toISOString().slice(0, 10)} · ${machine} · \`wrangler dev\` (local workerd, Miniflare R2 and
Cache API) · ${CONCURRENCY} concurrent clients · ${ROUNDS} rounds of ${SECONDS} s per route, alternated ·
${PNG_BYTES} byte PNG · load generator on the same machine.

${table}

Cache-hit route / bare route throughput: **${ratio.toFixed(2)}** (target ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'}).
Local figures: Miniflare's Cache API and R2 both run in local processes, so this compares the
routes' own overhead, not Cloudflare's network.`
  console.log(body)
  void writeBenchmarksSection(BENCHMARKS_MD, body).then(() => {
    console.log(`\nwritten to ${BENCHMARKS_MD}`)
  })
}

await main()
