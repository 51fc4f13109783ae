import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SIGNATURE_HEADER, signRequest } from '@showo/contract'
import { readConfig } from '../../../src/config.ts'
import { startRunner, type EngineFactory, type Runner } from '../../../src/main.ts'
import { createFakeEngineFactory, type FakeEngine, type FakeEngineOptions } from './fake-engine.ts'
import { sampleModelFiles, sha256, writeModelFolder } from './model-folder.ts'
import { TEST_SECRET } from './signed-request.ts'

/** Settings of {@link startTestRunner}: `RUNNER_*` overrides and the fake engine's options. */
export interface HarnessOptions {
  env?: Record<string, string>
  engine?: FakeEngineOptions
  /** Replaces the fake engine factory (e.g. to delay loading). */
  createEngine?: (fake: EngineFactory) => EngineFactory
}

/** A real runner on a loopback port with a FakeEngine and a checked local model folder. */
export async function startTestRunner(options: HarnessOptions = {}) {
  const root = await mkdtemp(join(tmpdir(), 'showo-runner-'))
  const modelDir = join(root, 'model')
  const manifestSha = sha256(await writeModelFolder(modelDir, sampleModelFiles()))
  const config = readConfig({
    RUNNER_ENV: 'production',
    RUNNER_SECRET: TEST_SECRET,
    RUNNER_HOST: '127.0.0.1',
    RUNNER_PORT: '0',
    RUNNER_MODEL_URI: modelDir,
    RUNNER_MAX_WAIT_MS: '0',
    RUNNER_LOG_LEVEL: 'debug',
    ...options.env,
  })
  const lines: string[] = []
  let made: FakeEngine | undefined
  let created: ((engine: FakeEngine) => void) | undefined
  const engine = new Promise<FakeEngine>((resolve) => {
    created = (e) => {
      made = e
      resolve(e)
    }
  })
  const fake = createFakeEngineFactory(options.engine, created)
  const runner: Runner = await startRunner(config, {
    createEngine: options.createEngine ? options.createEngine(fake) : fake,
    write: (line) => lines.push(line),
    processMetrics: false,
  })
  // Startup failures are asserted through `runner.ready` where a test expects them.
  runner.ready.catch(() => undefined)
  return {
    runner,
    engine,
    modelDir,
    manifestSha,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    /** A signed POST over the socket. */
    post: async (path: string, body: unknown, init: { signal?: AbortSignal } = {}) => {
      const raw = JSON.stringify(body)
      return fetch(`${runner.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: await signRequest(TEST_SECRET, raw),
        },
        body: raw,
        ...init,
      })
    },
    get: (path: string) => fetch(`${runner.url}${path}`),
    /** Stops the runner (if the test did not) and removes the temporary folder. */
    cleanup: async () => {
      made?.release()
      await runner.shutdown('test over')
      await rm(root, { recursive: true, force: true })
    },
  }
}

/** Reads `name value` from Prometheus text. */
export function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}
