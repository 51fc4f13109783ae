import type { MiddlewareHandler } from 'hono'
import { getConfig, type AppEnv } from './app-env.ts'
import { lookupApiKey } from './api-keys.ts'
import { EdgeError } from './errors.ts'

/**
 * Authenticates the caller and charges one request to its rate-limit bucket: per API key when a
 * key is presented, per client address otherwise (and only when ALLOW_ANONYMOUS is on). A
 * presented key that is wrong is refused even when anonymous access is allowed.
 */
export function auth(): MiddlewareHandler<AppEnv> {
  return async function auth(c, next) {
    const config = getConfig(c)
    const header = c.req.header('authorization')
    let bucket: string
    let limit: number
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header)
      const record = match?.[1] ? await lookupApiKey(c.env.API_KEYS, match[1]) : null
      if (!record) {
        throw new EdgeError('UNAUTHORIZED', 'authorization: unknown API key (use "Bearer <key>").')
      }
      c.set('apiKey', record)
      bucket = `key:${record.id}`
      limit = record.ratePerWindow ?? config.rateLimit.perKey
    } else {
      if (!config.allowAnonymous) {
        throw new EdgeError('UNAUTHORIZED', 'authorization: an API key is required.')
      }
      bucket = `ip:${c.req.header('cf-connecting-ip') ?? 'unknown'}`
      limit = config.rateLimit.perIp
    }
    const limiter = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(bucket))
    const verdict = await limiter.consume(limit, config.rateLimit.windowS)
    const headers = {
      'x-ratelimit-limit': String(verdict.limit),
      'x-ratelimit-remaining': String(verdict.remaining),
    }
    if (!verdict.allowed) {
      const who = bucket.startsWith('key:') ? 'this API key' : 'this address'
      throw new EdgeError('RATE_LIMITED', `Too many requests for ${who}.`, {
        retryAfterS: verdict.retryAfterS,
        headers,
      })
    }
    await next()
    for (const [name, value] of Object.entries(headers)) {
      c.res.headers.set(name, value)
    }
  }
}
