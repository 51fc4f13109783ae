import { S3Client } from '@aws-sdk/client-s3'
import { Batcher } from './batcher/batcher.ts'
import { createSystemClock, type Clock } from './batcher/clock.ts'
import {
  ConfigError,
  readConfig,
  type ExecutionProviderChoice,
  type RunnerConfig,
} from './config.ts'
import type { Engine } from './engine/engine.ts'
import { GenerationCancelledError } from './errors.ts'
import { createHttpApp } from './http/app.ts'
import { RunnerState } from './http/runner-state.ts'
import { listen } from './http/server.ts'
import { createLogger, type LineSink, type Logger } from './logging/logger.ts'
import { startEmfReporter } from './metrics/emf-reporter.ts'
import { createRunnerMetrics, type RunnerMetrics } from './metrics/runner-metrics.ts'
import { ensureModel } from './model-store/ensure-model.ts'
import { describeModelSource } from './model-store/model-source.ts'
import { startEngines } from './start-engines.ts'

/** What the runner asks the engine factory for. */
export interface EngineOptions {
  modelDir: string
  ep: ExecutionProviderChoice
  intraOpThreads?: number
  /** Which engine of the pool this is; on CUDA, also the GPU it uses. */
  deviceId?: number
}

/** Loads the model; `createOnnxEngine` in production, a fake in tests and benchmarks. */
export type EngineFactory = (options: EngineOptions) => Promise<Engine>

/** Collaborators of {@link startRunner}; only `createEngine` is required. */
export interface RunnerDeps {
  createEngine: EngineFactory
  clock?: Clock
  /** Where log and EMF lines go; stdout by default. */
  write?: LineSink
  /** Builds the S3 client for `s3://` models; by default from the config's endpoint and region. */
  createS3Client?: () => S3Client
  /** prom-client's process and event-loop metrics (default true). */
  processMetrics?: boolean
}

/** A started runner. */
export interface Runner {
  readonly url: string
  readonly state: RunnerState
  readonly metrics: RunnerMetrics
  readonly logger: Logger
  /** Settles once the model is fetched, loaded and warm; rejects if that failed. */
  readonly ready: Promise<void>
  /** Drains (stop admitting, finish admitted work up to the drain deadline) and stops. Idempotent. */
  shutdown(reason: string): Promise<void>
  /** Resolves once a shutdown, whoever asked for it, has finished. */
  readonly stopped: Promise<void>
}

/**
 * Starts the runner: listens at once (so `/healthz` answers and `/readyz` says "not yet"), then
 * fetches and checks the model, loads the engine, warms it and starts admitting requests.
 */
export async function startRunner(config: RunnerConfig, deps: RunnerDeps): Promise<Runner> {
  const clock = deps.clock ?? createSystemClock()
  const write = deps.write ?? ((line: string) => void process.stdout.write(`${line}\n`))
  const logger = createLogger({ level: config.logLevel, write, wallNow: () => clock.wallNow() })
  const metrics = createRunnerMetrics({ processMetrics: deps.processMetrics ?? true })
  const state = new RunnerState()
  const { secret, requestTimeoutMs } = config
  const app = createHttpApp({ state, secret, requestTimeoutMs, clock, metrics, logger })
  // The load balancer in front keeps idle connections for the request timeout plus 5 s
  // (infra/lib/constructs/runner-endpoint.ts); Node must keep them longer.
  const keepAliveMs = config.requestTimeoutMs + 15_000
  const server = await listen(app, { host: config.host, port: config.port, clock, keepAliveMs })
  logger.info('listening', { url: server.url, env: config.env, signed: secret !== null })
  let engines: Engine[] = []
  let batcher: Batcher | undefined
  const readLoad = () => ({
    queued: batcher?.queued ?? 0,
    running: batcher?.running ?? 0,
    refused: batcher?.refused ?? 0,
  })
  metrics.trackLoad(readLoad)
  const { intervalMs, serviceName: service } = config.metrics
  const stopEmf = startEmfReporter({ clock, intervalMs, service, readLoad, write })
  const startup = new AbortController()

  const ready = (async () => {
    const model = await ensureModel(config.model.source, {
      cacheDir: config.model.cacheDir,
      createS3Client: deps.createS3Client ?? (() => createS3Client(config)),
      logger,
      signal: startup.signal,
    })
    const { ep, intraOpThreads, engines: count } = config.model
    engines = await startEngines({
      count,
      factory: deps.createEngine,
      engine: { modelDir: model.dir, ep, ...(intraOpThreads === null ? {} : { intraOpThreads }) },
      manifestSha: model.manifestSha,
      signal: startup.signal,
    })
    const engine = engines[0]
    if (!engine) {
      throw new Error('no engine started')
    }
    batcher = new Batcher({ engines, clock, observer: metrics, ...config.batch })
    state.markReady({ info: engine.info, batcher })
    const { name, sha, ep: engineEp, batchIndependent } = engine.info
    if (!batchIndependent && config.batch.maxBatch > 1) {
      // DESIGN §4 promises the same bytes alone or in a batch; this EP cannot, so say so once.
      logger.warn('batched images may differ from the same request run alone on this EP', {
        ep: engineEp,
        maxBatch: config.batch.maxBatch,
      })
    }
    logger.info('ready', {
      model: name,
      sha,
      ep: engineEp,
      engines: engines.length,
      batchIndependent,
      ...config.batch,
    })
  })()
  ready.catch((error: unknown) => {
    const source = describeModelSource(config.model.source)
    logger.error('startup failed', { source, error: errorText(error) })
  })

  let stopping: Promise<void> | undefined
  let markStopped = (): void => undefined
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve
  })
  const drainAndStop = async (reason: string): Promise<void> => {
    const deadline = clock.now() + config.drainTimeoutMs
    state.startDraining()
    logger.info('draining', { reason, ...readLoad(), drainTimeoutMs: config.drainTimeoutMs })
    startup.abort(new Error(`shutting down (${reason})`))
    await ready.catch(() => undefined)
    if (batcher) {
      const drained = batcher.close()
      const finishedInTime = await withDeadline(drained, deadline - clock.now(), clock)
      if (!finishedInTime) {
        logger.warn('drain deadline passed; cancelling what is left', readLoad())
        batcher.destroy(new GenerationCancelledError('the runner is shutting down'))
        await drained
      }
    }
    await server.close(Math.max(1000, deadline - clock.now()))
    stopEmf()
    await Promise.all(engines.map((engine) => engine.close()))
    logger.info('stopped', { reason })
    markStopped()
  }

  return {
    url: server.url,
    state,
    metrics,
    logger,
    ready,
    shutdown: (reason) => (stopping ??= drainAndStop(reason)),
    stopped,
  }
}

/** Resolves true if `work` settles within `ms`, false otherwise (`work` keeps running). */
function withDeadline(work: Promise<void>, ms: number, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = clock.setTimeout(
      () => {
        resolve(false)
      },
      Math.max(0, ms)
    )
    void work.then(() => {
      cancel()
      resolve(true)
    })
  })
}

function createS3Client(config: RunnerConfig): S3Client {
  const { s3Endpoint, s3Region } = config.model
  return new S3Client({
    ...(s3Region === null ? {} : { region: s3Region }),
    // S3-compatible servers (MinIO, moto, R2) want bucket names in the path, not the host.
    ...(s3Endpoint === null ? {} : { endpoint: s3Endpoint, forcePathStyle: true }),
  })
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Signals that stop the runner. */
export type StopSignal = 'SIGTERM' | 'SIGINT'

/** The parts of `process` that {@link runServe} touches, so tests can send it a fake SIGTERM. */
export interface ProcessLike {
  env: Readonly<Record<string, string | undefined>>
  once(event: StopSignal, listener: (signal: StopSignal) => void): unknown
  exit(code: number): void
}

/**
 * `showo serve`: reads `RUNNER_*` from the environment (with the command line's overrides on
 * top), serves until SIGTERM/SIGINT, drains and returns the exit status. A second signal exits
 * at once. Config problems print every problem and return 2; a failed startup returns 1.
 */
export async function runServe(
  overrides: Readonly<Record<string, string>>,
  deps: RunnerDeps,
  proc: ProcessLike = process
): Promise<number> {
  let config: RunnerConfig
  try {
    config = readConfig({ ...proc.env, ...overrides })
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      return 2
    }
    throw error
  }
  const runner = await startRunner(config, deps)
  const onSignal = (signal: StopSignal): void => {
    proc.once(signal, () => {
      proc.exit(1)
    })
    void runner.shutdown(signal)
  }
  proc.once('SIGTERM', onSignal)
  proc.once('SIGINT', onSignal)
  const startupError = await runner.ready.then(
    () => undefined,
    (error: unknown) => error
  )
  let status = 0
  if (startupError !== undefined && !runner.state.draining) {
    console.error(`showo serve: ${errorText(startupError)}`)
    status = 1
    await runner.shutdown('startup failed')
  }
  await runner.stopped
  // Everything is closed; if a stray handle (an engine worker, a socket) still holds the
  // event loop, leave anyway rather than outlive the orchestrator's stop timeout.
  setTimeout(() => {
    proc.exit(status)
  }, 5000).unref()
  return status
}
