import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { makeTinyModel } from '../../gpu-runner/src/convert/make-tiny.ts'
import { isCurrentModelFolder } from '../../gpu-runner/src/model/manifest.ts'
import { type StackChild, startChild } from './child.ts'
import { freePort } from './free-port.ts'
import { waitForHttp } from './wait-for.ts'

/** The repository root. */
export const REPO = resolve(import.meta.dirname, '../..')

/** Options of {@link startLocalStack}; everything has a default. */
export interface LocalStackOptions {
  /** A model folder; default `models/tiny`, made with `showo make-tiny` when missing. */
  model?: string
  runnerPort?: number
  edgePort?: number
  ep?: string
  /** Extra `wrangler dev` vars (Discord key, API base, webhook secret…). */
  edgeVars?: Record<string, string>
  /** Extra runner environment (RUNNER_MAX_BATCH…). */
  runnerEnv?: Record<string, string>
  /** Where wrangler keeps R2/KV/queue state; default `.wrangler/state` (kept between runs). */
  persistTo?: string
  log?: (line: string) => void
}

/** A running runner + edge pair on loopback. */
export interface LocalStack {
  edgeUrl: string
  runnerUrl: string
  model: string
  secret: string
  runner: StackChild
  edge: StackChild
  /** Stops the edge, then drains and stops the runner. */
  stop: () => Promise<void>
}

/**
 * Starts the whole product on this machine: the GPU runner (`showo serve`, CPU EP by default) and the
 * edge Worker under `wrangler dev`, wired together with a fresh shared secret. Resolves once both
 * answer (`/readyz` for the runner, `/` for the edge).
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const model = resolve(options.model ?? join(REPO, 'models', 'tiny'))
  if (!options.model && !isCurrentModelFolder(model)) {
    // The default folder is ours to (re)make: missing, or written by an older converter.
    options.log?.(`no model folder configured: making a tiny random model in ${model}`)
    rmSync(model, { recursive: true, force: true })
    await makeTinyModel({ outDir: model })
  }
  const secret = randomBytes(24).toString('hex')
  const runnerPort = options.runnerPort ?? (await freePort())
  const edgePort = options.edgePort ?? (await freePort())
  const runnerUrl = `http://127.0.0.1:${runnerPort}`
  const edgeUrl = `http://127.0.0.1:${edgePort}`

  const runner = startChild(
    'runner',
    process.execPath,
    [
      join(REPO, 'gpu-runner/bin/showo.mjs'),
      'serve',
      '--model',
      model,
      '--port',
      String(runnerPort),
    ],
    {
      cwd: REPO,
      env: {
        ...process.env,
        RUNNER_ENV: 'development',
        RUNNER_HOST: '127.0.0.1',
        RUNNER_SECRET: secret,
        RUNNER_EP: options.ep ?? 'cpu',
        ...options.runnerEnv,
      },
      ...(options.log ? { log: options.log } : {}),
    }
  )
  let edge: StackChild | undefined
  try {
    await waitForHttp(`${runnerUrl}/readyz`, {
      timeoutMs: 180_000,
      what: 'the runner',
      alive: runner.alive,
    })
    const vars: Record<string, string> = {
      RUNNER_URL: runnerUrl,
      RUNNER_SECRET: secret,
      PUBLIC_BASE_URL: edgeUrl,
      ...options.edgeVars,
    }
    const wrangler = join(REPO, 'node_modules/wrangler/bin/wrangler.js')
    const args = [
      wrangler,
      'dev',
      '--config',
      join(REPO, 'wrangler.toml'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(edgePort),
      '--inspector-port',
      String(await freePort()),
      '--show-interactive-dev-session=false',
      '--persist-to',
      options.persistTo ?? join(REPO, '.wrangler/state'),
    ]
    for (const [name, value] of Object.entries(vars)) {
      args.push('--var', `${name}:${value}`)
    }
    edge = startChild('edge', process.execPath, args, {
      cwd: REPO,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      ...(options.log ? { log: options.log } : {}),
    })
    await waitForHttp(`${edgeUrl}/`, {
      timeoutMs: 120_000,
      what: 'the edge (wrangler dev)',
      alive: edge.alive,
    })
  } catch (error) {
    await Promise.all([edge?.stop(5000), runner.stop(5000)])
    const detail = [runner, edge]
      .filter((c): c is StackChild => c !== undefined)
      .map((c) => `--- ${c.name} ---\n${c.output()}`)
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n${detail.join('\n')}`,
      { cause: error }
    )
  }
  const started = edge
  return {
    edgeUrl,
    runnerUrl,
    model,
    secret,
    runner,
    edge: started,
    stop: async () => {
      await started.stop(10_000)
      await runner.stop(40_000)
    },
  }
}
