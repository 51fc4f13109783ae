// `npm run bench:runner`: the runner service under load on loopback (issue 4's benchmark).
// A child process runs the runner; this process generates load and reports throughput,
// latency, overload behaviour, event-loop lag and RSS growth. It reports; it does not assert.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  createAgent,
  runClosedLoop,
  runOpenLoop,
  type Sample,
  type Target,
} from './load-generator.ts'
import type { ParentMessage, ServerMessage, ServerOptions } from './protocol.ts'
import { measureEngineCeiling } from './engine-ceiling.ts'
import { formatReport, type BenchReport } from './report.ts'
import { summarize } from './stats.ts'

const REPO = resolve(import.meta.dirname, '../../..')

const { values: flags } = parseArgs({
  options: {
    engine: { type: 'string', default: 'onnx' },
    model: { type: 'string', default: join(REPO, 'models/tiny') },
    ep: { type: 'string', default: 'cpu' },
    'duration-s': { type: 'string', default: '10' },
    // Images served (refusals come on top) between the two RSS readings.
    'rss-requests': { type: 'string', default: '10000' },
    'max-batch': { type: 'string', default: '8' },
    'max-queue': { type: 'string', default: '16' },
    'max-wait-ms': { type: 'string', default: '10' },
    // RUNNER_MAX_DELAY_MS: a number, 'off', or 'auto' (AUTO_DELAY_SHARE of the unloaded p50).
    'max-delay-ms': { type: 'string', default: 'auto' },
    // 'auto': on the CPU EP one engine per core, each with one ORT thread; elsewhere one engine.
    engines: { type: 'string', default: 'auto' },
    'intra-op-threads': { type: 'string', default: 'auto' },
    'fake-step-ms': { type: 'string', default: '4' },
    'fake-step-per-job-ms': { type: 'string', default: '0.5' },
  },
})

type Stats = Extract<ServerMessage, { type: 'stats' }>

/**
 * `--max-delay-ms auto`: the delay limit as a share of the unloaded p50. Admitted requests are then
 * predicted to take at most 1.75× an unloaded one, which leaves room for prediction error under
 * the 2× (of the unloaded p99) target.
 */
const AUTO_DELAY_SHARE = 0.75

async function startServer(options: ServerOptions) {
  const child = fork(join(import.meta.dirname, 'bench-server.ts'), [JSON.stringify(options)], {
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
        : []),
    ],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const next = () =>
    new Promise<ServerMessage>((done, fail) => {
      const onExit = (code: number | null) => {
        fail(new Error(`runner child exited with ${code}`))
      }
      child.once('exit', onExit)
      child.once('message', (m) => {
        child.off('exit', onExit)
        done(m as ServerMessage)
      })
    })
  const first = await next()
  if (first.type !== 'ready') {
    child.kill()
    throw new Error(first.type === 'failed' ? first.message : 'runner child did not start')
  }
  const ask = async (message: ParentMessage) => {
    const reply = next()
    child.send(message)
    return reply
  }
  return {
    url: first.url,
    stats: async (gc = false) => (await ask({ type: 'stats', gc })) as Stats,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => {
          done()
        })
        child.send({ type: 'stop' } satisfies ParentMessage)
      }),
  }
}

/** A runner child, warmed up with 40 requests, and a client for it; `stop` ends both. */
async function startWarmRunner(options: ServerOptions) {
  const server = await startServer(options)
  const target: Target = { url: server.url, secret: options.secret, agent: createAgent() }
  const stop = async () => {
    target.agent.destroy()
    await server.stop()
  }
  try {
    await runClosedLoop(target, { concurrency: 4, requests: 40 })
  } catch (error) {
    await stop()
    throw error
  }
  return { server, target, stop }
}

const ok = (samples: Sample[]) => samples.filter((s) => s.status === 200)
const byStatus = (samples: Sample[]) =>
  samples.reduce<Record<string, number>>((acc, s) => {
    acc[s.status] = (acc[s.status] ?? 0) + 1
    return acc
  }, {})

async function main(): Promise<void> {
  const engine = flags.engine === 'fake' ? 'fake' : 'onnx'
  const modelDir = resolve(flags.model)
  if (engine === 'onnx' && !(await stat(modelDir).catch(() => undefined))) {
    throw new Error(
      `no model folder at ${modelDir}: make one with 'npx showo make-tiny --out ${modelDir}' or pass --model DIR (or --engine fake)`
    )
  }
  const delayFlag = flags['max-delay-ms']
  if (!/^(\d+|auto|off)$/.test(delayFlag)) {
    throw new Error(`--max-delay-ms must be a whole number, 'auto' or 'off', not '${delayFlag}'`)
  }
  const cpu = flags.ep === 'cpu'
  const engines =
    flags.engines === 'auto' ? (cpu ? availableParallelism() : 1) : Number(flags.engines)
  const threadsFlag = flags['intra-op-threads']
  const intraOpThreads =
    threadsFlag === 'auto' ? (cpu && engines > 1 ? 1 : null) : Number(threadsFlag)
  let options: ServerOptions = {
    engine,
    modelDir,
    ep: flags.ep as ServerOptions['ep'],
    secret: randomBytes(16).toString('hex'),
    maxBatch: Number(flags['max-batch']),
    maxQueue: Number(flags['max-queue']),
    maxWaitMs: Number(flags['max-wait-ms']),
    maxDelayMs: /^\d+$/.test(delayFlag) ? Number(delayFlag) : null,
    engines,
    intraOpThreads,
    fakeStepMs: Number(flags['fake-step-ms']),
    fakeStepPerJobMs: Number(flags['fake-step-per-job-ms']),
  }
  const durationMs = Number(flags['duration-s']) * 1000
  const ceiling =
    engine === 'onnx'
      ? await measureEngineCeiling({
          modelDir,
          ep: options.ep,
          engines,
          ...(intraOpThreads === null ? {} : { intraOpThreads }),
          durationMs,
        })
      : undefined
  let runner = await startWarmRunner(options)
  try {
    const concurrency: BenchReport['concurrency'] = []
    for (const c of [1, 8, 16, 32]) {
      if (c > 1 && delayFlag === 'auto' && options.maxDelayMs === null) {
        // The queue-wait limit needs the unloaded latency, so the runner restarts with it. With
        // one request at a time nothing ever queues, so the limit could not change that phase.
        const p50 = concurrency[0]?.latency.p50 ?? 0
        options = { ...options, maxDelayMs: Math.max(1, Math.round(AUTO_DELAY_SHARE * p50)) }
        await runner.stop()
        runner = await startWarmRunner(options)
      }
      await runner.server.stats()
      const run = await runClosedLoop(runner.target, { concurrency: c, durationMs })
      const lag = await runner.server.stats()
      const admitted = ok(run.samples)
      concurrency.push({
        concurrency: c,
        throughputPerS: admitted.length / (run.elapsedMs / 1000),
        latency: summarize(admitted.map((s) => s.ms)),
        statuses: byStatus(run.samples),
        lagP99Ms: lag.lagP99Ms,
      })
    }
    const unloadedP99 = concurrency[0]?.latency.p99 ?? 0
    const capacity = Math.max(...concurrency.map((r) => r.throughputPerS))
    await runner.server.stats()
    const over = await runOpenLoop(runner.target, { ratePerS: 4 * capacity, durationMs })
    const overLag = await runner.server.stats()
    const refused = over.samples.filter((s) => s.status === 429)
    const overload: BenchReport['overload'] = {
      offeredPerS: 4 * capacity,
      sentPerS: over.samples.length / (durationMs / 1000),
      admitted: summarize(ok(over.samples).map((s) => s.ms)),
      refused: summarize(refused.map((s) => s.ms)),
      refusedWithin50Ms: refused.filter((s) => s.ms <= 50).length,
      statuses: byStatus(over.samples),
      unloadedP99Ms: unloadedP99,
      lagP99Ms: overLag.lagP99Ms,
    }
    const rssRequests = Number(flags['rss-requests'])
    const before = await runner.server.stats(true)
    const rssRun = await runClosedLoop(runner.target, { concurrency: 16, served: rssRequests })
    const after = await runner.server.stats(true)
    const report: BenchReport = {
      engine,
      modelDir: engine === 'onnx' ? modelDir : '(fake engine)',
      options: { ...options, secret: '(random)' },
      durationS: durationMs / 1000,
      ...(ceiling ? { ceiling } : {}),
      concurrency,
      overload,
      rss: {
        requests: rssRun.samples.length,
        served: ok(rssRun.samples).length,
        beforeBytes: before.rssBytes,
        afterBytes: after.rssBytes,
      },
      node: process.version,
      date: new Date().toISOString(),
    }
    console.log(formatReport(report))
    const out = join(
      REPO,
      'bench-results',
      `runner-${engine}-${report.date.replace(/[:.]/g, '-')}.json`
    )
    await mkdir(join(REPO, 'bench-results'), { recursive: true })
    await writeFile(out, JSON.stringify(report, null, 2))
    console.log(`\nraw figures: ${out}`)
  } finally {
    await runner.stop()
  }
}

main().catch((error: unknown) => {
  console.error(`bench:runner: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
