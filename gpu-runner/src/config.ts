import { homedir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { parseModelSource, type ModelSource } from './model-store/model-source.ts'

/** Execution providers the engine can be asked for. */
export type ExecutionProviderChoice = 'cpu' | 'cuda' | 'webgpu' | 'auto'

/** Log levels, least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const

/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Everything the runner is configured with, parsed once from `RUNNER_*` variables. */
export interface RunnerConfig {
  readonly env: 'production' | 'development'
  readonly host: string
  readonly port: number
  /** HMAC secret of `x-showo-signature`; null only in development (requests are then not checked). */
  readonly secret: string | null
  readonly model: {
    readonly source: ModelSource
    readonly cacheDir: string
    readonly ep: ExecutionProviderChoice
    /** ORT intra-op threads of each engine; null lets the engine choose. */
    readonly intraOpThreads: number | null
    /** Engines (model copies), each running one batch at a time; engine i uses GPU i on CUDA. */
    readonly engines: number
    /** Endpoint of an S3-compatible server; null means AWS S3. */
    readonly s3Endpoint: string | null
    /** Region for S3; null leaves it to the AWS SDK's usual lookup. */
    readonly s3Region: string | null
  }
  readonly batch: {
    readonly maxBatch: number
    readonly maxWaitMs: number
    readonly maxQueue: number
    /** Refuse requests expected to take this much longer than one alone; null: deadline only. */
    readonly maxDelayMs: number | null
  }
  readonly requestTimeoutMs: number
  readonly drainTimeoutMs: number
  readonly logLevel: LogLevel
  readonly metrics: { readonly intervalMs: number; readonly serviceName: string }
}

/** A configuration that cannot start the runner; the message lists every problem, one a line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(readonly problems: readonly string[]) {
    super(`invalid runner configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)
  }
}

const whole = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min).max(max))

const modelUri = z.string().transform((uri, ctx): ModelSource => {
  try {
    return parseModelSource(uri)
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: error instanceof Error ? error.message : String(error),
    })
    return z.NEVER
  }
})

const RunnerEnv = z.strictObject({
  RUNNER_ENV: z.enum(['production', 'development']).default('production'),
  RUNNER_HOST: z.string().default('0.0.0.0'),
  RUNNER_PORT: whole(0, 65535).default(8080),
  RUNNER_MODEL_URI: modelUri,
  RUNNER_CACHE_DIR: z.string().default(join(homedir(), '.cache', 'showo', 'models')),
  RUNNER_EP: z.enum(['cpu', 'cuda', 'webgpu', 'auto']).default('auto'),
  RUNNER_INTRA_OP_THREADS: whole(1, 1024).optional(),
  RUNNER_ENGINES: whole(1, 64).default(1),
  RUNNER_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  RUNNER_MAX_BATCH: whole(1, 256).default(8),
  RUNNER_MAX_WAIT_MS: whole(0, 10_000).default(10),
  RUNNER_MAX_QUEUE: whole(0, 100_000).default(16),
  RUNNER_MAX_DELAY_MS: whole(0, 3_600_000).optional(),
  RUNNER_REQUEST_TIMEOUT_MS: whole(100, 3_600_000).default(60_000),
  RUNNER_DRAIN_TIMEOUT_MS: whole(0, 3_600_000).default(30_000),
  RUNNER_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  RUNNER_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  RUNNER_S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'must look like us-east-1')
    .optional(),
  RUNNER_METRICS_INTERVAL_MS: whole(100, 3_600_000).default(10_000),
  RUNNER_SERVICE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be 1-255 letters, digits, dots, dashes or underscores')
    .default('showo-runner'),
})

/** Names of every variable the runner reads. */
export const RUNNER_ENV_VARS = Object.keys(RunnerEnv.shape)

/**
 * Parses the `RUNNER_*` variables of `env` (other variables are ignored; empty values count as
 * unset). Throws a {@link ConfigError} listing every problem: bad values, unknown `RUNNER_*`
 * names (typos would otherwise fall back to defaults silently), and a production start without
 * a secret.
 */
export function readConfig(env: Readonly<Record<string, string | undefined>>): RunnerConfig {
  const input = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key.startsWith('RUNNER_') && value !== '')
  )
  const problems: string[] = []
  const parsed = RunnerEnv.safeParse(input)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        problems.push(...issue.keys.map((key) => `${key}: unknown setting`))
      } else {
        const name = issue.path.map(String).join('.')
        problems.push(`${name}: ${name in input ? issue.message : 'is required'}`)
      }
    }
  }
  if ((input.RUNNER_ENV ?? 'production') === 'production' && input.RUNNER_SECRET === undefined) {
    problems.push('RUNNER_SECRET: is required when RUNNER_ENV=production (the default)')
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(problems)
  }
  return toConfig(parsed.data)
}

function toConfig(v: z.infer<typeof RunnerEnv>): RunnerConfig {
  return deepFreeze({
    env: v.RUNNER_ENV,
    host: v.RUNNER_HOST,
    port: v.RUNNER_PORT,
    secret: v.RUNNER_SECRET ?? null,
    model: {
      source: v.RUNNER_MODEL_URI,
      cacheDir: v.RUNNER_CACHE_DIR,
      ep: v.RUNNER_EP,
      intraOpThreads: v.RUNNER_INTRA_OP_THREADS ?? null,
      engines: v.RUNNER_ENGINES,
      s3Endpoint: v.RUNNER_S3_ENDPOINT ?? null,
      s3Region: v.RUNNER_S3_REGION ?? null,
    },
    batch: {
      maxBatch: v.RUNNER_MAX_BATCH,
      maxWaitMs: v.RUNNER_MAX_WAIT_MS,
      maxQueue: v.RUNNER_MAX_QUEUE,
      maxDelayMs: v.RUNNER_MAX_DELAY_MS ?? null,
    },
    requestTimeoutMs: v.RUNNER_REQUEST_TIMEOUT_MS,
    drainTimeoutMs: v.RUNNER_DRAIN_TIMEOUT_MS,
    logLevel: v.RUNNER_LOG_LEVEL,
    metrics: { intervalMs: v.RUNNER_METRICS_INTERVAL_MS, serviceName: v.RUNNER_SERVICE_NAME },
  })
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') {
      deepFreeze(child as object)
    }
  }
  return Object.freeze(value)
}
