// Child process of the runner benchmark: one runner on loopback, measured from the inside
// (event-loop delay, RSS) and driven over IPC. Not production code: it may load the fake engine.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createEngine } from '../../src/cli/serve.ts'
import { readConfig } from '../../src/config.ts'
import { startRunner, type EngineFactory } from '../../src/main.ts'
import { createFakeEngineFactory } from '../../test/runner/support/fake-engine.ts'
import { sampleModelFiles, writeModelFolder } from '../../test/runner/support/model-folder.ts'
import type { ServerOptions, ServerMessage, ParentMessage } from './protocol.ts'

const LAG_RESOLUTION_MS = 1

const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions

async function modelAndEngine(): Promise<{ modelDir: string; factory: EngineFactory }> {
  if (options.engine === 'onnx') {
    return { modelDir: options.modelDir, factory: createEngine }
  }
  const modelDir = join(await mkdtemp(join(tmpdir(), 'showo-bench-')), 'model')
  await writeModelFolder(modelDir, sampleModelFiles())
  const { fakeStepMs, fakeStepPerJobMs } = options
  return {
    modelDir,
    factory: createFakeEngineFactory({ stepMs: (n) => fakeStepMs + fakeStepPerJobMs * n }),
  }
}

async function main(): Promise<void> {
  const send = (message: ServerMessage) => process.send?.(message)
  const { modelDir, factory } = await modelAndEngine()
  const config = readConfig({
    RUNNER_SECRET: options.secret,
    RUNNER_HOST: '127.0.0.1',
    RUNNER_PORT: '0',
    RUNNER_MODEL_URI: modelDir,
    RUNNER_EP: options.ep,
    RUNNER_MAX_BATCH: String(options.maxBatch),
    RUNNER_MAX_QUEUE: String(options.maxQueue),
    RUNNER_MAX_WAIT_MS: String(options.maxWaitMs),
    RUNNER_ENGINES: String(options.engines),
    ...(options.maxDelayMs === null ? {} : { RUNNER_MAX_DELAY_MS: String(options.maxDelayMs) }),
    ...(options.intraOpThreads === null
      ? {}
      : { RUNNER_INTRA_OP_THREADS: String(options.intraOpThreads) }),
  })
  // Log lines are written as in production (one per request), to a sink the parent ignores.
  const runner = await startRunner(config, { createEngine: factory })
  try {
    await runner.ready
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
    await runner.shutdown('startup failed')
    process.exit(1)
  }
  // The histogram records the time between its timer's ticks, so the lag is that minus the tick.
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS })
  lag.enable()
  const lagMs = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS)
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') {
      if (message.gc) {
        ;(globalThis as { gc?: () => void }).gc?.()
      }
      send({
        type: 'stats',
        lagP99Ms: lagMs(lag.percentile(99)),
        lagMaxMs: lagMs(lag.max),
        rssBytes: process.memoryUsage().rss,
      })
      lag.reset()
    } else {
      void runner.shutdown('bench over').then(() => process.exit(0))
    }
  })
  send({ type: 'ready', url: runner.url })
}

void main()
