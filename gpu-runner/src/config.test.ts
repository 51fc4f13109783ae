import { describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from './config.ts'

const minimal = { RUNNER_MODEL_URI: '/models/showo', RUNNER_SECRET: 'a-secret-of-16-chars' }

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    readConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems
    }
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('readConfig', () => {
  it('applies every default and ignores variables that are not RUNNER_*', () => {
    const config = readConfig({ ...minimal, HOME: '/root', PATH: '/bin' })
    expect(config).toMatchObject({
      env: 'production',
      host: '0.0.0.0',
      port: 8080,
      secret: 'a-secret-of-16-chars',
      model: {
        source: { kind: 'local', dir: '/models/showo' },
        ep: 'auto',
        intraOpThreads: null,
        engines: 1,
      },
      batch: { maxBatch: 8, maxWaitMs: 10, maxQueue: 16, maxDelayMs: null },
      requestTimeoutMs: 60_000,
      drainTimeoutMs: 30_000,
      logLevel: 'info',
      metrics: { intervalMs: 10_000, serviceName: 'showo-runner' },
    })
    expect(Object.isFrozen(config.batch)).toBe(true)
  })

  it('parses every setting', () => {
    const config = readConfig({
      RUNNER_ENV: 'development',
      RUNNER_HOST: '127.0.0.1',
      RUNNER_PORT: '9000',
      RUNNER_MODEL_URI: 's3://models-bucket/showo/turbo-512/',
      RUNNER_CACHE_DIR: '/cache',
      RUNNER_EP: 'cuda',
      RUNNER_INTRA_OP_THREADS: '4',
      RUNNER_ENGINES: '2',
      RUNNER_MAX_BATCH: '16',
      RUNNER_MAX_WAIT_MS: '5',
      RUNNER_MAX_QUEUE: '64',
      RUNNER_MAX_DELAY_MS: '250',
      RUNNER_REQUEST_TIMEOUT_MS: '20000',
      RUNNER_DRAIN_TIMEOUT_MS: '45000',
      RUNNER_LOG_LEVEL: 'debug',
      RUNNER_S3_ENDPOINT: 'http://127.0.0.1:5000',
      RUNNER_S3_REGION: 'eu-west-1',
      RUNNER_METRICS_INTERVAL_MS: '5000',
      RUNNER_SERVICE_NAME: 'showo-runner-staging',
    })
    expect(config).toMatchObject({
      env: 'development',
      secret: null,
      port: 9000,
      model: {
        source: { kind: 's3', bucket: 'models-bucket', prefix: 'showo/turbo-512' },
        cacheDir: '/cache',
        ep: 'cuda',
        intraOpThreads: 4,
        engines: 2,
        s3Endpoint: 'http://127.0.0.1:5000',
        s3Region: 'eu-west-1',
      },
      batch: { maxBatch: 16, maxWaitMs: 5, maxQueue: 64, maxDelayMs: 250 },
      metrics: { intervalMs: 5000, serviceName: 'showo-runner-staging' },
    })
  })

  it('lists every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      RUNNER_PORT: 'eighty',
      RUNNER_EP: 'tpu',
      RUNNER_MAX_BATCH: '0',
      RUNNER_SECRET: 'short',
      RUNNER_S3_ENDPOINT: 'not a url',
      RUNNER_MAX_BATCHES: '8',
      RUNNER_ENGINES: '0',
    })
    const named = problems.map((p) => p.split(':')[0])
    expect(named).toEqual(
      expect.arrayContaining([
        'RUNNER_PORT',
        'RUNNER_EP',
        'RUNNER_MAX_BATCH',
        'RUNNER_SECRET',
        'RUNNER_S3_ENDPOINT',
        'RUNNER_MAX_BATCHES',
        'RUNNER_ENGINES',
        'RUNNER_MODEL_URI',
      ])
    )
    expect(problems).toContain('RUNNER_MODEL_URI: is required')
    expect(problems).toContain('RUNNER_MAX_BATCHES: unknown setting')
    expect(problems.find((p) => p.startsWith('RUNNER_PORT'))).toContain('whole number')
  })

  it('refuses a production start without a secret, alone or among other problems', () => {
    expect(problemsOf({ RUNNER_MODEL_URI: '/m' })).toEqual([
      'RUNNER_SECRET: is required when RUNNER_ENV=production (the default)',
    ])
    expect(problemsOf({ RUNNER_ENV: 'production', RUNNER_PORT: '-1' })).toHaveLength(3)
    expect(readConfig({ RUNNER_ENV: 'development', RUNNER_MODEL_URI: '/m' }).secret).toBeNull()
  })

  it('treats empty values as unset', () => {
    expect(readConfig({ ...minimal, RUNNER_PORT: '' }).port).toBe(8080)
    expect(problemsOf({ ...minimal, RUNNER_SECRET: '' })[0]).toMatch(/^RUNNER_SECRET/)
  })

  it('refuses model URIs that are neither a folder nor s3://bucket/prefix', () => {
    expect(problemsOf({ ...minimal, RUNNER_MODEL_URI: 'https://example.com/m' })).toEqual([
      'RUNNER_MODEL_URI: must be a local folder or s3://bucket/prefix',
    ])
    expect(problemsOf({ ...minimal, RUNNER_MODEL_URI: 's3://Bad_Bucket/m' })[0]).toContain(
      'not a valid S3 bucket name'
    )
  })

  it('renders a message with one problem per line', () => {
    expect(() => readConfig({})).toThrow(
      /invalid runner configuration:\n {2}RUNNER_MODEL_URI: is required\n {2}RUNNER_SECRET/
    )
  })
})
