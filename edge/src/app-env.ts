import type { Context } from 'hono'
import type { ApiKeyRecord } from './api-key-record.ts'
import { readConfig, type EdgeConfig } from './config.ts'
import type { Env } from './env.ts'

/** Hono environment of the edge app: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env
  Variables: {
    requestId: string
    config: EdgeConfig
    apiKey: ApiKeyRecord | undefined
  }
}

/**
 * The request's parsed config, read on first use so that a bad setting only fails the routes that
 * read config (the image CDN and the playground never do).
 */
export function getConfig(c: Context<AppEnv>): EdgeConfig {
  const existing = c.get('config') as EdgeConfig | undefined
  if (existing) {
    return existing
  }
  const config = readConfig(c.env)
  c.set('config', config)
  return config
}
