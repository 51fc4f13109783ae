import { EdgeError, notConfigured } from './errors.ts'
import type { Env } from './env.ts'

/** A setting that may be absent from a deployment; routes that need it call {@link requireSetting}. */
export type Setting<T> = { ok: true; value: T } | { ok: false; missing: string }

/** A model sha as runners report it (sha256 hex of the manifest; kept loose on purpose). */
export const MODEL_SHA_PATTERN = /^[0-9A-Za-z._:-]{1,128}$/

/** Everything needed to call the GPU runners. */
export interface RunnerSettings {
  url: string
  secret: string
  /** Whole budget for one call, retries included. */
  timeoutMs: number
  maxAttempts: number
  /** Fixed model sha, or undefined to read it from the runner's /readyz. */
  modelSha: string | undefined
  modelShaTtlS: number
}

/** Per-window request allowances. */
export interface RateLimitSettings {
  perKey: number
  perIp: number
  windowS: number
}

/** The edge's settings, every default applied (the one place that reads vars and secrets). */
export interface EdgeConfig {
  runner: Setting<RunnerSettings>
  discordPublicKey: Setting<string>
  webhookSecret: Setting<string>
  adminToken: Setting<string>
  discordApiBase: string
  allowAnonymous: boolean
  rateLimit: RateLimitSettings
  /** Origin for image URLs; undefined means the request's own origin. */
  publicBaseUrl: string | undefined
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

function setting(name: string, value: string | undefined): Setting<string> {
  const v = present(value)
  return v === undefined ? { ok: false, missing: name } : { ok: true, value: v }
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  const v = present(value)
  if (v === undefined) {
    return fallback
  }
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    throw new EdgeError('NOT_CONFIGURED', `Setting ${name} must be a positive integer.`)
  }
  return Number(v)
}

function httpUrl(name: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch (cause) {
    throw new EdgeError('NOT_CONFIGURED', `Setting ${name} must be an http(s) URL.`, { cause })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EdgeError('NOT_CONFIGURED', `Setting ${name} must be an http(s) URL.`)
  }
  return url.toString().replace(/\/+$/, '')
}

function readRunner(env: Env): Setting<RunnerSettings> {
  const url = present(env.RUNNER_URL)
  const secret = present(env.RUNNER_SECRET)
  if (url === undefined) {
    return { ok: false, missing: 'RUNNER_URL' }
  }
  if (secret === undefined) {
    return { ok: false, missing: 'RUNNER_SECRET' }
  }
  const modelSha = present(env.MODEL_SHA)
  if (modelSha !== undefined && !MODEL_SHA_PATTERN.test(modelSha)) {
    throw new EdgeError('NOT_CONFIGURED', 'Setting MODEL_SHA must be a sha (hex, up to 128 chars).')
  }
  return {
    ok: true,
    value: {
      url: httpUrl('RUNNER_URL', url),
      secret,
      timeoutMs: positiveInt('RUNNER_TIMEOUT_MS', env.RUNNER_TIMEOUT_MS, 60_000),
      maxAttempts: positiveInt('RUNNER_MAX_ATTEMPTS', env.RUNNER_MAX_ATTEMPTS, 3),
      modelSha,
      modelShaTtlS: positiveInt('MODEL_SHA_TTL_S', env.MODEL_SHA_TTL_S, 30),
    },
  }
}

/** Parses vars and secrets into an {@link EdgeConfig}; throws NOT_CONFIGURED naming a bad setting. */
export function readConfig(env: Env): EdgeConfig {
  const base = present(env.PUBLIC_BASE_URL)
  return {
    runner: readRunner(env),
    discordPublicKey: setting('DISCORD_PUBLIC_KEY', env.DISCORD_PUBLIC_KEY),
    webhookSecret: setting('WEBHOOK_SIGNING_SECRET', env.WEBHOOK_SIGNING_SECRET),
    adminToken: setting('ADMIN_TOKEN', env.ADMIN_TOKEN),
    discordApiBase: httpUrl(
      'DISCORD_API_BASE',
      present(env.DISCORD_API_BASE) ?? 'https://discord.com/api/v10'
    ),
    allowAnonymous: present(env.ALLOW_ANONYMOUS) !== 'false',
    rateLimit: {
      perKey: positiveInt('RATE_LIMIT_PER_KEY', env.RATE_LIMIT_PER_KEY, 60),
      perIp: positiveInt('RATE_LIMIT_PER_IP', env.RATE_LIMIT_PER_IP, 20),
      windowS: positiveInt('RATE_LIMIT_WINDOW_S', env.RATE_LIMIT_WINDOW_S, 60),
    },
    publicBaseUrl: base === undefined ? undefined : httpUrl('PUBLIC_BASE_URL', base),
  }
}

/** Returns the setting's value, or throws 503 NOT_CONFIGURED naming the missing setting. */
export function requireSetting<T>(value: Setting<T>): T {
  if (!value.ok) {
    throw notConfigured(value.missing)
  }
  return value.value
}
